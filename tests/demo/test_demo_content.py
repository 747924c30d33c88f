"""The demo registry's content: realistic, nationwide, fictional, confidential sites generalized."""

import phonenumbers
import pytest
import zipcodes
from geopy.distance import geodesic

from demo.builder import demo_registry_load
from demo.places import STATES
from providers.models import Location, Organization, Phone, Service, ServiceArea, VictimAssistanceSpecialist

pytestmark = pytest.mark.django_db


def wipe_registry():
    VictimAssistanceSpecialist.objects.all().delete()
    Organization.objects.all().delete()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """A 600-location demo registry shared by the content tests (removed afterwards)."""
    with django_db_blocker.unblock():
        builder = demo_registry_load(locations=600, seed=3)
        yield builder
        wipe_registry()


class TestDemoContent:
    def test_counts(self, demo):
        # And a site for each organization listed twice, and one site listed twice in its organization.
        assert Location.objects.count() == 600 + len(demo.twins) + 1
        assert [kind for kind, _, _ in demo.listed_twice] == ["service", "location"]
        assert Organization.objects.count() == len(demo.rows["organization"]) + len(demo.twins)

    def test_every_organization_is_marked_as_demo(self, demo):
        assert not Organization.objects.exclude(name__startswith="[DEMO] ").exists()
        assert not Organization.objects.exclude(description__startswith="Fictional demo listing").exists()

    def test_locations_sit_at_us_zip_centroids_with_valid_time_zones(self, demo):
        for loc in Location.objects.filter(location_type="physical").prefetch_related("addresses")[:100]:
            address = loc.addresses.all()[0]
            centroid = zipcodes.matching(address.postal_code)[0]
            km = geodesic((loc.latitude, loc.longitude), (float(centroid["lat"]), float(centroid["long"]))).km
            assert km < 3.5, (address.postal_code, km)
            assert loc.time_zone == centroid["timezone"]

    def test_confidential_shelters_are_generalized_and_have_front_doors(self, demo, settings):
        confidential = list(Location.objects.filter(is_confidential=True).prefetch_related("phones"))
        assert len(confidential) >= 20
        min_m, max_m = settings.CONFIDENTIAL_DISPLACEMENT_M
        for loc in confidential:
            assert loc.public_point_is_current()
            moved_m = geodesic((loc.latitude, loc.longitude), (loc.public_latitude, loc.public_longitude)).meters
            assert min_m - 1 <= moved_m <= max_m + 1
            assert any(phone.is_front_door for phone in loc.phones.all())

    def test_realistic_service_mix(self, demo):
        offered = set(Service.objects.values_list("needs__code", flat=True))
        for code in ("emergency-shelter", "immigration-legal", "t-visa", "medical", "mental-health",
                     "case-management", "crisis-hotline", "interpretation"):  # fmt: skip
            assert code in offered
        assert Service.objects.filter(populations__code="minors").exists()
        assert Service.objects.filter(populations__code="foreign-nationals").exists()
        assert Service.objects.exclude(status="active").exists()
        assert Location.objects.filter(beds_total__isnull=False, beds_available=0).exists()
        assert Location.objects.filter(open_24_7=False, schedules__closes_at__lt="06:00").exists()

    def test_statewide_virtual_services_have_service_areas(self, demo):
        virtual = Location.objects.filter(location_type="virtual")
        assert virtual.count() == 52
        assert ServiceArea.objects.filter(service__service_at_locations__location__in=virtual).count() >= 52

    def test_specialists_cover_every_state(self, demo):
        covered = set(VictimAssistanceSpecialist.objects.values_list("coverage_description", flat=True))
        assert covered == set(STATES.values())

    def test_phone_numbers_are_valid_and_fictional(self, demo):
        for number in Phone.objects.values_list("number", flat=True)[:500]:
            parsed = phonenumbers.parse(str(number))
            assert phonenumbers.is_valid_number(parsed)
            assert str(number)[5:10].startswith("55501")
