"""The registry proper, modelled on Open Referral HSDS 3.0: organizations, services, locations (sites), their
addresses, phones and weekly hours, and the services offered at each site.

Names follow HSDS where it has one; HSDS ids are UUIDs, so ours are too. Where HSDS is loose and the field needs a
rule (eligibility, capacity, confidentiality), the rule is a column with a constraint.
"""

import uuid
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from geopy.distance import geodesic
from modeltrans.fields import TranslationField
from phonenumber_field.modelfields import PhoneNumberField

from geo.expressions import WGS84, GeographyPoint
from providers.accessibility import MAX_DETAILS_CHARS, Feature
from providers.hours import exception_periods, open_at, period_covers
from providers.models.base import MAX_AGE_YEARS, TimestampedModel
from providers.models.vocabulary import Language, NeedTerm, Population


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not an IANA time zone name (e.g. 'America/Chicago').")


class Organization(TimestampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255)
    alternate_name = models.CharField(max_length=255, blank=True)
    description = models.TextField()
    email = models.EmailField(blank=True, help_text="Where referral and listing notifications go.")
    website = models.URLField(blank=True)
    stale_reminded_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When remind_stale last emailed this organization."
    )
    # The Spanish forms of its texts (providers.translations): `name_es`, ... in one JSONB column.
    i18n = TranslationField(fields=("name", "alternate_name", "description"))

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"], name="organization_name_idx")]

    def __str__(self) -> str:
        return self.name


def is_stale(last_verified_on, today) -> bool:
    """Return True when a listing was never verified or not within LISTING_STALE_AFTER_DAYS of `today`."""
    return last_verified_on is None or (today - last_verified_on).days > settings.LISTING_STALE_AFTER_DAYS


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class Service(TimestampedModel):
    Status = ServiceStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=255)
    alternate_name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.ACTIVE)
    interpretation_services = models.TextField(blank=True)
    application_process = models.TextField(blank=True)
    fees_description = models.TextField(blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(MAX_AGE_YEARS)])
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(MAX_AGE_YEARS)])
    alert = models.TextField(blank=True, help_text="Short-term notice, e.g. 'No intake this week'.")
    last_verified_on = models.DateField(
        null=True, blank=True, help_text="When the provider last confirmed this listing (HSDS assured_date)."
    )
    needs = models.ManyToManyField(NeedTerm, related_name="services", blank=True)
    populations = models.ManyToManyField(Population, related_name="services", blank=True)
    languages = models.ManyToManyField(Language, related_name="services", blank=True)
    i18n = TranslationField(
        fields=("name", "alternate_name", "description", "eligibility_description", "application_process", "alert")
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="service_minimum_age_lte_maximum_age",
                violation_error_message="minimum_age must not exceed maximum_age.",
            ),
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True) | Q(minimum_age__lte=MAX_AGE_YEARS),
                name="service_minimum_age_range",
            ),
            models.CheckConstraint(
                condition=Q(maximum_age__isnull=True) | Q(maximum_age__lte=MAX_AGE_YEARS),
                name="service_maximum_age_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ServiceStatus.values),
                name="service_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LocationType(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    POSTAL = "postal", "Postal"
    VIRTUAL = "virtual", "Virtual"


class Location(TimestampedModel):
    """A place where services are delivered: physical, postal, or virtual (phone/online only).

    Capacity lives here because beds belong to a site: the daily "beds free / accepting referrals"
    update a shelter makes is one call on its location.
    """

    LocationType = LocationType

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=255, blank=True)
    alternate_name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    location_type = models.CharField(max_length=16, choices=LocationType.choices, default=LocationType.PHYSICAL)
    transportation = models.TextField(blank=True)
    # WGS84 degrees. The point below is generated from these, so the two can never disagree, and these
    # carry the range constraints a geography column cannot (see geo/expressions.py).
    latitude = models.FloatField(null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)])
    point = models.GeneratedField(
        expression=GeographyPoint("longitude", "latitude"),
        output_field=gis_models.PointField(geography=True, srid=WGS84),
        db_persist=True,
    )
    is_confidential = models.BooleanField(
        default=False,
        help_text="Confidential site (shelter, safe house): exact place only for roles that need it.",
    )
    # What everyone else sees: the exact point for ordinary sites; for confidential sites a point displaced
    # 1-3 km, chosen once and stored, so that it cannot be averaged out over many requests.
    public_latitude = models.FloatField(null=True, blank=True, editable=False)
    public_longitude = models.FloatField(null=True, blank=True, editable=False)
    public_point = models.GeneratedField(
        expression=GeographyPoint("public_longitude", "public_latitude"),
        output_field=gis_models.PointField(geography=True, srid=WGS84),
        db_persist=True,
    )
    time_zone = models.CharField(
        max_length=64,
        default="America/New_York",
        validators=[validate_time_zone],
        help_text="IANA time zone in which this location's schedules are read.",
    )
    open_24_7 = models.BooleanField(default=False, help_text="Open around the clock, every day.")
    beds_total = models.PositiveIntegerField(null=True, blank=True)
    beds_available = models.PositiveIntegerField(null=True, blank=True)
    accepting_referrals = models.BooleanField(default=True)
    capacity_updated_at = models.DateTimeField(null=True, blank=True)
    # What the site offers people with disabilities (providers.accessibility's codes, shown in its order) and more in
    # words.
    accessibility = ArrayField(
        models.CharField(max_length=32, choices=Feature.choices), default=list, blank=True,
        help_text="Accessibility features (providers.accessibility.Feature codes).",
    )  # fmt: skip
    accessibility_details = models.TextField(
        blank=True, max_length=MAX_DETAILS_CHARS, validators=[MaxLengthValidator(MAX_DETAILS_CHARS)],
        help_text='More on access, e.g. "Ramp at the side door on weekends".',
    )  # fmt: skip
    # Digests of this site's free texts a moderator reviewed as not placing it (providers.disclosure): shown to those
    # who may not see the site exactly. An edited text no longer matches its digest and is withheld again. (NULL,
    # from a bulk load that leaves the column out: no marks.)
    safe_texts = ArrayField(models.CharField(max_length=64), null=True, blank=True, default=list, editable=False)
    i18n = TranslationField(fields=("description",))

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # Nearest-neighbour (`point <-> origin ORDER BY ... LIMIT`) and ST_DWithin radius searches
            # for roles that may see exact points.
            GistIndex(fields=["point"], name="location_point_gist"),
            # The same searches for everyone else, who are answered from the public point only.
            GistIndex(fields=["public_point"], name="location_public_point_gist"),
            # The accessibility filter (`accessibility @> codes`) on its own.
            GinIndex(fields=["accessibility"], name="location_accessibility_gin"),
            # bbox filters compare the coordinate columns (map boxes have straight edges, see access.py).
            models.Index(fields=["latitude", "longitude"], name="location_lat_lon_idx"),
            models.Index(fields=["public_latitude", "public_longitude"], name="location_public_lat_lon_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_range",
                violation_error_message="latitude must be between -90 and 90.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
                violation_error_message="longitude must be between -180 and 180.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="location_latitude_longitude_together",
                violation_error_message="latitude and longitude must be given together.",
            ),
            models.CheckConstraint(
                condition=Q(public_latitude__isnull=True) | Q(public_latitude__gte=-90, public_latitude__lte=90),
                name="location_public_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(public_longitude__isnull=True) | Q(public_longitude__gte=-180, public_longitude__lte=180),
                name="location_public_longitude_range",
            ),
            # A located site always has a public point, and a confidential one never shows its real one.
            models.CheckConstraint(
                condition=Q(latitude__isnull=True)
                | (
                    Q(public_latitude__isnull=False, public_longitude__isnull=False)
                    & (
                        Q(is_confidential=False)
                        | ~Q(public_latitude=models.F("latitude"), public_longitude=models.F("longitude"))
                    )
                ),
                name="location_public_point_generalized",
                violation_error_message="a confidential location needs a generalized public point.",
            ),
            # Known codes only, whoever writes them (raw SQL and COPY too).
            models.CheckConstraint(
                condition=Q(accessibility__contained_by=Feature.values),
                name="location_accessibility_known",
                violation_error_message="accessibility holds an unknown feature code.",
            ),
            models.CheckConstraint(
                condition=Q(beds_available__isnull=True)
                | Q(beds_total__isnull=True)
                | Q(beds_available__lte=models.F("beds_total")),
                name="location_beds_available_lte_total",
                violation_error_message="beds_available must not exceed beds_total.",
            ),
            models.CheckConstraint(
                condition=Q(location_type__in=LocationType.values),
                name="location_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.id)

    def public_point_is_current(self) -> bool:
        """Return True when the stored public point still fits the exact point and confidentiality.

        For a confidential site that means: displaced within the configured range of the exact point. A
        site that moved across town gets a new public point; any other edit keeps the old one (the registry's
        write path, providers.registry.location_prepare, draws it).
        """
        if self.latitude is None or self.longitude is None:
            return self.public_latitude is None and self.public_longitude is None
        if self.public_latitude is None or self.public_longitude is None:
            return False
        exact = (self.latitude, self.longitude)
        public = (self.public_latitude, self.public_longitude)
        if not self.is_confidential:
            return public == exact
        min_m, max_m = settings.CONFIDENTIAL_DISPLACEMENT_M
        # 1 m of slack for the 6-decimal rounding of the stored public point.
        return min_m - 1 <= geodesic(exact, public).meters <= max_m + 1

    def primary_address(self):
        """Return the address shown for this site (physical before postal, then by id), None without one.

        Reads `addresses.all()`, so a prefetch is used when there is one.
        """
        return min(self.addresses.all(), key=lambda address: (address.address_type, str(address.id)), default=None)

    def is_open_at(self, moment: datetime, schedules=None, exceptions=None) -> bool | None:
        """Return whether the location is open at `moment` (aware), None when no hours are known.

        Hours are read in the location's own time zone; a closing time at or before the opening time
        means the period runs past midnight into the next day. The site's own exceptions (a holiday closure)
        replace its weekly hours on their dates.
        """
        schedules = self.schedules.all() if schedules is None else schedules
        exceptions = self.hours_exceptions.all() if exceptions is None else exceptions
        periods = [(s.weekday, s.opens_at, s.closes_at) for s in schedules]
        periods += exception_periods([e for e in exceptions if e.service_id is None], own=False)
        return open_at(moment, time_zone=self.time_zone, open_24_7=self.open_24_7, periods=periods)


class Address(models.Model):
    class AddressType(models.TextChoices):
        PHYSICAL = "physical", "Physical"
        POSTAL = "postal", "Postal"
        VIRTUAL = "virtual", "Virtual"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=255, blank=True)
    address_1 = models.CharField(max_length=255)
    address_2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=120)
    region = models.CharField(max_length=120, blank=True)
    state_province = models.CharField(max_length=2, help_text="Two-letter USPS state code.")
    postal_code = models.CharField(max_length=10)
    country = models.CharField(max_length=2, default="US")
    address_type = models.CharField(max_length=16, choices=AddressType.choices, default=AddressType.PHYSICAL)

    class Meta:
        ordering = ["address_type", "id"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.address_1}, {self.city}, {self.state_province} {self.postal_code}"


class ServiceAtLocation(TimestampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "service at location"
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="service_at_location_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} @ {self.location_id}"


class PhoneType(models.TextChoices):
    VOICE = "voice", "Voice"
    TEXT = "text", "Text"
    CELL = "cell", "Cell"
    FAX = "fax", "Fax"
    VIDEO = "video", "Video"
    PAGER = "pager", "Pager"
    TEXTPHONE = "textphone", "Textphone (TTY)"


class Phone(models.Model):
    PhoneType = PhoneType

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones")
    number = PhoneNumberField(help_text="Stored in E.164, e.g. +17135550100.")
    extension = models.CharField(max_length=16, blank=True)
    type = models.CharField(max_length=16, choices=PhoneType.choices, default=PhoneType.VOICE)
    description = models.CharField(max_length=255, blank=True)
    is_front_door = models.BooleanField(
        default=False,
        help_text="A number that reaches a confidential site without revealing where it is (shown to everyone).",
    )
    languages = models.ManyToManyField(Language, related_name="phones", blank=True)

    class Meta:
        ordering = ["-is_front_door", "id"]
        constraints = [
            # Exactly one owner: a confidential site's direct line must not also hang off its service or
            # organization, where it would be shown to everyone.
            models.CheckConstraint(
                condition=Q(organization__isnull=False, service__isnull=True, location__isnull=True)
                | Q(organization__isnull=True, service__isnull=False, location__isnull=True)
                | Q(organization__isnull=True, service__isnull=True, location__isnull=False),
                name="phone_has_one_owner",
                violation_error_message="a phone belongs to exactly one organization, service or location.",
            ),
            models.CheckConstraint(condition=Q(type__in=PhoneType.values), name="phone_type_valid"),
        ]

    def __str__(self) -> str:
        return str(self.number)


class Schedule(models.Model):
    """One weekly opening period of a location (or of one service there), in the location's time zone."""

    class Weekday(models.IntegerChoices):
        MONDAY = 1, "Monday"
        TUESDAY = 2, "Tuesday"
        WEDNESDAY = 3, "Wednesday"
        THURSDAY = 4, "Thursday"
        FRIDAY = 5, "Friday"
        SATURDAY = 6, "Saturday"
        SUNDAY = 7, "Sunday"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="schedules")
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedules",
        help_text="Set when these hours are for one service at the location rather than the whole site.",
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, help_text="ISO weekday, 1 = Monday.")
    opens_at = models.TimeField()
    closes_at = models.TimeField(help_text="At or before opens_at means the period ends the next day.")
    description = models.CharField(max_length=255, blank=True)
    i18n = TranslationField(fields=("description",))

    class Meta:
        ordering = ["weekday", "opens_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=7), name="schedule_weekday_iso"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"

    def covers(self, local: datetime) -> bool:
        """Return True when the local (location time zone) moment falls in this period."""
        return period_covers(self.weekday, self.opens_at, self.closes_at, local)
