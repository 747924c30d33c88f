"""Referral emails, queued in the outbox inside the transaction of the change.

They hold no client data (docs/privacy.md): the reference code, the need categories (top-level groups such as
"Legal", never e.g. "T visa"), and a link that requires login. `do_not_contact` suppresses them all.
"""

from django.conf import settings
from django.urls import reverse

from notifications.services import outbox_enqueue
from providers.models import NeedTerm
from providers.services import organization_contact_emails
from referrals.models import Referral, ReferralEvent, Status


def need_categories(referral: Referral) -> list[str]:
    """Return the top-level need groups of a referral's needs, sorted ("T visa" -> "Legal services": the
    levels between would say more than an email may, e.g. "Immigration legal services")."""
    parents = dict(NeedTerm.objects.values_list("pk", "parent_id"))
    names = dict(NeedTerm.objects.values_list("pk", "name"))
    roots = set()
    for need_id in referral.needs.values_list("pk", flat=True):
        while parents.get(need_id) is not None:
            need_id = parents[need_id]
        roots.add(names[need_id])
    return sorted(roots)


def referral_link(referral: Referral) -> str:
    return settings.SITE_URL + reverse("referral-page", kwargs={"code": referral.code})


def notify_referral_created(referral: Referral) -> int:
    """Queue the new-referral email to the receiving organization; return how many were queued."""
    if referral.do_not_contact:
        return 0
    body = f"A new referral was sent to {referral.receiving_organization.name}.\n\n{_summary(referral)}"
    recipients = organization_contact_emails(referral.receiving_organization)
    return _enqueue(recipients, "referral.created", f"New referral {referral.code}", body)


def notify_status_changed(referral: Referral, event: ReferralEvent) -> int:
    """Queue the status-change email: to the sender, or to the receiving organization when the sender withdrew."""
    if referral.do_not_contact:
        return 0
    label = Status(event.to_status).label.lower()
    body = f"Referral {referral.code} is now {label}.\n\n{_summary(referral)}"
    if event.to_status == Status.WITHDRAWN:
        recipients = organization_contact_emails(referral.receiving_organization)
    else:
        recipients = [referral.sender.email] if referral.sender.email else []
    return _enqueue(recipients, f"referral.{event.to_status}", f"Referral {referral.code}: {label}", body)


def notify_overdue(referral: Referral, side: str) -> int:
    """Queue the reminder that an accepted referral was neither started nor closed: to the receiving
    organization, or (later) to the sender."""
    if referral.do_not_contact:
        return 0
    if side == "receiver":
        recipients = organization_contact_emails(referral.receiving_organization)
        ask = "Your organization accepted it but has not started or closed it. Please update it."
    else:
        recipients = [referral.sender.email] if referral.sender.email else []
        ask = "The receiving organization accepted it but has not started or closed it; you may want to follow up."
    body = f"Referral {referral.code} is overdue.\n{ask}\n\n{_summary(referral)}"
    return _enqueue(recipients, f"referral.overdue.{side}", f"Referral {referral.code}: overdue", body)


def _summary(referral: Referral) -> str:
    return (
        f"Reference: {referral.code}\n"
        f"Needs: {', '.join(need_categories(referral))}\n\n"
        f"Sign in to see it: {referral_link(referral)}\n\n"
        "This email holds no client information, by design. Please do not reply with any."
    )


def _enqueue(recipients: list[str], kind: str, subject: str, body: str) -> int:
    for to_email in recipients:
        outbox_enqueue(kind=kind, to_email=to_email, subject=subject, body=body)
    return len(recipients)
