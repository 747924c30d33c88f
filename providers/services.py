"""Self-service edits, moderation, freshness and joining: the registry writes people make, through the registry's
write path (providers.registry: public points, geocoding before locks, history)."""

import copy
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.roles import Role
from providers import registry, selectors
from providers.editing import (
    M2M_FIELDS,
    RECORD_KINDS,
    organization_id_of,
    read_value,
    record_type_of,
)
from providers.models import (
    MAX_EXCEPTION_DAYS,
    Address,
    Application,
    ChangeRequest,
    HoursException,
    Invitation,
    ListingChange,
    Location,
    Organization,
    RecordType,
    Schedule,
    Service,
    ServiceAtLocation,
    Suggestion,
    ahead_since,
)
from providers.translations import i18n_from, spanish_text, stale_spanish

# --- Self-service edits, moderation, history ------------------------------------------------------------


class ChangeRequestNotPending(Exception):
    """The change request, application or suggestion was already reviewed (HTTP 409)."""


@dataclass(frozen=True)
class EditResult:
    applied: dict
    change_request: ChangeRequest | None


# A week of split shifts is about 21 periods; more than this is an error or an attack, not opening hours.
MAX_SCHEDULE_PERIODS = 50
MAX_HOURS_EXCEPTIONS = 60  # a year of holidays and a few closures, for the site and its services
CAPACITY_FIELDS = {"beds_available", "beds_total", "accepting_referrals"}


def listing_edit(
    *, user, instance, values: dict, now: datetime | None = None, confirm_capacity: bool = False
) -> EditResult:
    """Apply a provider's edit of one listing record: operational fields at once (with history), trust fields
    as one change request for review. `values` are in the JSON form of providers.editing."""
    now = now or timezone.now()
    kind = RECORD_KINDS[record_type_of(instance)]
    with transaction.atomic():
        record = kind.model.objects.select_for_update().get(pk=instance.pk)
        current = {field: read_value(record, field) for field in values}
        changed = {field: value for field, value in values.items() if current[field] != value}
        stale = stale_spanish(record, changed, given=values)
        current.update(stale)
        changed.update(dict.fromkeys(stale, ""))
        registry.check_values(record, changed)
        operational = {f: v for f, v in changed.items() if f in kind.operational}
        trust = {f: {"old": current[f], "new": v} for f, v in changed.items() if f in kind.trust}
        for field in set(stale) & set(trust):  # removed for the English change: see change_request_approve
            trust[field]["stale"] = True
        if operational:
            stamp = (
                {"capacity_updated_at": now}
                if isinstance(record, Location) and CAPACITY_FIELDS & set(operational)
                else {}
            )
            registry.write_values(record, {**operational, **stamp})
            applied = {f: (current[f], v) for f, v in operational.items()}
            registry.history_record(record, applied, ListingChange.Source.DIRECT, user=user, now=now)
        elif confirm_capacity and isinstance(record, Location):
            Location.objects.filter(pk=record.pk).update(capacity_updated_at=now)
        change_request = None
        if trust:
            change_request = ChangeRequest.objects.create(
                organization_id=organization_id_of(record),
                record_type=record_type_of(record),
                record_id=record.pk,
                changes=trust,
                submitted_by=user,
            )
    return EditResult(applied=operational, change_request=change_request)


def location_schedules_replace(*, user, location: Location, periods: list[dict], now: datetime | None = None) -> list:
    """Replace a location's own opening hours (operational: applied at once, with history). At most
    MAX_SCHEDULE_PERIODS periods, none repeated (same weekday, opening and closing): refused whole, by index."""
    schedule_periods_check(periods)
    now = now or timezone.now()
    with transaction.atomic():
        location = Location.objects.select_for_update().get(pk=location.pk)
        existing = location.schedules.filter(service__isnull=True)
        before = sorted(_period_text(s.weekday, s.opens_at, s.closes_at) for s in existing)
        existing.delete()
        created = Schedule.objects.bulk_create(
            Schedule(location=location, weekday=p["weekday"], opens_at=p["opens_at"], closes_at=p["closes_at"],
                     description=p.get("description", ""), i18n=i18n_from(p, ("description",))) for p in periods
        )  # fmt: skip
        after = sorted(_period_text(s.weekday, s.opens_at, s.closes_at) for s in created)
        if before != after:
            registry.history_record(
                location, {"schedules": (before, after)}, ListingChange.Source.DIRECT, user=user, now=now
            )
    return created


def schedule_periods_check(periods: list[dict]) -> None:
    if len(periods) > MAX_SCHEDULE_PERIODS:
        raise ValidationError({"schedules": [f"At most {MAX_SCHEDULE_PERIODS} opening periods per site."]})
    seen = {}
    for index, period in enumerate(periods):
        key = (period["weekday"], period["opens_at"], period["closes_at"])
        if key in seen:
            raise ValidationError({f"schedules[{index}]": [f"Repeats period {seen[key]} (same day and times)."]})
        seen[key] = index


def location_hours_exceptions_replace(*, user, location: Location, exceptions: list[dict],
                                     now: datetime | None = None) -> list:  # fmt: skip
    """Replace the dates on which a location, or a service there, keeps other hours or is closed (operational:
    applied at once, with history). Refused whole, naming the entry, when an entry's dates are out of order or
    span more than MAX_EXCEPTION_DAYS, when two entries give the same date for the same service (or the site), or
    when a service is not offered there."""
    now = now or timezone.now()
    with transaction.atomic():
        location = Location.objects.select_for_update().get(pk=location.pk)
        hours_exceptions_check(exceptions, set(location.service_at_locations.values_list("service_id", flat=True)))
        existing = location.hours_exceptions.all()
        before = sorted(_exception_text(e) for e in existing)
        existing.delete()
        created = HoursException.objects.bulk_create(
            HoursException(location=location, service_id=e.get("service_id"), starts_on=e["starts_on"],
                           ends_on=e["ends_on"], closed=e["closed"], opens_at=e.get("opens_at"),
                           closes_at=e.get("closes_at"), note=e.get("note", ""), i18n=i18n_from(e, ("note",)))
            for e in exceptions
        )  # fmt: skip
        after = sorted(_exception_text(e) for e in created)
        if before != after:
            registry.history_record(
                location, {"hours_exceptions": (before, after)}, ListingChange.Source.DIRECT, user=user, now=now
            )
    return created


def location_hours_exceptions_add(*, user, location: Location, added: list[dict], remove=()) -> list:
    """Add dated changes to a location's (and remove those whose ids are in `remove`), through the replacement
    above: the same checks and one history entry. Dates past and those of services no longer offered there are
    dropped with it (the history keeps them); an id to remove that is not among the others is refused (a page
    read before another change)."""
    since = ahead_since()
    remove = {str(pk) for pk in remove}
    with transaction.atomic():
        location = Location.objects.select_for_update().get(pk=location.pk)
        offered = set(location.service_at_locations.values_list("service_id", flat=True))
        every = list(location.hours_exceptions.all())
        current = [e for e in every if e.ends_on >= since and (e.service_id is None or e.service_id in offered)]
        if remove - {str(e.pk) for e in every}:  # (one about to be dropped anyway may be removed)
            raise ValidationError({"remove": ["That date was changed since the page was read: reload it."]})
        kept = [e.as_entry() for e in current if str(e.pk) not in remove]
        return location_hours_exceptions_replace(user=user, location=location, exceptions=kept + list(added))


def hours_exceptions_check(exceptions: list[dict], offered: set) -> None:
    if len(exceptions) > MAX_HOURS_EXCEPTIONS:
        raise ValidationError({"hours_exceptions": [f"At most {MAX_HOURS_EXCEPTIONS} entries per site."]})
    taken = {}
    for index, entry in enumerate(exceptions):
        here = f"hours_exceptions[{index}]"
        if entry.get("service_id") is not None and entry["service_id"] not in offered:
            raise ValidationError({f"{here}.service_id": ["Not a service offered at this site."]})
        days = (entry["ends_on"] - entry["starts_on"]).days
        if days < 0:
            raise ValidationError({f"{here}.ends_on": ["Before starts_on."]})
        if days >= MAX_EXCEPTION_DAYS:
            raise ValidationError({f"{here}.ends_on": [f"At most {MAX_EXCEPTION_DAYS} days from starts_on."]})
        for offset in range(days + 1):
            key = (entry.get("service_id"), entry["starts_on"] + timedelta(days=offset))
            if key in taken:
                raise ValidationError({here: [f"Gives {key[1]} again (entry {taken[key]})."]})
            taken[key] = index


def _exception_text(exception: HoursException) -> str:
    service = f" service {exception.service_id}" if exception.service_id else ""
    spanish = spanish_text(exception, "note")
    notes = " ".join(part for part in (exception.note, f"[es: {spanish}]" if spanish else "") if part)
    return f"{exception}{service}{f' ({notes})' if notes else ''}"


def _period_text(weekday: int, opens_at, closes_at) -> str:
    return f"{weekday} {opens_at:%H:%M}-{closes_at:%H:%M}"


def change_request_approve(
    *, change_request: ChangeRequest, moderator, reason: str = "", now: datetime | None = None
) -> tuple[ChangeRequest, list[str]]:
    """Apply every field of a change request in one transaction; return (request, conflicting fields).

    If the record changed since the request was made (a field's current value is not the request's `old`),
    nothing is applied: the request is flagged conflicting and the fields are returned. A site whose address
    moves without new coordinates takes the new address's point, looked up before anything is locked.
    """
    now = now or timezone.now()
    point = _new_address_point(change_request)
    with transaction.atomic():
        change_request = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
        if change_request.status != ChangeRequest.Status.PENDING:
            raise ChangeRequestNotPending()
        kind = RECORD_KINDS[change_request.record_type]
        record = kind.model.objects.select_for_update().filter(pk=change_request.record_id).first()
        if record is None:
            raise ValidationError({"record": "The record this change request concerns no longer exists."})
        # A Spanish form removed with the English text it translated, but given again since (for the new text): the
        # new one stays, and the removal is no conflict.
        changes = {f: c for f, c in change_request.changes.items()
                   if not (c.get("stale") and read_value(record, f) != c["old"])}  # fmt: skip
        conflicts = sorted(f for f, change in changes.items() if read_value(record, f) != change["old"])
        if conflicts:
            change_request.conflicting = True
            change_request.save(update_fields=["conflicting"])
            return change_request, conflicts
        registry.write_values(record, {f: change["new"] for f, change in changes.items()})
        history = {f: (c["old"], c["new"]) for f, c in changes.items()}
        if _address_moved_without_point(record, changes):
            before = (record.latitude, record.longitude)
            if not registry.location_point_set(location=record, point=point, replace=True):
                # The old point would stay at the old address: refuse rather than mislead.
                raise ValidationError(
                    {"latitude": "The new address could not be located; ask for latitude and longitude with it."}
                )
            history.update({"latitude": (before[0], record.latitude), "longitude": (before[1], record.longitude)})
        registry.history_record(record, history, ListingChange.Source.CHANGE_REQUEST, user=moderator, now=now,
                                change_request=change_request)  # fmt: skip
        change_request.status = ChangeRequest.Status.APPROVED
        change_request.reviewed_by, change_request.reviewed_at, change_request.review_reason = moderator, now, reason
        change_request.save()
    return change_request, []


def _address_moved_without_point(record, changes: dict) -> bool:
    moved = any(
        f in changes for f in ("address.address_1", "address.city", "address.state_province", "address.postal_code")
    )
    return isinstance(record, Location) and moved and "latitude" not in changes


def _new_address_point(change_request: ChangeRequest) -> tuple[float, float] | None:
    """Return the point of the address a location's change request moves it to (None when it does not move it
    without coordinates, or the address cannot be placed). Outside any transaction: it may ask an online geocoder."""
    location = Location.objects.filter(pk=change_request.record_id).first()
    if change_request.record_type != RecordType.LOCATION or location is None:
        return None
    if not _address_moved_without_point(location, change_request.changes):
        return None
    current = location.primary_address()
    address = {field: getattr(current, field, "") for field in ("address_1", "address_2", "city", "state_province",
                                                                "postal_code")}  # fmt: skip
    address.update({f.removeprefix("address."): c["new"] for f, c in change_request.changes.items()
                    if f.startswith("address.")})  # fmt: skip
    return registry.address_point(address, confidential=location.is_confidential)


def change_request_reject(
    *, change_request: ChangeRequest, moderator, reason: str, now: datetime | None = None
) -> ChangeRequest:
    """Reject a pending change request with a reason the provider will see."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the change is rejected; the provider sees it."})
    with transaction.atomic():
        change_request = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
        if change_request.status != ChangeRequest.Status.PENDING:
            raise ChangeRequestNotPending()
        change_request.status = ChangeRequest.Status.REJECTED
        change_request.reviewed_by, change_request.reviewed_at = moderator, now or timezone.now()
        change_request.review_reason = reason
        change_request.save()
    return change_request


# --- Freshness -------------------------------------------------------------------------------------------


def organization_verify(*, user, organization: Organization, now: datetime | None = None) -> int:
    """Confirm every service of an organization as current today; return how many services were confirmed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        services = list(Service.objects.select_for_update().filter(organization=organization))
        for service in services:
            if service.last_verified_on != today:
                verified = {"last_verified_on": (_iso(service.last_verified_on), today.isoformat())}
                registry.history_record(service, verified, ListingChange.Source.VERIFICATION, user=user, now=now)
        Service.objects.filter(pk__in=[s.pk for s in services]).update(last_verified_on=today, updated_at=now)
    return len(services)


def _iso(value):
    return value.isoformat() if value else None


def organizations_remind_stale(*, now: datetime | None = None, every_days: int | None = None) -> int:
    """Email each organization with stale services (at most every `every_days` days); return how many."""
    from notifications.services import outbox_enqueue

    now = now or timezone.now()
    every_days = settings.STALE_REMINDER_EVERY_DAYS if every_days is None else every_days
    reminded = 0
    stale = selectors.organization_list(today=timezone.localdate(now)).filter(stale=True)
    not_reminded = Q(stale_reminded_at__isnull=True) | Q(stale_reminded_at__lt=now - timedelta(days=every_days))
    for organization in stale.filter(not_reminded):
        recipients = organization_contact_emails(organization)
        with transaction.atomic():
            # Claimed, then checked again: two runs at once (a job run again while the first ends) remind once.
            claimed = Organization.objects.select_for_update(skip_locked=True).filter(not_reminded, pk=organization.pk)
            if not list(claimed.values_list("pk", flat=True)):
                continue
            for email in recipients:
                outbox_enqueue(
                    kind="listing.stale",
                    to_email=email,
                    subject="Please confirm your listing in the victim services directory",
                    body=(
                        f"Some services of {organization.name} have not been confirmed for more than "
                        f"{settings.LISTING_STALE_AFTER_DAYS} days, so they are flagged as possibly out of date.\n\n"
                        f"Sign in and confirm or update them: {settings.SITE_URL}/api/organizations/"
                        f"{organization.pk}/ (POST .../verify/ confirms every service at once)."
                    ),
                )
            Organization.objects.filter(pk=organization.pk).update(stale_reminded_at=now)
        reminded += bool(recipients)
    return reminded


def organization_contact_emails(organization: Organization) -> list[str]:
    """Return where an organization's notifications go: its email, else its provider staff's emails."""
    if organization.email:
        return [organization.email]
    staff = organization.members.filter(is_active=True, groups__name=Role.PROVIDER.value).exclude(email="")
    return sorted(set(staff.values_list("email", flat=True)))


# --- Joining: applications, invitations, suggestions ------------------------------------------------------


class InvitationInvalid(Exception):
    """The invitation token is unknown, used or expired (HTTP 400 naming `token`)."""


def application_submit(*, details: dict) -> Application:
    """Queue an organization's application (details validated by the API's ApplicationSerializer)."""
    return Application.objects.create(
        organization_name=details["organization"]["name"],
        contact_name=details["contact_name"],
        contact_email=details["contact_email"],
        details=details,
    )


def application_approve(
    *, application: Application, moderator, now: datetime | None = None
) -> tuple[Application, Invitation, str]:
    """Create the organization, its locations and services from an application, and invite its contact;
    return (application, invitation, token)."""
    now = now or timezone.now()
    # Each site's address is placed before anything is locked (offline only for a confidential site).
    points = [
        registry.address_point(site["address"], confidential=site.get("is_confidential", False))
        if site.get("latitude") is None else None
        for site in application.details["locations"]
    ]  # fmt: skip
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != Application.Status.PENDING:
            raise ChangeRequestNotPending()
        details = copy.deepcopy(application.details)  # consumed below; the stored application stays as sent
        organization = Organization.objects.create(**details["organization"])
        locations = []
        for site, point in zip(details["locations"], points, strict=True):
            address = site.pop("address")
            location = Location(organization=organization, **site)
            registry.record_save(location)
            registry.address_save(address=Address(location=location, **address), point=point)
            locations.append(location)
        today = timezone.localdate(now)
        for offered in details["services"]:
            vocabularies = {field: offered.pop(field, []) for field in ("needs", "populations", "languages")}
            service = Service.objects.create(organization=organization, last_verified_on=today, **offered)
            for field, codes in vocabularies.items():
                getattr(service, field).set(M2M_FIELDS[field].objects.filter(code__in=codes))
            ServiceAtLocation.objects.bulk_create(ServiceAtLocation(service=service, location=loc) for loc in locations)
        ListingChange.objects.create(
            organization=organization, record_type=RecordType.ORGANIZATION, record_id=organization.pk,
            field="created", before=None, after=organization.name, source=ListingChange.Source.APPLICATION,
            changed_by=moderator, changed_at=now,
        )  # fmt: skip
        application.status, application.organization = Application.Status.APPROVED, organization
        application.reviewed_by, application.reviewed_at = moderator, now
        application.save()
        invitation, token = invitation_create(
            organization=organization, email=application.contact_email, created_by=moderator, now=now
        )
    return application, invitation, token


def application_reject(*, application: Application, moderator, reason: str, now: datetime | None = None) -> Application:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the application is rejected."})
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != Application.Status.PENDING:
            raise ChangeRequestNotPending()
        application.status, application.review_reason = Application.Status.REJECTED, reason
        application.reviewed_by, application.reviewed_at = moderator, now or timezone.now()
        application.save()
    return application


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(
    *, organization: Organization, email: str, created_by, now: datetime | None = None
) -> tuple[Invitation, str]:
    """Invite an email address to manage an organization; the link (emailed through the outbox) carries a
    single-use token that expires after INVITATION_EXPIRE_DAYS. Return (invitation, token)."""
    from notifications.services import outbox_enqueue

    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            token_hash=_token_hash(token),
            created_by=created_by,
            expires_at=now + timedelta(days=settings.INVITATION_EXPIRE_DAYS),
        )
        outbox_enqueue(
            secret=True,
            kind="invitation",
            to_email=email,
            subject="Your invitation to the victim services directory",
            body=(
                f"You are invited to keep the listing of {organization.name} current in the victim services "
                f"directory.\n\nChoose a username and password here (the link works once, for "
                f"{settings.INVITATION_EXPIRE_DAYS} days): {settings.SITE_URL}/invitations/{token}/\n"
            ),
        )
    return invitation, token


def invitation_accept(*, token: str, username: str, password: str, now: datetime | None = None):
    """Create the provider account an invitation offers; the token works once and only until it expires."""
    from accounts.models import User
    from accounts.services import user_create_or_update

    now = now or timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
        if invitation is None:
            raise ValidationError({"token": "This invitation link is not valid."})
        if invitation.accepted_at is not None:
            raise ValidationError({"token": "This invitation was already used."})
        if invitation.expires_at <= now:
            raise ValidationError({"token": "This invitation has expired; ask a moderator for a new one."})
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": "This username is taken."})
        try:
            # A new account only: user_create_or_update would take over an account created meanwhile.
            with transaction.atomic():
                User.objects.create(username=username)
        except IntegrityError:
            raise ValidationError({"username": "This username is taken."}) from None
        user, _ = user_create_or_update(
            username=username,
            role=Role.PROVIDER,
            password=password,
            organization=invitation.organization,
            email=invitation.email,
        )
        invitation.accepted_at, invitation.accepted_user = now, user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user


def suggestion_create(*, record_type: str, record_id, message: str, reporter_email: str = "") -> Suggestion:
    """Queue a report that a listing is wrong, for the moderators."""
    record = RECORD_KINDS[record_type].model.objects.filter(pk=record_id).first()
    if record is None:
        raise ValidationError({"record_id": "No such listing record."})
    return Suggestion.objects.create(
        organization_id=organization_id_of(record),
        record_type=record_type,
        record_id=record_id,
        message=message,
        reporter_email=reporter_email,
    )


def suggestion_resolve(
    *, suggestion: Suggestion, moderator, status: str, note: str = "", now: datetime | None = None
) -> Suggestion:
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if suggestion.status != Suggestion.Status.OPEN:
            raise ChangeRequestNotPending()
        suggestion.status, suggestion.resolution_note = status, note
        suggestion.resolved_by, suggestion.resolved_at = moderator, now or timezone.now()
        suggestion.save()
    return suggestion
