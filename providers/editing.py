"""Which listing fields a provider changes at once and which go through review, and how a field's value is
read and compared in JSON form (for change requests and the history). Writing them is the registry's write path
(providers.registry.check_values, write_values).

Operational fields change daily and carry little risk: beds, accepting referrals, hours, alert text, phone
extensions. Trust fields change who the listing says the provider is, where, and whom it serves: names,
descriptions, contact details, the address and point, the services' needs and eligibility, confidentiality.
Every editable field not listed as operational is a trust field (when unsure, review). A text's Spanish form
(`description_es`, providers.translations) follows its English one's rule.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from providers.models import (
    Language,
    Location,
    NeedTerm,
    Organization,
    Phone,
    Population,
    RecordType,
    Service,
)
from providers.translations import original_of, spanish_text, translated_fields

M2M_FIELDS = {"needs": NeedTerm, "populations": Population, "languages": Language}
ADDRESS_FIELDS = ("attention", "address_1", "address_2", "city", "region", "state_province", "postal_code")


@dataclass(frozen=True)
class RecordKind:
    model: type
    operational: tuple[str, ...]
    trust: tuple[str, ...]


RECORD_KINDS: dict[str, RecordKind] = {
    RecordType.ORGANIZATION: RecordKind(
        Organization,
        operational=(),
        trust=(
            "name",
            "alternate_name",
            "description",
            "email",
            "website",
            "name_es",
            "alternate_name_es",
            "description_es",
        ),
    ),
    RecordType.SERVICE: RecordKind(
        Service,
        operational=("alert", "alert_es"),
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
            "name_es",
            "alternate_name_es",
            "description_es",
            "eligibility_description_es",
            "application_process_es",
        ),
    ),  # fmt: skip
    RecordType.LOCATION: RecordKind(
        Location,
        operational=("beds_available", "beds_total", "accepting_referrals", "open_24_7", "accessibility"),
        trust=(
            "name",
            "alternate_name",
            "description",
            "location_type",
            "transportation",
            "accessibility_details",
            "latitude",
            "longitude",
            "is_confidential",
            "time_zone",
            "description_es",
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
    if (original := original_of(field)) in translated_fields(type(instance)):
        return spanish_text(instance, original)
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
