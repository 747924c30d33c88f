"""The provider registry, modelled on Open Referral HSDS 3.0 (../shared/hsds-3.0/schema).

Names follow HSDS where it has one (organization, service, location, service_at_location, phone,
schedule, service_area, language); HSDS ids are UUIDs, so ours are too. Where HSDS is loose and the
field needs a rule (eligibility, capacity, confidentiality), the rule is a column with a constraint.
"""

import functools
import uuid
import zoneinfo
from datetime import datetime, time

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from geopy.distance import geodesic
from phonenumber_field.modelfields import PhoneNumberField

from geo.expressions import WGS84, GeographyPoint
from geo.privacy import displaced_point

MAX_AGE_YEARS = 130
ADULT_AGE_YEARS = 18  # eligibility age groups: "adults" from 18, "minors" under 18


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not an IANA time zone name (e.g. 'America/Chicago').")


def period_covers(weekday: int, opens_at: time, closes_at: time, local: datetime) -> bool:
    """Return True when a local moment falls in a weekly period (ISO weekday, opening, closing time).

    A closing time at or before the opening time means the period runs past midnight into the next day;
    00:00-00:00 is the whole day.
    """
    return _covers(weekday, opens_at, closes_at, local.isoweekday(), local.time())


def _covers(weekday: int, opens_at: time, closes_at: time, today: int, now: time) -> bool:
    """period_covers() for a local ISO weekday and a naive local time of day."""
    if closes_at > opens_at:
        return today == weekday and opens_at <= now < closes_at
    previous_day = 7 if today == 1 else today - 1
    started_today = today == weekday and now >= opens_at
    carried_over = previous_day == weekday and now < closes_at
    return started_today or carried_over


@functools.lru_cache(maxsize=256)
def _local_day_and_time(timestamp: float, time_zone: str) -> tuple[int, time]:
    """Return the ISO weekday and time of day of a POSIX timestamp in a time zone (matching asks once per site
    for the same moment, and most sites share a few zones). Keyed on the timestamp, not the datetime: two
    aware datetimes an hour apart across a DST change (fold) compare and hash equal."""
    local = datetime.fromtimestamp(timestamp, zoneinfo.ZoneInfo(time_zone))
    return local.isoweekday(), local.time()


def open_at(moment: datetime, *, time_zone: str, open_24_7: bool, periods) -> bool | None:
    """Return whether a site is open at `moment` (aware): True/False, or None when no hours are known.

    `periods` are (ISO weekday, opens_at, closes_at) read in the site's IANA time zone. The one rule for
    "open now", used by Location.is_open_at and by matching (which reads hours without model instances).
    """
    if open_24_7:
        return True
    if not isinstance(periods, list | tuple):
        periods = list(periods)
    if not periods:
        return None
    today, now = _local_day_and_time(moment.timestamp(), time_zone)
    return any(_covers(weekday, opens, closes, today, now) for weekday, opens, closes in periods)


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# --- Vocabularies ------------------------------------------------------------------------------------


class NeedTerm(models.Model):
    """A term of the needs taxonomy (shipped as data in a migration). Parents group the checklist."""

    code = models.SlugField(max_length=64, unique=True, help_text="Stable code, e.g. 'immigration-legal'.")
    name = models.CharField(max_length=120)
    description = models.TextField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.code


class Population(models.Model):
    """An eligibility attribute: who a service is for.

    Within one dimension the values are alternatives: a service that lists none of a dimension's values
    serves everyone on that dimension; one that lists some serves only those.
    """

    class Dimension(models.TextChoices):
        AGE = "age", "Age group"
        GENDER = "gender", "Gender"
        TRAFFICKING_TYPE = "trafficking_type", "Type of trafficking"
        CITIZENSHIP = "citizenship", "Citizenship"
        IDENTITY = "identity", "Identity-specific"

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    dimension = models.CharField(max_length=32, choices=Dimension.choices)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["dimension", "code"]

    def __str__(self) -> str:
        return self.code


class Language(models.Model):
    """An ISO 639-1 language (loaded in a migration from pycountry)."""

    code = models.CharField(max_length=2, primary_key=True, help_text="ISO 639-1 code, e.g. 'es'.")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


# --- Registry ----------------------------------------------------------------------------------------


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

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # Nearest-neighbour (`point <-> origin ORDER BY ... LIMIT`) and ST_DWithin radius searches
            # for roles that may see exact points.
            GistIndex(fields=["point"], name="location_point_gist"),
            # The same searches for everyone else, who are answered from the public point only.
            GistIndex(fields=["public_point"], name="location_public_point_gist"),
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

    def save(self, *args, **kwargs):
        if not self.public_point_is_current():
            self.assign_public_point()
        super().save(*args, **kwargs)

    def assign_public_point(self, rng=None) -> None:
        """Set the public point: the exact point, or a fixed displaced one for a confidential site."""
        if self.latitude is None or self.longitude is None:
            self.public_latitude = self.public_longitude = None
        elif not self.is_confidential:
            self.public_latitude, self.public_longitude = self.latitude, self.longitude
        else:
            min_m, max_m = settings.CONFIDENTIAL_DISPLACEMENT_M
            self.public_latitude, self.public_longitude = displaced_point(
                self.latitude, self.longitude, min_m=min_m, max_m=max_m, rng=rng
            )

    def public_point_is_current(self) -> bool:
        """Return True when the stored public point still fits the exact point and confidentiality.

        For a confidential site that means: displaced within the configured range of the exact point. A
        site that moved across town gets a new public point; any other edit keeps the old one.
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

    def is_open_at(self, moment: datetime, schedules=None) -> bool | None:
        """Return whether the location is open at `moment` (aware), None when no hours are known.

        Hours are read in the location's own time zone; a closing time at or before the opening time
        means the period runs past midnight into the next day.
        """
        schedules = list(self.schedules.all() if schedules is None else schedules)
        periods = [(s.weekday, s.opens_at, s.closes_at) for s in schedules]
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

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # A site entered with an address and no coordinates gets the address's point (see services).
        if self.address_type == self.AddressType.PHYSICAL:
            from providers.services import location_locate_from_address

            location_locate_from_address(location=self.location, address=self)


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


# --- Self-service, moderation and history ----------------------------------------------------------------


class RecordType(models.TextChoices):
    """The listing records providers edit (see providers/editing.py for their fields)."""

    ORGANIZATION = "organization", "Organization"
    SERVICE = "service", "Service"
    LOCATION = "location", "Location"
    PHONE = "phone", "Phone"


class ChangeRequest(models.Model):
    """A provider's edit of trust fields, waiting for a moderator: field-level old -> new values.

    `changes` is {field: {"old": value, "new": value}} in JSON form (codes for needs and the like,
    "address.<field>" for the location's address). Approval applies them all or nothing; if any field's
    current value is no longer `old`, the request is flagged `conflicting` instead of overwriting.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="change_requests")
    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    record_id = models.UUIDField()
    changes = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    conflicting = models.BooleanField(default=False, help_text="The record changed since the request was made.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="change_request_queue_idx")]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id}: {', '.join(self.changes)} ({self.status})"


class ListingChange(models.Model):
    """One field of a listing changed: who, when, before, after, and how (the listing history)."""

    class Source(models.TextChoices):
        DIRECT = "direct", "Direct edit"
        CHANGE_REQUEST = "change_request", "Approved change request"
        VERIFICATION = "verification", "Re-verification"
        APPLICATION = "application", "Approved application"
        ADMIN = "admin", "Django admin"
        IMPORT = "import", "Import"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="history")
    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    record_id = models.UUIDField()
    field = models.CharField(max_length=64)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    change_request = models.ForeignKey(ChangeRequest, null=True, blank=True, on_delete=models.SET_NULL)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["organization", "-changed_at"], name="listing_change_org_idx")]

    def __str__(self) -> str:
        return f"{self.record_type}.{self.field} at {self.changed_at:%Y-%m-%d %H:%M}"


class Application(models.Model):
    """A new organization asking to be listed; a moderator approves (creating the listings and an
    invitation for `contact_email`) or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    organization_name = models.CharField(max_length=255)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    details = models.JSONField(help_text="The validated organization, locations and services applied for.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.organization_name} ({self.status})"


class Invitation(models.Model):
    """A single-use, expiring invitation to manage an organization. Only a hash of the token is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation to {self.organization_id} for {self.email}"


class Suggestion(models.Model):
    """Someone reports that a listing is wrong; it waits in the moderators' queue."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="suggestions")
    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    record_id = models.UUIDField()
    message = models.TextField()
    reporter_email = models.EmailField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"suggestion on {self.record_type} {self.record_id} ({self.status})"
