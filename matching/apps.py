from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _install(sender, using, **kwargs):
    # After every migrate, so the database's maintenance functions and triggers are always this code's.
    from matching import index

    index.install()


def _search_settings(sender, connection, **kwargs):
    # The similarity a misspelt name needs (matching.search), for the trigram index's `<%` operator.
    from matching.search import NAME_SIMILARITY

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(NAME_SIMILARITY)])


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self):
        from matching import signals, triggers

        triggers.register()
        signals.connect()
        post_migrate.connect(_install, sender=self)
        connection_created.connect(_search_settings, dispatch_uid="matching-search-settings")
