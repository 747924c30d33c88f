"""Database constraints keep invalid registry rows out, whatever path writes them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from geopy.distance import geodesic

from providers import registry
from providers.models import Location, Phone, Schedule, Service
from tests import factories

pytestmark = pytest.mark.django_db


def assert_rejected(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


@pytest.mark.parametrize(
    "fields",
    [
        {"latitude": 90.5},
        {"latitude": -91},
        {"longitude": 180.01},
        {"longitude": -200},
        {"latitude": None},  # latitude without longitude
        {"public_latitude": 95},
    ],
)
def test_out_of_range_or_partial_coordinates_are_rejected_by_the_database(fields):
    loc = factories.location()
    assert_rejected(lambda: Location.objects.filter(pk=loc.pk).update(**fields))


def test_latitude_100_is_rejected_not_coerced():
    # PostGIS geography would silently store latitude 100 as 80; the coordinate columns refuse it.
    org = factories.organization()
    assert_rejected(lambda: Location.objects.bulk_create([Location(organization=org, latitude=100, longitude=101)]))


def test_point_is_generated_from_latitude_and_longitude():
    loc = factories.location(latitude=40.7128, longitude=-74.006)
    assert (loc.point.y, loc.point.x) == pytest.approx((40.7128, -74.006))
    assert loc.point.srid == 4326
    Location.objects.filter(pk=loc.pk).update(latitude=41.0, longitude=-75.0)
    loc.refresh_from_db()
    assert (loc.point.y, loc.point.x) == pytest.approx((41.0, -75.0))


def test_minimum_age_above_maximum_age_is_rejected():
    svc = factories.service()
    assert_rejected(lambda: Service.objects.filter(pk=svc.pk).update(minimum_age=18, maximum_age=17))


def test_equal_minimum_and_maximum_age_is_allowed():
    svc = factories.service(minimum_age=17, maximum_age=17)
    assert svc.minimum_age == svc.maximum_age


def test_beds_available_above_total_is_rejected():
    loc = factories.location(beds_total=10, beds_available=10)
    assert_rejected(lambda: Location.objects.filter(pk=loc.pk).update(beds_available=11))


def test_negative_beds_are_rejected():
    loc = factories.location()
    assert_rejected(lambda: Location.objects.filter(pk=loc.pk).update(beds_total=-1))


def test_unknown_service_status_is_rejected():
    svc = factories.service()
    assert_rejected(lambda: Service.objects.filter(pk=svc.pk).update(status="open"))


def test_confidential_location_may_not_publish_its_exact_point():
    loc = factories.location(is_confidential=True)
    assert_rejected(
        lambda: Location.objects.filter(pk=loc.pk).update(public_latitude=loc.latitude, public_longitude=loc.longitude)
    )


def test_phone_needs_an_owner():
    assert_rejected(lambda: Phone.objects.create(number="+17135550100"))


def test_phone_has_exactly_one_owner():
    # A confidential site's direct line hung off its organization too would be shown to everyone.
    loc = factories.location(is_confidential=True)
    assert_rejected(lambda: Phone.objects.create(number="+17135550100", location=loc, organization=loc.organization))


def test_invalid_phone_number_fails_validation():
    org = factories.organization()
    with pytest.raises(ValidationError) as error:
        Phone(organization=org, number="+1 555 123").full_clean()
    assert "number" in error.value.message_dict


def test_schedule_weekday_must_be_iso():
    loc = factories.location()
    assert_rejected(lambda: Schedule.objects.create(location=loc, weekday=8, opens_at="09:00", closes_at="17:00"))


def test_invalid_time_zone_fails_validation():
    loc = factories.location()
    loc.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as error:
        loc.full_clean()
    assert "time_zone" in error.value.message_dict


class TestPublicPoint:
    """The registry's write path (providers.registry) draws a site's public point; the database refuses a
    confidential site without a generalized one, whoever writes it."""

    def test_ordinary_site_publishes_its_exact_point(self):
        loc = factories.location(latitude=29.76, longitude=-95.37)
        assert (loc.public_latitude, loc.public_longitude) == (29.76, -95.37)

    def test_confidential_site_is_displaced_within_the_configured_range(self, settings):
        min_m, max_m = settings.CONFIDENTIAL_DISPLACEMENT_M
        for _ in range(20):
            loc = factories.location(is_confidential=True, latitude=29.76, longitude=-95.37)
            distance_m = geodesic((29.76, -95.37), (loc.public_latitude, loc.public_longitude)).meters
            assert min_m - 1 <= distance_m <= max_m + 1

    def test_public_point_is_fixed_across_edits(self):
        loc = factories.location(is_confidential=True)
        before = (loc.public_latitude, loc.public_longitude)
        for n in range(5):
            loc.name = f"Renamed {n}"
            loc.beds_total = n
            registry.record_save(loc)
            loc.refresh_from_db()
            assert (loc.public_latitude, loc.public_longitude) == before

    def test_moving_a_confidential_site_regenerates_its_public_point(self, settings):
        loc = factories.location(is_confidential=True, latitude=29.76, longitude=-95.37)
        loc.latitude, loc.longitude = 32.78, -96.80  # moved to Dallas
        registry.record_save(loc)
        loc.refresh_from_db()
        distance_m = geodesic((32.78, -96.80), (loc.public_latitude, loc.public_longitude)).meters
        assert distance_m <= settings.CONFIDENTIAL_DISPLACEMENT_M[1] + 1

    def test_making_a_site_confidential_generalizes_it(self):
        loc = factories.location(latitude=29.76, longitude=-95.37)
        loc.is_confidential = True
        registry.record_save(loc)
        loc.refresh_from_db()
        assert (loc.public_latitude, loc.public_longitude) != (29.76, -95.37)
        assert loc.public_point is not None

    def test_a_write_around_the_write_path_cannot_publish_a_confidential_sites_point(self):
        loc = factories.location(latitude=29.76, longitude=-95.37)
        loc.is_confidential = True
        assert_rejected(lambda: loc.save())  # the public point still is the exact one

    def test_virtual_location_has_no_point(self):
        loc = factories.location(latitude=None, longitude=None, location_type="virtual")
        assert loc.point is None and loc.public_point is None
