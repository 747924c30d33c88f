"""A merge of organizations (stewardship.merge) moves the HSDS ids they were imported with: a re-import of either
source then updates the kept organization instead of bringing the merged one back."""

from django.dispatch import receiver

from hsds.models import ExternalId
from stewardship.signals import organization_ids_moved


@receiver(organization_ids_moved, dispatch_uid="hsds-external-ids")
def external_ids_moved(sender, old, new, **kwargs):
    rows = ExternalId.objects.filter(record_type="organization", record_id=old)
    ids = list(rows.values_list("pk", flat=True))
    rows.update(record_id=new)
    return "hsds.ExternalId.record_id", ids
