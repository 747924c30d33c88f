"""What every registry model shares."""

from django.db import models

from providers.eligibility import ADULT_AGE_YEARS, MAX_AGE_YEARS  # noqa: F401  (re-exported)


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
