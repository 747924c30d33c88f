"""US state and county boundaries from us-atlas, and areas built from them."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from geo.boundaries import UnknownRegion, region_extent, state_outline
from geo.models import Boundary
from geo.queries import make_point

HOUSTON = make_point(29.7604, -95.3698)
DALLAS = make_point(32.7767, -96.7970)
NEW_YORK = make_point(40.7128, -74.0060)
OKLAHOMA_CITY = make_point(35.4676, -97.5164)


@pytest.fixture(scope="module")
def boundaries(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_boundaries", stdout=io.StringIO())
        yield
        Boundary.objects.all().delete()


pytestmark = pytest.mark.django_db


def test_all_states_and_counties_are_loaded(boundaries):
    assert Boundary.objects.filter(kind="state").count() == 56  # 50 states, DC and 5 territories
    assert Boundary.objects.filter(kind="county").count() > 3100
    texas = Boundary.objects.get(kind="state", state_code="TX")
    assert texas.fips == "48" and texas.name == "Texas"
    harris = Boundary.objects.get(fips="48201")
    assert harris.name == "Harris" and harris.state_code == "TX" and harris.kind == "county"
    assert not Boundary.objects.extra(where=["NOT ST_IsValid(geometry)"]).exists()


def test_state_contains_its_cities(boundaries):
    texas = state_outline("TX")
    assert texas.contains(HOUSTON) and texas.contains(DALLAS) and not texas.contains(NEW_YORK)


def test_region_extent_from_states_and_counties(boundaries):
    two_states = region_extent(states=["TX", "ok"])
    assert two_states.contains(OKLAHOMA_CITY) and two_states.contains(HOUSTON)
    assert region_extent(states=["48"]).contains(HOUSTON)  # FIPS works too
    harris = region_extent(counties=["48201"])
    assert harris.contains(HOUSTON) and not harris.contains(DALLAS)
    mixed = region_extent(states=["NY"], counties=["48201"])
    assert mixed.contains(NEW_YORK) and mixed.contains(HOUSTON) and not mixed.contains(DALLAS)


def test_unknown_codes_are_named(boundaries):
    with pytest.raises(UnknownRegion) as error:
        region_extent(states=["TX", "ZZ"], counties=["99999"])
    assert error.value.codes == ["99999", "ZZ"]


def test_if_empty_does_not_reload(boundaries):
    first_id = Boundary.objects.order_by("id").values_list("id", flat=True).first()
    call_command("load_boundaries", "--if-empty")
    assert Boundary.objects.order_by("id").values_list("id", flat=True).first() == first_id


def test_missing_source_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("load_boundaries", "--source", str(tmp_path / "nope.json"))


def test_source_is_fetched_by_setup():
    assert Path(settings.US_ATLAS_COUNTIES_PATH).is_file()


def test_demo_specialists_cover_whole_states_when_boundaries_are_loaded(boundaries):
    from demo.builder import demo_registry_load
    from providers.models import VictimAssistanceSpecialist

    demo_registry_load(locations=60, seed=4)
    texas = VictimAssistanceSpecialist.objects.filter(coverage_description="Texas").first()
    assert texas.coverage_area.equals(state_outline("TX"))
    # El Paso is far from most Texas ZIP centroids but inside the real outline.
    assert texas.coverage_area.contains(make_point(31.7619, -106.4850))


class TestAreasFromCodes:
    def test_service_area_from_whole_states(self, boundaries):
        from providers.models import ServiceArea
        from tests import factories

        area = ServiceArea.objects.create(service=factories.service(), name="Texas", state_codes=["tx"])
        area.refresh_from_db()
        assert area.state_codes == ["TX"] and area.extent.contains(HOUSTON) and not area.extent.contains(NEW_YORK)

    def test_service_area_from_counties(self, boundaries):
        from providers.models import ServiceArea
        from tests import factories

        area = ServiceArea.objects.create(service=factories.service(), name="Harris", county_fips=["48201"])
        assert area.extent.contains(HOUSTON) and not area.extent.contains(DALLAS)

    def test_unknown_code_is_a_validation_error_naming_the_field(self, boundaries):
        from django.core.exceptions import ValidationError

        from providers.models import ServiceArea
        from tests import factories

        with pytest.raises(ValidationError) as error:
            ServiceArea(service=factories.service(), name="x", county_fips=["99999"]).full_clean()
        assert "county_fips" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            ServiceArea(service=factories.service(), name="x").full_clean()
        assert "extent" in error.value.message_dict

    def test_specialist_coverage_from_states(self, boundaries):
        from providers.models import VictimAssistanceSpecialist

        specialist = VictimAssistanceSpecialist.objects.create(
            name="S", hsi_office="HSI Dallas", phone="+12145550100", state_codes=["TX", "OK"]
        )
        assert specialist.coverage_area.contains(OKLAHOMA_CITY) and specialist.coverage_area.contains(HOUSTON)
