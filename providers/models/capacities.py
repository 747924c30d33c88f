"""What a service counts other than beds (beds are a site's: Location.beds_total and beds_available): appointment
slots, places in a group, hours of legal advice... (HSDS 3.1 service_capacity, its unit named as the source names
it). Counts are no secret; the description is the site's free text when the count is at one site."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from providers.models.registry import Location, Service

MAX_COUNT = 1_000_000  # more than this of anything is a typo, not a capacity
BED_WORDS = frozenset({"bed", "beds", "cama", "camas"})  # a unit that is beds: the site's count, not one of these


class ServiceCapacity(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="capacities")
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="capacities",
        help_text="The site the count is at, when the service is offered at one.",
    )  # fmt: skip
    unit = models.CharField(max_length=100, help_text='What is counted, e.g. "Appointment slot".')
    unit_scheme = models.CharField(max_length=100, blank=True, help_text='The scheme naming the unit, e.g. "SI".')
    unit_identifier = models.CharField(max_length=100, blank=True, help_text="The unit's code in its scheme.")
    unit_uri = models.URLField(max_length=500, blank=True)
    available = models.PositiveIntegerField()
    maximum = models.PositiveIntegerField(null=True, blank=True)
    description = models.CharField(max_length=500, blank=True)
    updated = models.DateTimeField(help_text="When the provider last gave these counts.")

    class Meta:
        ordering = ["unit", "id"]
        verbose_name_plural = "service capacities"
        constraints = [
            models.CheckConstraint(
                condition=Q(maximum__isnull=True) | Q(available__lte=F("maximum")),
                name="service_capacity_available_lte_maximum",
                violation_error_message="available must not exceed maximum.",
            ),
            models.CheckConstraint(
                condition=Q(available__lte=MAX_COUNT) & (Q(maximum__isnull=True) | Q(maximum__lte=MAX_COUNT)),
                name="service_capacity_counts_bounded",
            ),
        ]

    def __str__(self) -> str:
        of = f" of {self.maximum}" if self.maximum is not None else ""
        return f"{self.unit}: {self.available}{of} ({self.updated:%Y-%m-%d %H:%M})"

    def clean(self):
        # Beds counted here too would be exported beside the site's own and read back as them.
        if self.unit.strip().lower() in BED_WORDS or self.unit_identifier.strip().lower() in BED_WORDS:
            raise ValidationError({"unit": "Beds are the site's count (beds total and available), not one of these."})
