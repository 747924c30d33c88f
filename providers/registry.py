"""The registry's one write path: every write of the application to organizations, services, locations, addresses,
phones and schedules (the API, the provider portal, the admin, approvals, the HSDS importer, the demo loader) goes
through these functions, which
- set a confidential site's public point (the one place the rule is applied; the database refuses a confidential
  site without a generalized point, whatever writes it),
- geocode an address before any lock is taken (an online geocoder is a network round trip; a confidential site's
  address never leaves this machine), and give a site without coordinates its address's point,
- keep the listing history (providers.models.ListingChange).
The bulk loaders use location_prepare on the rows they build, history_rows, and COPY (providers.bulk). The match
index follows every write by itself (database triggers, matching.triggers).
"""

import copy
import logging
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from core.input import NUL_MESSAGE, nul_paths
from geo.geocoding import GeocodingError, geocode
from geo.privacy import displaced_point
from providers.editing import M2M_FIELDS, organization_id_of, record_type_of, to_json
from providers.models import Address, ListingChange, Location, ServiceCapacity
from providers.translations import original_of, spanish_errors, spanish_set, translated_fields, virtual_fields

logger = logging.getLogger(__name__)


# --- the public point --------------------------------------------------------------------------------------


def location_prepare(location: Location, rng=None) -> None:
    """Give a site the public point its exact point and confidentiality call for, keeping a current one (a fixed
    point: drawing again per edit would let anyone average the draws back to the real place). Other records: no-op."""
    if not isinstance(location, Location) or location.public_point_is_current():
        return
    if location.latitude is None or location.longitude is None:
        location.public_latitude = location.public_longitude = None
    elif not location.is_confidential:
        location.public_latitude, location.public_longitude = location.latitude, location.longitude
    else:
        min_m, max_m = settings.CONFIDENTIAL_DISPLACEMENT_M
        location.public_latitude, location.public_longitude = displaced_point(
            location.latitude, location.longitude, min_m=min_m, max_m=max_m, rng=rng
        )


# --- saving records ----------------------------------------------------------------------------------------


def record_save(record, *, changes: dict | None = None, source: str | None = None, user=None, now=None) -> None:
    """Save a listing record (a site gets its public point first) and record `changes` ({field: (before, after)})
    in its listing history. The caller holds the transaction."""
    location_prepare(record)
    record.save()
    if changes:
        history_record(record, changes, source, user=user, now=now)


# --- addresses and geocoding -------------------------------------------------------------------------------


def address_query(address) -> str:
    """Return the one-line form of an address (an Address or a dict of its fields) that geocoders expect."""

    def part(name):
        return (address.get(name) if isinstance(address, dict) else getattr(address, name, "")) or ""

    street = ", ".join(value for value in (part("address_1"), part("address_2")) if value)
    return f"{street}, {part('city')}, {part('state_province')} {part('postal_code')}".strip(", ")


def address_point(address, *, confidential: bool) -> tuple[float, float] | None:
    """Return the geocoded point of an address, or None when it cannot be placed. Call it before taking any lock:
    online it is a network round trip. A confidential site's address is looked up offline only."""
    try:
        found = geocode(address_query(address), online=not confidential)
    except GeocodingError as exc:
        logger.info("address not geocoded: %s", type(exc).__name__)
        return None
    return round(found.latitude, 6), round(found.longitude, 6)


def location_needs_point(location: Location, *, replace: bool = False) -> bool:
    """Return True when a site should take its address's point: a physical or postal site without coordinates, or
    any non-virtual site whose address moved (`replace`)."""
    return location.location_type != Location.LocationType.VIRTUAL and (replace or location.latitude is None)


@transaction.atomic
def location_point_set(*, location: Location, point: tuple[float, float] | None, replace: bool = False) -> bool:
    """Give a site a point geocoded beforehand (address_point); return True when it took it.

    Coordinates a person or an import gave are kept unless `replace` (an approved move of the address). The site's
    row is locked and read again here: what changed since the point was looked up decides.
    """
    if point is None:
        return False
    locked = Location.objects.select_for_update().get(pk=location.pk)
    if not location_needs_point(locked, replace=replace):
        return False
    locked.latitude, locked.longitude = point
    record_save(locked)
    location.latitude, location.longitude = locked.latitude, locked.longitude
    location.public_latitude, location.public_longitude = locked.public_latitude, locked.public_longitude
    return True


def address_save(*, address: Address, point: tuple[float, float] | None = None, replace: bool = False) -> None:
    """Save an address and give its site `point` (from address_point, looked up before the caller's transaction)
    when the site has no coordinates, or always with `replace`."""
    with transaction.atomic():
        address.save()
        if address.address_type == Address.AddressType.PHYSICAL:
            location_point_set(location=address.location, point=point, replace=replace)


# --- edits in JSON form (providers.editing says which fields and how they read) ------------------------------


def check_values(instance, values: dict) -> None:
    """Raise ValidationError (naming the field) if these values would break the record's rules."""
    _refuse_nul(values)
    _check_spanish(instance, values)
    plain = {f: v for f, v in values.items() if f not in M2M_FIELDS and not f.startswith("address.")}
    if plain:
        candidate = copy.copy(instance)
        for field, value in plain.items():
            _set(candidate, field, value)
        # A site made confidential, or given coordinates, needs its generalized point to pass the checks.
        location_prepare(candidate)
        try:
            candidate.full_clean(exclude=_unchecked_fields(candidate), validate_unique=False)
        except ValidationError as exc:
            raise ValidationError(_name_fields(exc.message_dict, plain)) from None
    address_values = {f.removeprefix("address."): v for f, v in values.items() if f.startswith("address.")}
    if address_values:
        address = copy.copy(instance.primary_address()) or Address(location=instance)
        for field, value in address_values.items():
            setattr(address, field, value or "")
        try:
            address.full_clean(exclude=["location"], validate_unique=False)
        except ValidationError as exc:
            raise ValidationError({f"address.{f}": m for f, m in exc.message_dict.items()}) from None


def _set(instance, field: str, value) -> None:
    if (original := original_of(field)) in translated_fields(type(instance)):
        spanish_set(instance, original, value or "")
    else:
        setattr(instance, field, value)


def _check_spanish(instance, values: dict) -> None:
    if errors := spanish_errors(type(instance), values):
        raise ValidationError(errors)


def _refuse_nul(values: dict) -> None:
    # PostgreSQL cannot store NUL; whoever calls (a form, the importer, a script) hears which field it was in.
    if paths := nul_paths(values):
        raise ValidationError({path: [NUL_MESSAGE] for path in paths})


def _name_fields(errors: dict, values: dict) -> dict:
    """Attach record-wide errors (database constraints) to the first given field their message names, so the
    answer says which field is wrong (e.g. "beds_available must not exceed beds_total")."""
    named = {field: messages for field, messages in errors.items() if field != NON_FIELD_ERRORS}
    for message in errors.get(NON_FIELD_ERRORS, []):
        field = next((f for f in values if f in message), NON_FIELD_ERRORS)
        named.setdefault(field, []).append(message)
    return named


def write_values(instance, values: dict) -> None:
    """Write JSON-form values to a record (and its primary address), saving it and running its checks.

    The caller holds the transaction. Model validation (ages ordered, beds within total, coordinates in
    range) runs on the combined result, so a change that would break a rule is refused whole.
    """
    _refuse_nul(values)
    _check_spanish(instance, values)
    plain = {f: v for f, v in values.items() if f not in M2M_FIELDS and not f.startswith("address.")}
    address_values = {f.removeprefix("address."): v for f, v in values.items() if f.startswith("address.")}
    for field, value in plain.items():
        _set(instance, field, value)
    if plain:
        location_prepare(instance)  # before the checks: a site made confidential must pass them generalized
        instance.full_clean(exclude=_unchecked_fields(instance))
        record_save(instance)
    for field, codes in values.items():
        if field in M2M_FIELDS:
            getattr(instance, field).set(M2M_FIELDS[field].objects.filter(code__in=codes))
    if address_values:
        address = instance.primary_address() or Address(location=instance)
        for field, value in address_values.items():
            setattr(address, field, value or "")
        address.full_clean(exclude=["location"])
        # A moved address's point is looked up before the caller's transaction and set by it
        # (location_point_set); the address itself is only saved here.
        address.save()


def _unchecked_fields(instance) -> list[str]:
    # Relations are not edited here; generated points are derived by the database; Spanish forms are checked apart.
    unchecked = [f.name for f in instance._meta.get_fields() if f.is_relation or f.name in {"point", "public_point"}]
    return unchecked + virtual_fields(type(instance))


# --- what a service counts --------------------------------------------------------------------------------


def capacities_replace(*, service, capacities: list[ServiceCapacity], source: str, user, now=None) -> bool:
    """Replace what a service counts besides beds (a site's) with `capacities` (unsaved), the change in the service's
    history; return True when anything changed. The caller holds the transaction."""
    current = ServiceCapacity.objects.filter(service=service)
    before, after = sorted(_capacity_text(c) for c in current), sorted(_capacity_text(c) for c in capacities)
    if before == after:
        return False
    current.delete()
    ServiceCapacity.objects.bulk_create(capacities)
    history_record(service, {"capacities": (before, after)}, source, user=user, now=now)
    return True


def _capacity_text(capacity: ServiceCapacity) -> str:
    unit = " ".join(part for part in (capacity.unit, capacity.unit_scheme, capacity.unit_identifier, capacity.unit_uri)
                    if part)  # fmt: skip
    of = f" of {capacity.maximum}" if capacity.maximum is not None else ""
    at = f" at {capacity.location_id}" if capacity.location_id else ""
    said = f" ({capacity.description})" if capacity.description else ""
    return f"{unit}: {capacity.available}{of}{at}{said}, {capacity.updated.astimezone(UTC).isoformat()}"


# --- history -----------------------------------------------------------------------------------------------


def history_rows(record, changes: dict, source: str, *, user, now: datetime, change_request=None) -> list:
    """Return the history rows of changes to a listing record ({field: (before, after)}), unsaved (bulk loaders
    write many at once)."""
    return [
        ListingChange(
            organization_id=organization_id_of(record),
            record_type=record_type_of(record),
            record_id=record.pk,
            field=field,
            before=to_json(before),
            after=to_json(after),
            source=source,
            change_request=change_request,
            changed_by=user,
            changed_at=now,
        )  # fmt: skip
        for field, (before, after) in changes.items()
    ]


def history_record(record, changes: dict, source: str, *, user, now=None, change_request=None) -> None:
    """Record one history row per changed field of a listing record."""
    ListingChange.objects.bulk_create(
        history_rows(record, changes, source, user=user, now=now or timezone.now(), change_request=change_request)
    )
