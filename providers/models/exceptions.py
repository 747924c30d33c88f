"""Dates on which a site, or one service there, keeps other hours than its weekly ones or is closed: a holiday, a
closure for a move, extended hours in a cold snap (HSDS schedules with valid_from/valid_to). The one rule for what
they do to "open now" is providers.hours.open_at."""

import uuid
from datetime import date, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from modeltrans.fields import TranslationField

from providers.models.registry import Location, Service

MAX_EXCEPTION_DAYS = 92  # one entry covers at most a quarter: a longer closure is the listing's status to say


def ahead_since() -> date:
    """The first day whose dated hours still matter: yesterday, a reader's today anywhere in the country. Earlier
    ones are shown to no one, exported, handed out or counted toward a site's limit."""
    return timezone.localdate() - timedelta(days=1)


class HoursException(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="hours_exceptions")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="hours_exceptions",
        help_text="Set when the dates are one service's at the site rather than the whole site's.",
    )  # fmt: skip
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last day it applies (the same as starts_on for one day).")
    closed = models.BooleanField(default=True)
    opens_at = models.TimeField(null=True, blank=True, help_text="The hours kept instead, when not closed.")
    closes_at = models.TimeField(null=True, blank=True, help_text="At or before opens_at: the next day.")
    note = models.CharField(max_length=255, blank=True, help_text='Why, for readers: "Thanksgiving", "Moving".')
    i18n = TranslationField(fields=("note",))

    class Meta:
        ordering = ["starts_on", "opens_at", "id"]
        indexes = [models.Index(fields=["location", "ends_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="hours_exception_dates_ordered"),
            # providers.hours numbers dates from 2000 (earlier ones would read as weekdays).
            models.CheckConstraint(condition=Q(starts_on__gte=date(2000, 1, 1)), name="hours_exception_since_2000"),
            models.CheckConstraint(
                condition=Q(closed=True, opens_at__isnull=True, closes_at__isnull=True)
                | Q(closed=False, opens_at__isnull=False, closes_at__isnull=False),
                name="hours_exception_closed_or_hours",
                violation_error_message="closed, or the hours kept (opens_at and closes_at), not both.",
            ),
        ]

    def __str__(self) -> str:
        hours = "closed" if self.closed else f"{self.opens_at:%H:%M}-{self.closes_at:%H:%M}"
        days = str(self.starts_on) if self.ends_on == self.starts_on else f"{self.starts_on} to {self.ends_on}"
        return f"{days} {hours}"

    def as_entry(self) -> dict:
        """The fields an edit gives (PUT .../hours-exceptions/, providers.services)."""
        return {"starts_on": self.starts_on, "ends_on": self.ends_on, "closed": self.closed, "opens_at": self.opens_at,
                "closes_at": self.closes_at, "note": self.note, "note_es": (self.i18n or {}).get("note_es", ""),
                "service_id": self.service_id}  # fmt: skip
