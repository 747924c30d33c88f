from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self):
        from matching import signals  # noqa: F401  (keeps the match index in step with the registry)
