from django.apps import AppConfig


class SendsConfig(AppConfig):
    name = "sends"
    verbose_name = "Lists sent to survivors"

    def ready(self):
        from django.core import checks

        from sends import channels, tasks  # noqa: F401 - the tasks register with the job queue

        checks.register(channels.check_sms_settings)
