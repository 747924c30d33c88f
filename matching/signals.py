"""The needs taxonomy and language names are read once per process (matching.taxonomy.vocabulary); a change made
in this process (the admin) clears that cache at once. (The match index needs no signals: the database keeps it
current, matching.triggers.)"""

from django.db.models.signals import post_delete, post_save


def _vocabulary_changed(sender, **kwargs):
    from matching.taxonomy import vocabulary

    vocabulary.cache_clear()


def connect() -> None:
    from providers.models import Language, NeedTerm

    for model in (NeedTerm, Language):
        post_save.connect(_vocabulary_changed, sender=model, dispatch_uid=f"vocabulary-{model.__name__}-saved")
        post_delete.connect(_vocabulary_changed, sender=model, dispatch_uid=f"vocabulary-{model.__name__}-deleted")
