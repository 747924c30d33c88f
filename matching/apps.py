from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install(sender, using, **kwargs):
    # After every migrate, so the database's maintenance functions and triggers are always this code's.
    from matching import index

    index.install()


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self):
        from matching import triggers

        triggers.register()
        post_migrate.connect(_install, sender=self)
