from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


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
