"""Keep the match index in step with registry edits (bulk loads call match_index_rebuild instead).

The refresh runs in the same transaction as the edit, so the index can never disagree with committed
registry data: a rolled-back edit rolls back its index rows too. Each refresh touches only the rows of
one service or location, so it is cheap.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from matching.index import match_index_refresh
from providers.models import Language, Location, NeedTerm, Service, ServiceAtLocation


def _schedule(*, service_id=None, location_id=None) -> None:
    match_index_refresh(
        service_ids=[service_id] if service_id is not None else [],
        location_ids=[location_id] if location_id is not None else [],
    )


@receiver(post_save, sender=Service)
@receiver(post_delete, sender=Service)
def _service_changed(sender, instance, **kwargs):
    _schedule(service_id=instance.pk)


@receiver(post_save, sender=Location)
@receiver(post_delete, sender=Location)
def _location_changed(sender, instance, **kwargs):
    _schedule(location_id=instance.pk)


@receiver(post_save, sender=ServiceAtLocation)
@receiver(post_delete, sender=ServiceAtLocation)
def _offer_changed(sender, instance, **kwargs):
    _schedule(service_id=instance.service_id)


@receiver(m2m_changed, sender=Service.needs.through)
@receiver(m2m_changed, sender=Service.populations.through)
@receiver(m2m_changed, sender=Service.languages.through)
def _service_vocabulary_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        _schedule(service_id=instance.pk)
    else:
        for service_id in pk_set or []:
            _schedule(service_id=service_id)


@receiver(post_save, sender=NeedTerm)
@receiver(post_delete, sender=NeedTerm)
@receiver(post_save, sender=Language)
@receiver(post_delete, sender=Language)
def _vocabulary_changed(sender, **kwargs):
    from matching.engine import vocabulary

    vocabulary.cache_clear()
