"""An import looks for organizations, services and sites it may have listed twice (stewardship.duplicates,
stewardship.offer_duplicates): a listing already here under the name written otherwise is in the moderators' queue
after the import, and the command says so."""

import copy
import io
import json

import pytest
from django.core.management import call_command

from stewardship.models import DuplicateCandidate
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_import_puts_a_listing_already_here_in_the_queue(sf_services, tmp_path):
    service = copy.deepcopy(next(s for s in sf_services if len(s.get("service_at_locations") or []) == 1))
    name = service["organization"]["name"]
    state = service["service_at_locations"][0]["location"]["addresses"][0]["state_province"].upper()
    here = factories.organization(name=f"The {name}, Inc.")
    site = factories.location(here, latitude=37.77, longitude=-122.42, name="Old listing")
    factories.address(site, city="San Francisco", state_province=state, postal_code="94103")
    path = tmp_path / "one.json"
    path.write_text(json.dumps([service]))
    out = io.StringIO()

    call_command("import_hsds", str(path), stdout=out)

    (pair,) = DuplicateCandidate.objects.all()
    assert here.pk in (pair.first_id, pair.second_id) and pair.evidence["name_similarity"] >= 0.92
    assert "1 pair(s) of organizations, 0 of services and 0 of sites that may be one listing twice" in out.getvalue()
    again = io.StringIO()
    call_command("import_hsds", str(path), stdout=again)  # nothing changed: not looked at again
    assert "may be one listing twice" not in again.getvalue()


def test_the_import_is_written_when_looking_for_duplicates_fails(sf_services, tmp_path, monkeypatch):
    from hsds.management.commands import import_hsds

    def broken(ids):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(import_hsds, "duplicates_find", broken)
    path = tmp_path / "one.json"
    path.write_text(json.dumps([sf_services[0]]))
    out, err = io.StringIO(), io.StringIO()

    call_command("import_hsds", str(path), stdout=out, stderr=err)  # no exception: the import stands

    assert "1 created" in out.getvalue() and "run `manage.py find_duplicates`" in err.getvalue()


def test_an_import_puts_a_site_and_a_service_already_here_in_the_queue(sf_services, tmp_path):
    service = copy.deepcopy(next(s for s in sf_services if len(s.get("service_at_locations") or []) == 1))
    place = service["service_at_locations"][0]["location"]
    here = factories.organization(name=f"The {service['organization']['name']}, Inc.")
    site = factories.location(
        here, latitude=place["latitude"] + 0.00003, longitude=place["longitude"], name=place["name"]
    )  # about 3 m off: another source's listing of the building
    factories.offer(factories.service(here, name=service["name"]), site)
    path = tmp_path / "one.json"
    path.write_text(json.dumps([service]))
    out = io.StringIO()

    call_command("import_hsds", str(path), stdout=out)

    assert sorted(DuplicateCandidate.objects.values_list("kind", flat=True)) == ["location", "organization", "service"]
    assert "1 pair(s) of organizations, 1 of services and 1 of sites" in out.getvalue()
    services = DuplicateCandidate.objects.get(kind="service")
    assert services.evidence["organization_pair"] == str(DuplicateCandidate.objects.get(kind="organization").pk)
