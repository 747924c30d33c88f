"""Keep the match index and the offer cards in step with registry edits (bulk loads call
match_index_rebuild instead).

The refresh runs in the same transaction as the edit, so the index can never disagree with committed
registry data: a rolled-back edit rolls back its index rows too. Each refresh touches only the rows of
one service or location, so it is cheap.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from matching.index import match_index_refresh
from providers.models import (
    Address,
    Language,
    Location,
    NeedTerm,
    Organization,
    Phone,
    Population,
    Schedule,
    Service,
    ServiceAtLocation,
)


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


@receiver(pre_save, sender=Schedule)
def _schedule_saving(sender, instance, **kwargs):
    # A period moved to another site (the admin allows it) changes the hours of the site it leaves too.
    if instance.pk is not None:
        instance._match_previous_location = (
            sender.objects.filter(pk=instance.pk).values_list("location_id", flat=True).first()
        )


@receiver(post_save, sender=Schedule)
@receiver(post_delete, sender=Schedule)
def _schedule_changed(sender, instance, **kwargs):
    # Hours are ranking facts of every service at the site (a service's own hours there, of its offer only;
    # refreshing the site's rows covers both).
    previous = getattr(instance, "_match_previous_location", None)
    match_index_refresh(location_ids={instance.location_id, previous} - {None})


@receiver(post_save, sender=ServiceAtLocation)
@receiver(post_delete, sender=ServiceAtLocation)
def _offer_changed(sender, instance, **kwargs):
    # By offer id too: an offer moved to another service must lose the old service's rows.
    match_index_refresh(service_ids=[instance.service_id], offer_ids=[instance.pk])


@receiver(pre_save, sender=Organization)
def _organization_saving(sender, instance, update_fields=None, **kwargs):
    if not instance._state.adding and (update_fields is None or "name" in update_fields):
        instance._match_previous_name = sender.objects.filter(pk=instance.pk).values_list("name", flat=True).first()


@receiver(post_save, sender=Organization)
def _organization_changed(sender, instance, created, **kwargs):
    # Its name is on the offer cards of its services: refresh them when it changed (deleting it deletes them,
    # which refreshes them).
    previous = getattr(instance, "_match_previous_name", None)
    if not created and previous is not None and previous != instance.name:
        match_index_refresh(organization_ids=[instance.pk])


@receiver(pre_save, sender=Address)
@receiver(pre_save, sender=Phone)
def _card_source_saving(sender, instance, **kwargs):
    # An address or phone moved to another owner changes the cards of the owner it leaves too.
    if not instance._state.adding:
        owners = ("location_id",) if sender is Address else ("location_id", "service_id", "organization_id")
        instance._match_previous_owners = sender.objects.filter(pk=instance.pk).values(*owners).first() or {}


def _owners_refresh(instance) -> None:
    """Refresh the cards of an address's or phone's owners, before and after the save."""
    previous = getattr(instance, "_match_previous_owners", {})

    def ids(owner: str) -> set:
        return {getattr(instance, owner, None), previous.get(owner)} - {None}

    match_index_refresh(
        service_ids=ids("service_id"), location_ids=ids("location_id"), organization_ids=ids("organization_id")
    )


@receiver(post_save, sender=Address)
@receiver(post_delete, sender=Address)
def _address_changed(sender, instance, **kwargs):
    # A site's first address is on the offer cards of the services there.
    _owners_refresh(instance)


@receiver(post_save, sender=Phone)
@receiver(post_delete, sender=Phone)
def _phone_changed(sender, instance, **kwargs):
    # The first phone of a site, a service and an organization is on the offer cards of its offers.
    _owners_refresh(instance)


@receiver(m2m_changed, sender=Service.needs.through)
@receiver(m2m_changed, sender=Service.populations.through)
@receiver(m2m_changed, sender=Service.languages.through)
def _service_vocabulary_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        if action.startswith("post_"):
            _schedule(service_id=instance.pk)
        return
    if action == "pre_clear":
        # A reverse clear (term.services.clear()) reports no ids afterwards: remember them now.
        instance._match_cleared_services = list(instance.services.values_list("pk", flat=True))
    elif action == "post_clear":
        match_index_refresh(service_ids=getattr(instance, "_match_cleared_services", []))
    elif action.startswith("post_"):
        match_index_refresh(service_ids=pk_set or [])


@receiver(pre_delete, sender=Population)
@receiver(pre_delete, sender=Language)
@receiver(pre_delete, sender=NeedTerm)
def _vocabulary_term_deleting(sender, instance, **kwargs):
    # Deleting a term cascades to the link rows without m2m signals: refresh its services afterwards.
    service_ids = list(instance.services.values_list("pk", flat=True))
    instance._match_services = service_ids


@receiver(post_delete, sender=Population)
@receiver(post_delete, sender=Language)
@receiver(post_delete, sender=NeedTerm)
def _vocabulary_term_deleted(sender, instance, **kwargs):
    match_index_refresh(service_ids=getattr(instance, "_match_services", []))


@receiver(post_save, sender=Population)
def _population_changed(sender, instance, created, **kwargs):
    # A renamed code or a changed dimension changes how every service listing it is encoded.
    if not created:
        match_index_refresh(service_ids=list(instance.services.values_list("pk", flat=True)))


@receiver(post_save, sender=NeedTerm)
@receiver(post_delete, sender=NeedTerm)
@receiver(post_save, sender=Language)
@receiver(post_delete, sender=Language)
def _vocabulary_changed(sender, **kwargs):
    from matching.engine import vocabulary

    vocabulary.cache_clear()
