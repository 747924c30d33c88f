from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from accounts.authenticators import Authenticator  # noqa: F401 - a model of this app, kept in its own module


class User(AbstractUser):
    """A staff account. Provider staff belong to exactly one organization."""

    organization = models.ForeignKey(
        "providers.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text="For provider staff: the organization whose listings and referrals they manage.",
    )

    class Meta:
        db_table = "accounts_user"
        constraints = [
            # "Bob" and "bob" are one person to whoever reads a referral's history.
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
        ]


class RateCounter(models.Model):
    """A rate-limit count: requests from one client (or account) to one scope in the current time window.

    Written by core.throttles with one atomic upsert per request, so every worker and app server shares the
    count. The table is UNLOGGED (migration 0005): counts need no crash safety, and skipping the WAL keeps the
    write cheap.
    """

    key = models.CharField(max_length=200, primary_key=True)
    window_start = models.BigIntegerField(help_text="Start of the current window, seconds since the epoch.")
    hits = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "accounts_rate_counter"

    def __str__(self):
        return f"{self.key}: {self.hits}"
