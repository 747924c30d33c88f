"""Writes to accounts."""

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.roles import Role


@transaction.atomic
def user_create_or_update(
    *, username: str, role: Role, password: str | None, organization=None, email: str = ""
) -> tuple[User, bool]:
    """Create or update a staff account with exactly one role; return (user, created).

    A provider account must name its organization; other roles may not, so that a hotline or moderator
    account never looks like provider staff to the rules that grant an organization's referrals.
    """
    if role == Role.PROVIDER and organization is None:
        raise ValidationError({"organization": "A provider account needs --organization."})
    if role != Role.PROVIDER and organization is not None:
        raise ValidationError({"organization": "Only provider accounts belong to an organization."})
    user, created = User.objects.select_for_update().get_or_create(username=username)
    if email:
        user.email = email
    user.organization = organization
    if password is not None:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
    elif created:
        raise ValidationError({"password": "A new account needs a password."})
    user.save()
    user.groups.set([Group.objects.get(name=role.value)])
    return user, created
