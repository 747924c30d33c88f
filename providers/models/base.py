"""What every registry model shares."""

from django.db import models

MAX_AGE_YEARS = 130
ADULT_AGE_YEARS = 18  # eligibility age groups: "adults" from 18, "minors" under 18


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
