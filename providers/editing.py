"""Which listing fields a provider changes at once and which go through review, and how a field's value is
read, compared and written in JSON form (for change requests and the history).

Operational fields change daily and carry little risk: beds, accepting referrals, hours, alert text, phone
extensions. Trust fields change who the listing says the provider is, where, and whom it serves: names,
descriptions, contact details, the address and point, the services' needs and eligibility, confidentiality.
Every editable field not listed as operational is a trust field (when unsure, review).
"""

import copy
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from providers.models import (
    Address,
    Language,
    Location,
    NeedTerm,
    Organization,
    Phone,
    Population,
    RecordType,
    Service,
)

M2M_FIELDS = {"needs": NeedTerm, "populations": Population, "languages": Language}
ADDRESS_FIELDS = ("attention", "address_1", "address_2", "city", "region", "state_province", "postal_code")


@dataclass(frozen=True)
class RecordKind:
    model: type
    operational: tuple[str, ...]
    trust: tuple[str, ...]


RECORD_KINDS: dict[str, RecordKind] = {
    RecordType.ORGANIZATION: RecordKind(
        Organization, operational=(), trust=("name", "alternate_name", "description", "email", "website")
    ),
    RecordType.SERVICE: RecordKind(
        Service,
        operational=("alert",),
        trust=(
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "interpretation_services",
            "application_process",
            "fees_description",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "needs",
            "populations",
            "languages",
        ),
    ),  # fmt: skip
    RecordType.LOCATION: RecordKind(
        Location,
        operational=("beds_available", "beds_total", "accepting_referrals", "open_24_7"),
        trust=(
            "name",
            "alternate_name",
            "description",
            "location_type",
            "transportation",
            "latitude",
            "longitude",
            "is_confidential",
            "time_zone",
            *(f"address.{field}" for field in ADDRESS_FIELDS),
        ),
    ),  # fmt: skip
    RecordType.PHONE: RecordKind(Phone, operational=("extension", "description"), trust=("number", "type")),
}


def record_type_of(instance) -> str:
    return next(kind for kind, spec in RECORD_KINDS.items() if isinstance(instance, spec.model))


def organization_id_of(instance):
    """Return the organization that owns a listing record (a phone belongs to its owner's organization)."""
    if isinstance(instance, Organization):
        return instance.pk
    if isinstance(instance, Phone):
        owner = instance.organization or instance.service or instance.location
        return owner.pk if isinstance(owner, Organization) else owner.organization_id
    return instance.organization_id


def read_value(instance, field: str):
    """Return a field's current value in JSON form."""
    if field.startswith("address."):
        address = instance.primary_address()
        return getattr(address, field.removeprefix("address."), "") if address else None
    if field in M2M_FIELDS:
        return sorted(getattr(instance, field).values_list("code", flat=True))
    return to_json(getattr(instance, field))


def to_json(value):
    """Return a JSON-ready form of a model value (phone numbers as E.164, dates ISO, model rows as codes)."""
    if hasattr(value, "as_e164"):
        return value.as_e164
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return sorted(to_json(item) for item in value)
    if hasattr(value, "code"):
        return value.code
    if hasattr(value, "pk"):
        return str(value.pk)
    return value


def check_values(instance, values: dict) -> None:
    """Raise ValidationError (naming the field) if these values would break the record's rules."""
    plain = {f: v for f, v in values.items() if f not in M2M_FIELDS and not f.startswith("address.")}
    if plain:
        candidate = copy.copy(instance)
        for field, value in plain.items():
            setattr(candidate, field, value)
        _refresh_public_point(candidate)
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
    plain = {f: v for f, v in values.items() if f not in M2M_FIELDS and not f.startswith("address.")}
    address_values = {f.removeprefix("address."): v for f, v in values.items() if f.startswith("address.")}
    for field, value in plain.items():
        setattr(instance, field, value)
    if plain:
        _refresh_public_point(instance)
        instance.full_clean(exclude=_unchecked_fields(instance))
        instance.save()
    for field, codes in values.items():
        if field in M2M_FIELDS:
            getattr(instance, field).set(M2M_FIELDS[field].objects.filter(code__in=codes))
    if address_values:
        address = instance.primary_address() or Address(location=instance)
        for field, value in address_values.items():
            setattr(address, field, value or "")
        address.full_clean(exclude=["location"])
        address.save()


def _refresh_public_point(instance) -> None:
    # Location.save() derives the public point; rules are checked before saving, so derive it first
    # (a site made confidential, or given coordinates, needs its generalized point to pass the checks).
    if isinstance(instance, Location) and not instance.public_point_is_current():
        instance.assign_public_point()


def _unchecked_fields(instance) -> list[str]:
    # Relations are not edited here; generated points are derived by the database.
    return [f.name for f in instance._meta.get_fields() if f.is_relation or f.name in {"point", "public_point"}]
