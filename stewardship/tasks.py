"""Jobs of the duplicates queue (procrastinate): the search for an organization an approved application created, its
services and its sites (a provider applying while a coalition's feed lists it), deferred in the approval's
transaction and run by a worker, since a search reads the whole registry's names (seconds at 100k organizations,
too long for the moderator's request)."""

from procrastinate.contrib.django import app

from notifications.tasks import RETRY, defer_in_transaction
from stewardship.finders import duplicates_find


@app.task(name="stewardship.find_duplicates", queue="housekeeping", retry=RETRY)
def find_duplicates(organization_ids: list[str]) -> None:
    duplicates_find(organization_ids)


def application_saving(sender, instance, raw=False, **kwargs) -> None:
    # Whether it is approved already, as stored (an instance's own memory of it may be older than the row).
    stored = sender.objects.filter(pk=instance.pk, status=sender.Status.APPROVED)
    instance._approved_before = not raw and instance.pk is not None and stored.exists()


def application_saved(sender, instance, raw=False, **kwargs) -> None:
    """An application approved (providers.services.application_approve): its organization's pairs are looked for
    once the approval commits (a rolled-back approval leaves no job). Saved again, or loaded from a fixture: none."""
    approved = instance.status == instance.Status.APPROVED
    if approved and not raw and not instance._approved_before and instance.organization_id is not None:
        defer_in_transaction(find_duplicates, organization_ids=[str(instance.organization_id)])
