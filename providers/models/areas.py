"""Areas: where a service is delivered regardless of its office, and the coverage of DHS victim assistance
specialists."""

import uuid

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField

from geo.expressions import WGS84
from providers.models.base import TimestampedModel
from providers.models.registry import Service
from providers.models.vocabulary import Language


class RegionExtentMixin(models.Model):
    """An area given as whole states and/or counties (built from the stored Census boundaries) or drawn.

    When state or county codes are given, the area is the union of their boundaries, rebuilt on save;
    otherwise the drawn polygon is kept as it is.
    """

    extent_field = "extent"

    state_codes = ArrayField(
        models.CharField(max_length=2), blank=True, default=list, help_text="USPS codes of whole states, e.g. TX."
    )
    county_fips = ArrayField(
        models.CharField(max_length=5), blank=True, default=list, help_text="5-digit county FIPS codes."
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.state_codes = [code.upper() for code in self.state_codes]
        if self.state_codes or self.county_fips:
            self._build_extent()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.state_codes or self.county_fips:
            self._build_extent()
        elif getattr(self, self.extent_field) is None:
            raise ValidationError({self.extent_field: "Draw an area or give state codes or county FIPS codes."})

    def _build_extent(self) -> None:
        from geo.boundaries import UnknownRegion, region_extent

        try:
            area = region_extent(states=self.state_codes, counties=self.county_fips)
        except UnknownRegion as exc:
            field = "county_fips" if any(code.isdigit() and len(code) == 5 for code in exc.codes) else "state_codes"
            raise ValidationError({field: str(exc)}) from None
        setattr(self, self.extent_field, area)


class ServiceArea(RegionExtentMixin):
    """Where a service is delivered regardless of its office: a state, counties, a drawn polygon."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    # Geometry (not geography) in WGS84: containment of a point in a state-sized polygon is what it is for,
    # and planar ST_Covers on the GiST index is what that query needs.
    extent = gis_models.MultiPolygonField(srid=WGS84, spatial_index=False, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # covering(point): service areas that contain a survivor's location (statewide hotlines etc.).
            GistIndex(fields=["extent"], name="service_area_extent_gist"),
        ]

    def __str__(self) -> str:
        return self.name


class VictimAssistanceSpecialist(RegionExtentMixin, TimestampedModel):
    """A DHS/HSI victim assistance specialist, listed so hotline staff can find the one for an area."""

    extent_field = "coverage_area"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255)
    hsi_office = models.CharField(max_length=255, help_text="HSI Special Agent in Charge office.")
    phone = PhoneNumberField()
    email = models.EmailField(blank=True)
    languages = models.ManyToManyField(Language, related_name="specialists", blank=True)
    on_call_24_7 = models.BooleanField(default=False)
    coverage_description = models.CharField(max_length=255, blank=True)
    coverage_area = gis_models.MultiPolygonField(srid=WGS84, spatial_index=False, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="specialist_listing",
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # Specialists whose coverage area contains a point (match results, lookups by area).
            GistIndex(fields=["coverage_area"], name="specialist_coverage_gist"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hsi_office})"
