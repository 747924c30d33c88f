"""What an HSDS import needs beyond the registry: the HSDS ids of imported records, the mapping from other
directories' taxonomy terms to this directory's needs, and the terms kept as attributes."""

from django.db import models

RECORD_TYPES = [
    ("organization", "Organization"),
    ("service", "Service"),
    ("location", "Location"),
    ("address", "Address"),
    ("phone", "Phone"),
    ("service_at_location", "Service at location"),
]


class ExternalId(models.Model):
    """The HSDS id a record was imported with; a re-import updates the record with the same id."""

    source = models.CharField(max_length=64, default="hsds", help_text="Which directory the id belongs to.")
    record_type = models.CharField(max_length=32, choices=RECORD_TYPES)
    external_id = models.CharField(max_length=255)
    record_id = models.UUIDField()
    content_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="Fingerprint of the imported record (services): an unchanged one is skipped.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "record_type", "external_id"], name="external_id_unique"),
        ]
        indexes = [models.Index(fields=["record_type", "record_id"], name="external_id_record_idx")]

    def __str__(self) -> str:
        return f"{self.record_type} {self.external_id}"


class TaxonomyMapping(models.Model):
    """An HSDS taxonomy term (taxonomy + code) and the need it means here; moderators edit these.
    `need` empty: reviewed and deliberately not mapped (kept as an attribute only)."""

    taxonomy = models.CharField(max_length=100)
    code = models.CharField(max_length=100)
    name = models.CharField(max_length=255, blank=True, help_text="The term's name in its taxonomy.")
    need = models.ForeignKey(
        "providers.NeedTerm", null=True, blank=True, on_delete=models.CASCADE, related_name="hsds_mappings"
    )

    class Meta:
        ordering = ["taxonomy", "code"]
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="taxonomy_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.taxonomy}:{self.code} -> {self.need.code if self.need else '(none)'}"


class ServiceAttribute(models.Model):
    """A taxonomy term of an imported service that maps to no need here, kept so nothing is lost."""

    service = models.ForeignKey("providers.Service", on_delete=models.CASCADE, related_name="hsds_attributes")
    taxonomy = models.CharField(max_length=100)
    code = models.CharField(max_length=100)
    name = models.CharField(max_length=255, blank=True)
    value = models.TextField(blank=True)
    label = models.CharField(max_length=255, blank=True, help_text="The attribute's label (HSDS 3.1).")

    class Meta:
        ordering = ["taxonomy", "code"]
        constraints = [
            models.UniqueConstraint(fields=["service", "taxonomy", "code"], name="service_attribute_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.taxonomy}:{self.code}"


class AdditionalUrl(models.Model):
    """A further web address of an imported organization (HSDS 3.1 additional_websites) or service
    (additional_urls), kept so it leaves again as it came: "Instagram", "Donate"."""

    organization = models.ForeignKey(
        "providers.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="hsds_urls"
    )
    service = models.ForeignKey("providers.Service", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="hsds_urls")  # fmt: skip
    label = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=2000)

    class Meta:
        ordering = ["url", "label", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=True) ^ models.Q(service__isnull=True),
                name="additional_url_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class OfferServiceArea(models.Model):
    """An imported service area of one service at one site (HSDS 3.1 service_at_location.service_areas), kept as the
    source gives it (this directory's own areas are providers.ServiceArea, by state or county)."""

    offer = models.ForeignKey("providers.ServiceAtLocation", on_delete=models.CASCADE, related_name="hsds_areas")
    hsds_id = models.CharField(max_length=255, help_text="The id it came with, and leaves with.")
    name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True, help_text="As the source gives it, e.g. GeoJSON (extent_type).")
    extent_type = models.CharField(max_length=64, blank=True)
    uri = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or str(self.pk)
