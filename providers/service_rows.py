"""The service list built from plain rows: ServiceSerializer's shape, field for field (tests/providers/
test_service_rows.py compares the two for every kind of caller), without a model instance, a prefetch of every site
of every service, or a nested serializer per need, phone and site (docs/benchmarks.md, "The map search").

A service's free text is withheld by providers.disclosure as there: checked against the marks (streets, ZIP+4,
direct lines) of the confidential sites it is offered at that this caller may not see; only those sites' addresses
and phones are read.
"""

from collections import defaultdict

from django.utils import timezone
from rest_framework import serializers

from providers import selectors
from providers.access import ConfidentialAccess
from providers.disclosure import SiteMarks, withhold_texts
from providers.features import phones_by
from providers.models import Address, Organization, Phone, Service, ServiceAtLocation, ServiceStatus, is_stale
from providers.translations import localized, translated_fields

SERVICE_COLUMNS = (
    "id", "organization_id", "name", "alternate_name", "description", "url", "email", "status", "minimum_age",
    "maximum_age", "eligibility_description", "interpretation_services", "application_process", "fees_description",
    "alert", "last_verified_on", "updated_at", "i18n",
)  # fmt: skip
_DATETIME = serializers.DateTimeField()
_DATE = serializers.DateField()


def service_rows(queryset):
    """The filtered, ordered services as rows for `service_data` (a page of it is read, not the whole)."""
    return queryset.values(*SERVICE_COLUMNS)


def _codes(through, column: str, service_ids: list, order: tuple) -> dict:
    """service id -> the codes of a vocabulary (needs, populations, languages), in the vocabulary's order."""
    found = defaultdict(list)
    rows = through.objects.filter(service_id__in=service_ids).order_by(*order).values_list("service_id", column)
    for service_id, code in rows:
        found[service_id].append(code)
    return found


def _hidden_marks(offers: list[dict], access: ConfidentialAccess) -> dict:
    """location id -> SiteMarks of the confidential sites among the offers that this caller may not see exactly."""
    hidden = {
        offer["location_id"]: offer["location__safe_texts"]
        for offer in offers
        if offer["location__is_confidential"]
        and not access.may_see_exact(_Site(offer["location__is_confidential"], offer["location__organization_id"]))
    }
    if not hidden:
        return {}
    addresses, phones = defaultdict(list), defaultdict(list)
    for row in Address.objects.filter(location_id__in=hidden).values("location_id", "address_1", "address_2",
                                                                     "postal_code"):  # fmt: skip
        addresses[row["location_id"]].append(row)
    for row in Phone.objects.filter(location_id__in=hidden).values("location_id", "number", "is_front_door"):
        phones[row["location_id"]].append(row)
    return {
        location_id: SiteMarks.from_parts(addresses[location_id], phones[location_id], safe_texts)
        for location_id, safe_texts in hidden.items()
    }


class _Site:
    __slots__ = ("is_confidential", "organization_id")

    def __init__(self, is_confidential: bool, organization_id):
        self.is_confidential, self.organization_id = is_confidential, organization_id


def service_data(rows, access: ConfidentialAccess) -> list[dict]:
    """The services of the rows (`service_rows`) as this caller may see them."""
    rows = list(rows)
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    names = selectors.names_in_language(Organization, (row["organization_id"] for row in rows))
    needs = _codes(Service.needs.through, "needterm__code", ids, ("needterm__sort_order", "needterm__code"))
    populations = _codes(Service.populations.through, "population__code", ids,
                         ("population__dimension", "population__code"))  # fmt: skip
    languages = _codes(Service.languages.through, "language_id", ids, ("language_id",))
    phones = phones_by("service_id", ids)
    offers = list(
        ServiceAtLocation.objects.filter(service_id__in=ids)
        .order_by("id")
        .values(
            "id",
            "service_id",
            "location_id",
            "location__name",
            "location__location_type",
            "location__is_confidential",
            "location__organization_id",
            "location__safe_texts",
        )  # fmt: skip
    )
    marks = _hidden_marks(offers, access)
    offers_of, marks_of = defaultdict(list), defaultdict(list)
    for offer in offers:
        offers_of[offer["service_id"]].append(
            {
                "service_at_location_id": str(offer["id"]),
                "location_id": str(offer["location_id"]),
                "name": offer["location__name"],
                "location_type": offer["location__location_type"],
                "is_confidential": offer["location__is_confidential"],
            }
        )
        if offer["location_id"] in marks:
            marks_of[offer["service_id"]].append(marks[offer["location_id"]])
    today = timezone.localdate()
    data = []
    for row in rows:
        service_id = row["id"]
        values, other = localized(row, translated_fields(Service))
        texts, withheld = withhold_texts(row, marks_of.get(service_id, ()), values)
        shown = {**values, **texts}
        data.append(
            {
                "id": str(service_id),
                "organization": {"id": str(row["organization_id"]), "name": names.get(row["organization_id"])},
                "name": shown["name"],
                "alternate_name": shown["alternate_name"],
                "description": texts["description"],
                "url": row["url"],
                "email": row["email"],
                "status": row["status"],
                "needs": needs.get(service_id, []),
                "populations": populations.get(service_id, []),
                "languages": languages.get(service_id, []),
                "minimum_age": row["minimum_age"],
                "maximum_age": row["maximum_age"],
                "eligibility_description": texts["eligibility_description"],
                "interpretation_services": texts["interpretation_services"],
                "application_process": texts["application_process"],
                "fees_description": texts["fees_description"],
                "alert": texts["alert"],
                "last_verified_on": None
                if row["last_verified_on"] is None
                else _DATE.to_representation(row["last_verified_on"]),  # fmt: skip
                "stale": row["status"] == ServiceStatus.ACTIVE and is_stale(row["last_verified_on"], today),
                "phones": phones.get(service_id, []),
                "locations": offers_of.get(service_id, []),
                "withheld": withheld,
                "updated_at": None if row["updated_at"] is None else _DATETIME.to_representation(row["updated_at"]),
                "text_languages": {field: language for field, language in other.items() if shown[field]},
            }
        )
    return data
