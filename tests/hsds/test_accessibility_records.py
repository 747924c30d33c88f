"""HSDS `accessibility` records on import (hsds/accessibility.py): another source's words become the site's details
and a warning naming what they may mean, never features; features come by this directory's codes only, and a
package that gives none leaves the features a person ticked. The export and its round trip:
tests/hsds/test_export.py."""

import copy

import pytest

from hsds.importer import import_hsds
from providers.models import Location

pytestmark = pytest.mark.django_db
TERM = "1f4c9d6b-6c3b-4d8a-8e4b-4e5c5a6f7b82"


@pytest.fixture
def one(sf_services):
    found = next(s for s in sf_services if len(s.get("service_at_locations") or []) == 1
                 and s["service_at_locations"][0].get("location"))  # fmt: skip
    return copy.deepcopy(found)


def test_words_are_details_and_a_warning_and_leave_the_ticked_features(one, write_json):
    location = one["service_at_locations"][0]["location"]
    location["accessibility"] = [
        {"id": "8c1f6a3e-3f0e-4a57-9b1e-1b2f2d3c4e5f", "description": "Wheelchair ramp at the side door",
         "details": "Accessible restroom on the ground floor"},
    ]  # fmt: skip

    report = import_hsds(write_json([one]))

    assert report.applied and not report.problems, report.problems
    site = Location.objects.get()
    assert site.accessibility == []
    assert site.accessibility_details == "Wheelchair ramp at the side door Accessible restroom on the ground floor"
    assert any("they may mean wheelchair, accessible-restroom" in w.reason for w in report.warnings)
    Location.objects.filter(pk=site.pk).update(accessibility=["wheelchair"])  # the provider ticks it
    location["accessibility"][0]["details"] = "Accessible restroom upstairs"
    assert import_hsds(write_json([one])).applied
    site.refresh_from_db()
    assert site.accessibility == ["wheelchair"] and site.accessibility_details.endswith("restroom upstairs")
    del location["accessibility"]  # a package silent on access leaves the details too
    assert import_hsds(write_json([one])).applied
    site.refresh_from_db()
    assert site.accessibility == ["wheelchair"] and site.accessibility_details.endswith("restroom upstairs")


def test_an_unknown_code_is_a_warning_and_this_directorys_records_replace_the_sites(one, write_json):
    location = one["service_at_locations"][0]["location"]
    import_hsds(write_json([one]))
    Location.objects.update(accessibility=["wheelchair"])
    location["accessibility"] = [
        {"id": "9d2a7b4f-4a1f-4b68-8c2f-2c3a3e4d5f60", "description": "Teleport",
         "attributes": [{"id": "0e3b8c5a-5b2a-4c79-9d3a-3d4b4f5e6a71", "taxonomy_term_id": TERM,
                         "taxonomy_term": {"id": TERM, "code": "teleport", "name": "Teleport",
                                           "description": "Teleport",
                                           "taxonomy": "victim-services-directory-accessibility"}}]},
    ]  # fmt: skip

    report = import_hsds(write_json([one]))

    assert report.applied and not report.problems, report.problems
    assert [(w.path, w.reason) for w in report.warnings if w.path == "$.accessibility"] == [
        ("$.accessibility", "unknown accessibility code 'teleport' left out")
    ]
    assert Location.objects.get().accessibility == []  # this directory's codes replace the site's


def test_a_new_importer_reads_an_unchanged_source_again(one, write_json, monkeypatch):
    """A field an earlier importer did not read (as accessibility was not) is read once the importer changes."""
    from hsds import importer

    one["service_at_locations"][0]["location"]["accessibility"] = [
        {"id": "8c1f6a3e-3f0e-4a57-9b1e-1b2f2d3c4e5f", "description": "Ramp at the side door"}
    ]
    path = write_json([one])
    import_hsds(path)
    Location.objects.update(accessibility_details="")  # as the importer before it left it
    import_hsds(path)  # the same importer: the unchanged record is skipped by its fingerprint
    assert Location.objects.get().accessibility_details == ""
    monkeypatch.setattr(importer, "READS", "a later importer")
    assert import_hsds(path).updated == 1
    assert Location.objects.get().accessibility_details == "Ramp at the side door"
