from django.apps import AppConfig


class HsdsConfig(AppConfig):
    name = "hsds"
    verbose_name = "Open Referral HSDS 3.1"

    def ready(self):
        from hsds import merges  # noqa: F401 - connects the merge receiver
