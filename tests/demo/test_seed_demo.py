"""seed_demo: deterministic, realistic, clearly fictional demo data, and the demo accounts."""

import hashlib
import stat
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from accounts.models import User
from accounts.roles import Role, user_role
from coveragemap.models import CoverageMap
from demo.builder import demo_registry_load
from providers.models import NeedTerm, Organization, Schedule, VictimAssistanceSpecialist
from stewardship.duplicates import organization_duplicates_find
from stewardship.finders import duplicates_find
from stewardship.merge import organizations_merge
from stewardship.models import DuplicateCandidate

pytestmark = pytest.mark.django_db

FROZEN = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

DIGEST_QUERIES = [
    "SELECT id, name, description, email FROM providers_organization ORDER BY id",
    "SELECT id, organization_id, name, status, minimum_age, maximum_age, alert, last_verified_on "
    "FROM providers_service ORDER BY id",
    "SELECT service_id, needterm_id FROM providers_service_needs ORDER BY 1, 2",
    "SELECT service_id, language_id FROM providers_service_languages ORDER BY 1, 2",
    "SELECT service_id, population_id FROM providers_service_populations ORDER BY 1, 2",
    "SELECT id, latitude, longitude, public_latitude, public_longitude, is_confidential, time_zone, beds_total, "
    "beds_available, accepting_referrals FROM providers_location ORDER BY id",
    "SELECT id, location_id, address_1, city, postal_code FROM providers_address ORDER BY id",
    "SELECT id, number, is_front_door FROM providers_phone ORDER BY id",
    "SELECT id, location_id, weekday, opens_at, closes_at FROM providers_schedule ORDER BY id",
    "SELECT id, service_id, location_id FROM providers_serviceatlocation ORDER BY id",
    "SELECT id, name, ST_AsText(coverage_area) FROM providers_victimassistancespecialist ORDER BY id",
]


def registry_digest() -> str:
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for query in DIGEST_QUERIES:
            cursor.execute(query)
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


def wipe_registry():
    VictimAssistanceSpecialist.objects.all().delete()
    Organization.objects.all().delete()


@time_machine.travel(FROZEN, tick=False)
def test_same_seed_gives_the_same_data_and_another_seed_does_not():
    demo_registry_load(locations=150, seed=7)
    first = registry_digest()
    wipe_registry()
    demo_registry_load(locations=150, seed=7)
    assert registry_digest() == first
    wipe_registry()
    demo_registry_load(locations=150, seed=8)
    assert registry_digest() != first


class TestSeedCommand:
    def test_creates_accounts_for_every_role_and_keeps_the_logins_private(self, settings, tmp_path, capsys):
        settings.DEMO_LOGINS_FILE = str(tmp_path / ".demo-logins")
        call_command("seed_demo", "--locations", "40", "--seed", "2")
        printed = capsys.readouterr().out
        # The duplicate queue holds pairs of every kind (demo.twins planted them).
        assert set(DuplicateCandidate.objects.values_list("kind", flat=True)) == {"organization", "service", "location"}
        assert "Possible duplicates for the moderation queue" in printed
        # The coverage page has a map of every need from the start (no counties are loaded here: empty maps).
        assert CoverageMap.objects.filter(language="").count() == NeedTerm.objects.count()
        roles = {user_role(user) for user in User.objects.filter(username__startswith="demo-")}
        assert roles == {Role.HOTLINE, Role.SPECIALIST, Role.PROVIDER, Role.MODERATOR, None}
        assert User.objects.get(username="demo-admin").is_superuser
        provider = User.objects.get(username="demo-provider")
        assert provider.organization.locations.filter(is_confidential=True).exists()
        logins = (tmp_path / ".demo-logins").read_text()
        assert "demo-hotline" in logins and logins.splitlines()[0].split()[-1] in printed
        assert stat.S_IMODE((tmp_path / ".demo-logins").stat().st_mode) == 0o600
        hotline_password = next(line.split()[2] for line in logins.splitlines() if "demo-hotline" in line)
        assert User.objects.get(username="demo-hotline").check_password(hotline_password)

    def test_if_empty_leaves_existing_data_alone(self, settings, tmp_path):
        settings.DEMO_LOGINS_FILE = str(tmp_path / ".demo-logins")
        call_command("seed_demo", "--locations", "30", "--no-users")
        before = Organization.objects.count()
        call_command("seed_demo", "--if-empty")
        assert Organization.objects.count() == before
        with pytest.raises(CommandError):
            call_command("seed_demo", "--locations", "30")

    def test_rejects_a_non_positive_size(self):
        with pytest.raises(CommandError):
            call_command("seed_demo", "--locations", "0")


def foreign_keys() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text LIKE 'providers_%%' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def test_bulk_load_restores_every_foreign_key():
    before = foreign_keys()
    assert len(before) >= 15
    demo_registry_load(locations=20, seed=1)
    assert foreign_keys() == before
    with pytest.raises(IntegrityError), transaction.atomic():
        Schedule.objects.create(
            location_id="00000000-0000-4000-8000-000000000000", weekday=1, opens_at="09:00", closes_at="10:00"
        )
        connection.check_constraints()


@time_machine.travel(FROZEN, tick=False)
def test_organizations_planted_twice_are_found_with_their_evidence_and_merge():
    builder = demo_registry_load(locations=150, seed=7)
    organization_duplicates_find()

    assert len(builder.twins) == 3
    for original, twin in builder.twins:
        pair = DuplicateCandidate.objects.get(first_id=min(original, twin), second_id=max(original, twin))
        assert pair.evidence["phone"] and pair.evidence["sites_apart_m"] < 10, pair.evidence
        assert pair.score >= 0.9
    # And one organization's service and another's site, each listed twice.
    duplicates_find(kinds=["service", "location"])
    for kind, original, copy in builder.listed_twice:
        pair = DuplicateCandidate.objects.get(kind=kind, first_id=min(original, copy), second_id=max(original, copy))
        assert pair.evidence["same_organization"] and pair.evidence["sites_apart_m"] < 10, pair.evidence
    site = DuplicateCandidate.objects.get(kind="location", first_id__in=builder.listed_twice[1][1:])
    assert site.evidence["same_address"] and site.evidence["phone"] and site.score >= 0.9
    # The twins' services are pairs across two organizations, naming the organizations' pair: those whose names are
    # not common (many demo services are called "Case Management": such a name in one building says nothing).
    copies = DuplicateCandidate.objects.filter(kind="service", evidence__same_organization=False)
    assert copies.count() >= 1 and all(pair.evidence["organization_pair"] for pair in copies)
    original, twin = builder.twins[0]
    organizations_merge(kept_id=original, merged_id=twin, user=None)
    assert not Organization.objects.filter(pk=twin).exists()
