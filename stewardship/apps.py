from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save


class StewardshipConfig(AppConfig):
    name = "stewardship"
    verbose_name = "Stewardship of the registry (duplicates)"

    def ready(self):
        from providers.models import Application
        from stewardship.tasks import application_saved, application_saving

        # The registry's layer does not call up into this one: an approval is heard as the application's save, from
        # another status to approved.
        pre_save.connect(application_saving, sender=Application, dispatch_uid="stewardship-application-saving")
        post_save.connect(application_saved, sender=Application, dispatch_uid="stewardship-application-approved")
