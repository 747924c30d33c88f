"""Merging one organization into another (stewardship.merge): its services, sites, phones, history, staff, ids in
imported sources and referrals move to the kept one in one transaction; the merged id answers with a pointer in the
REST and HSDS APIs; the match index follows; the merge is in the history and can be undone while nothing of the kept
organization changed since; only moderators merge, naming which of the pair to keep."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role
from hsds.models import ExternalId
from providers.models import Application, ListingChange, MergedId, Organization, Phone, Service
from referrals.models import Consent, Referral
from referrals.services import ClientContactInput, ConsentInput, referral_create
from stewardship.duplicates import organization_duplicates_find
from stewardship.models import DuplicateCandidate, Merge
from tests import factories

pytestmark = pytest.mark.django_db
NEAR = "29.76,-95.37"


@pytest.fixture
def twins(db):
    """Two listings of one shelter (one phone), each with a site and a service; a referral to the twin's."""
    kept = factories.organization(name="St. Mary's Shelter, Inc.")
    twin = factories.organization(name="Saint Marys Shelter")
    factories.phone(organization=kept, number="+17135550101")
    factories.phone(organization=twin, number="+1 713 555 0101")
    sites, services = {}, {}
    for org, lat in ((kept, 29.76), (twin, 29.7601)):
        sites[org.pk] = factories.location(org, latitude=lat, longitude=-95.37, name=f"{org.name} site")
        services[org.pk] = factories.service(org, name=f"{org.name} beds", needs=("emergency-shelter",))
        factories.offer(services[org.pk], sites[org.pk])
    staff = factories.user(Role.PROVIDER, organization=twin)
    ListingChange.objects.create(
        organization=twin, record_type="organization", record_id=twin.pk, field="name", before="Old",
        after=twin.name, source="direct", changed_at="2026-11-01T00:00Z",
    )  # fmt: skip
    ExternalId.objects.create(source="coalition", record_type="organization", external_id="org-9", record_id=twin.pk)
    offer = services[twin.pk].service_at_locations.get()
    # Received by the twin, with a client's contact and consent; and one the twin's staff sent.
    referral, _ = referral_create(
        sender=factories.user(Role.HOTLINE), service_at_location=offer, needs=offer.service.needs.all(),
        client_contact=ClientContactInput(name="A. Client", phone="+17135550199"),
        consent=ConsentInput(purpose="Intake call", expires_at=timezone.now() + timedelta(days=30)),
        idempotency_key="k1", request_hash="h1",
    )  # fmt: skip
    kept_offer = services[kept.pk].service_at_locations.get()
    sent, _ = referral_create(sender=staff, service_at_location=kept_offer, needs=kept_offer.service.needs.all(),
                              idempotency_key="k3", request_hash="h3")  # fmt: skip
    Application.objects.create(organization_name=twin.name, contact_name="X", contact_email="x@example.org",
                               details={}, organization=twin)  # fmt: skip
    other = factories.organization(name="Saint Marys Shelter Thrift Store")  # said not to be the twin: remembered
    DuplicateCandidate.objects.create(kind="organization", first_id=min(twin.pk, other.pk),
                                      second_id=max(twin.pk, other.pk), score=0.7, status="not_duplicate",
                                      found_at=timezone.now())  # fmt: skip
    organization_duplicates_find()
    pair = DuplicateCandidate.objects.get(status="open")
    return {"kept": kept, "twin": twin, "sites": sites, "services": services, "staff": staff, "referral": referral,
            "sent": sent, "pair": pair}  # fmt: skip


@pytest.fixture
def moderator_api():
    client = APIClient()
    client.force_authenticate(factories.user(Role.MODERATOR))
    return client


def merge(client, twins):
    return client.post(f"/api/duplicates/{twins['pair'].pk}/merge/", {"keep": str(twins["kept"].pk)}, format="json")


def test_a_merge_moves_everything_to_the_kept_organization_and_the_merged_id_points_to_it(moderator_api, twins, api):
    kept, twin = twins["kept"], twins["twin"]

    response = merge(moderator_api, twins)

    assert response.status_code == 200, response.content
    assert not Organization.objects.filter(pk=twin.pk).exists()
    assert set(Service.objects.filter(organization=kept).values_list("pk", flat=True)) == {
        s.pk for s in twins["services"].values()
    }
    assert kept.locations.count() == 2 and Phone.objects.filter(organization=kept).count() == 2
    twins["staff"].refresh_from_db()
    twins["referral"].refresh_from_db()
    assert twins["staff"].organization_id == kept.pk
    assert twins["referral"].receiving_organization_id == kept.pk
    assert ExternalId.objects.get(external_id="org-9").record_id == kept.pk
    assert Consent.objects.get().recipient_organization_id == kept.pk
    twins["sent"].refresh_from_db()
    assert twins["sent"].sender_organization_id == kept.pk
    assert Application.objects.get().organization_id == kept.pk
    assert {c.field for c in ListingChange.objects.filter(organization=kept)} >= {"name", "merged"}  # both histories
    assert list(DuplicateCandidate.objects.values_list("status", flat=True)) == ["not_duplicate"]  # kept
    assert response.json()["moved"]["accounts.User"] == 1  # counts, not ids
    pointer = api.get(f"/api/organizations/{twin.pk}/")
    assert pointer.status_code == 301 and pointer.json()["merged_into"] == str(kept.pk)
    assert pointer["Location"].endswith(f"/api/organizations/{kept.pk}/")
    hsds = api.get(f"/hsds/organizations/{twin.pk}")
    assert hsds.status_code == 301 and hsds.json()["merged_into"] == str(kept.pk)
    found = api.get("/api/match/", {"near": NEAR, "needs": "emergency-shelter"}).json()["results"]
    assert {r["organization"]["id"] for r in found} == {str(kept.pk)}  # the match index followed


def test_a_merge_can_be_undone_while_nothing_else_changed(moderator_api, twins, api):
    kept, twin = twins["kept"], twins["twin"]
    done = merge(moderator_api, twins).json()

    undone = moderator_api.post(f"/api/merges/{done['id']}/undo/")

    assert undone.status_code == 200, undone.content
    back = Organization.objects.get(pk=twin.pk)
    assert [getattr(back, f.attname) for f in Organization._meta.concrete_fields] == [
        getattr(twin, f.attname) for f in Organization._meta.concrete_fields
    ]  # as it was, to the microsecond
    assert Consent.objects.get().recipient_organization_id == twin.pk
    twins["sent"].refresh_from_db()
    assert twins["sent"].sender_organization_id == twin.pk and Application.objects.get().organization_id == twin.pk
    assert list(back.services.values_list("pk", flat=True)) == [twins["services"][twin.pk].pk]
    assert back.locations.count() == 1 and Phone.objects.filter(organization=back).count() == 1
    twins["referral"].refresh_from_db()
    twins["staff"].refresh_from_db()
    assert twins["referral"].receiving_organization_id == twin.pk and twins["staff"].organization_id == twin.pk
    assert ExternalId.objects.get(external_id="org-9").record_id == twin.pk
    assert ListingChange.objects.filter(organization=twin, field="name").exists()
    assert not MergedId.objects.exists() and api.get(f"/api/organizations/{twin.pk}/").status_code == 200
    assert ListingChange.objects.filter(organization=kept, field="unmerged").exists()
    again = moderator_api.post(f"/api/merges/{done['id']}/undo/")
    assert again.status_code == 409 and "undone already" in again.json()["merge"][0]


def test_an_undo_is_refused_once_the_kept_organization_changed(moderator_api, twins, client_for):
    done = merge(moderator_api, twins).json()
    service = twins["services"][twins["kept"].pk]
    staff = factories.user(Role.PROVIDER, organization=twins["kept"])
    changed = APIClient()
    changed.force_authenticate(staff)
    assert changed.patch(f"/api/services/{service.pk}/", {"alert": "Full tonight"}, format="json").status_code == 200

    refused = moderator_api.post(f"/api/merges/{done['id']}/undo/")

    assert refused.status_code == 409 and "changed since the merge" in refused.json()["merge"][0]
    assert not Organization.objects.filter(pk=twins["twin"].pk).exists()
    assert Merge.objects.get().undone_at is None


def test_a_referral_made_after_the_merge_refuses_the_undo(moderator_api, twins):
    done = merge(moderator_api, twins).json()
    offer = Service.objects.get(pk=twins["services"][twins["twin"].pk].pk).service_at_locations.get()  # as read now
    referral_create(sender=factories.user(Role.HOTLINE), service_at_location=offer, needs=offer.service.needs.all(),
                    idempotency_key="k2", request_hash="h2")  # fmt: skip

    refused = moderator_api.post(f"/api/merges/{done['id']}/undo/")

    assert refused.status_code == 409
    assert Referral.objects.filter(receiving_organization=twins["kept"]).count() == 3  # the twin's, its own, the new


@pytest.mark.parametrize(
    "body, status, field",
    [({}, 400, "keep"), ({"keep": "not-a-uuid"}, 400, "keep"), ({"keep": "00000000-0000-4000-8000-000000000000"}, 400,
                                                                 "keep"), ({"keep": ["x"] * 3}, 400, "keep")],
)  # fmt: skip
def test_a_bad_merge_request_is_a_4xx_naming_the_field_and_changes_nothing(moderator_api, twins, body, status, field):
    response = moderator_api.post(f"/api/duplicates/{twins['pair'].pk}/merge/", body, format="json")

    assert response.status_code == status and field in response.json(), response.content
    assert (
        Organization.objects.filter(pk__in=[twins["kept"].pk, twins["twin"].pk]).count() == 2
        and not Merge.objects.exists()
    )


@pytest.mark.parametrize("role", [None, Role.PROVIDER, Role.HOTLINE])
def test_only_moderators_merge_and_undo(twins, role):
    client = APIClient()
    if role:
        client.force_authenticate(factories.user(role, organization=twins["kept"] if role == Role.PROVIDER else None))

    response = merge(client, twins)

    assert response.status_code in (401, 403)
    assert Organization.objects.filter(pk__in=[twins["kept"].pk, twins["twin"].pk]).count() == 2
    assert client.get("/api/merges/").status_code in (401, 403)


def test_a_pair_said_not_a_duplicate_is_not_merged(moderator_api, twins):
    moderator_api.post(f"/api/duplicates/{twins['pair'].pk}/not-a-duplicate/")

    assert merge(moderator_api, twins).status_code == 409
    assert Organization.objects.filter(pk__in=[twins["kept"].pk, twins["twin"].pk]).count() == 2


def test_ids_merged_into_a_merged_organization_point_at_the_last_one_kept(moderator_api, twins, api):
    merge(moderator_api, twins)
    third = factories.organization(name="Saint Mary Shelter")
    factories.phone(organization=third, number="+17135550101")
    organization_duplicates_find()
    pair = DuplicateCandidate.objects.get(status="open", first_id=min(third.pk, twins["kept"].pk),
                                          second_id=max(third.pk, twins["kept"].pk))  # fmt: skip

    moved = moderator_api.post(f"/api/duplicates/{pair.pk}/merge/", {"keep": str(third.pk)}, format="json")

    assert moved.status_code == 200, moved.content
    assert api.get(f"/api/organizations/{twins['twin'].pk}/").json()["merged_into"] == str(third.pk)
    assert api.get(f"/api/organizations/{twins['kept'].pk}/").json()["merged_into"] == str(third.pk)
    assert Merge.objects.get(merged_id=twins["twin"].pk).kept_id == third.pk  # the first merge's record, moved


def test_moderators_merge_from_the_moderation_page(twins):
    page = Client()
    page.force_login(factories.user(Role.MODERATOR))
    shown = page.get("/moderation/").content.decode()
    assert f'name="keep" value="{twins["kept"].pk}"' in shown and f'name="keep" value="{twins["twin"].pk}"' in shown

    wrong = page.post(f"/moderation/duplicates/{twins['pair'].pk}/merge/", {"keep": "nobody"})
    done = page.post(f"/moderation/duplicates/{twins['pair'].pk}/merge/", {"keep": str(twins["twin"].pk)})

    assert wrong.status_code == 302 and done.status_code == 302
    assert not Organization.objects.filter(pk=twins["kept"].pk).exists()  # the twin was kept
    assert Organization.objects.filter(pk=twins["twin"].pk).exists()
    assert Merge.objects.get().merged_id == twins["kept"].pk


def test_an_undo_moves_back_only_what_still_names_the_kept_organization(moderator_api, twins):
    done = merge(moderator_api, twins).json()
    elsewhere = factories.organization(name="Elsewhere")
    User.objects.filter(pk=twins["staff"].pk).update(organization=elsewhere)  # a staff account moved on since

    refused = moderator_api.post(f"/api/merges/{done['id']}/undo/")

    assert refused.status_code == 409 and "moved again" in refused.json()["merge"][0]
    assert not Organization.objects.filter(pk=twins["twin"].pk).exists()  # nothing half-done
    assert User.objects.get(pk=twins["staff"].pk).organization_id == elsewhere.pk


def test_merges_into_one_organization_undo_in_either_order(moderator_api, twins):
    first = merge(moderator_api, twins).json()
    third = factories.organization(name="St Marys Shelter Inc")
    factories.phone(organization=third, number="+17135550101")
    organization_duplicates_find()
    pair = DuplicateCandidate.objects.get(status="open", first_id=min(third.pk, twins["kept"].pk),
                                          second_id=max(third.pk, twins["kept"].pk))  # fmt: skip
    second = moderator_api.post(f"/api/duplicates/{pair.pk}/merge/", {"keep": str(twins["kept"].pk)}, format="json")

    assert moderator_api.post(f"/api/merges/{second.json()['id']}/undo/").status_code == 200
    assert moderator_api.post(f"/api/merges/{first['id']}/undo/").status_code == 200
    assert Organization.objects.filter(pk__in=[twins["twin"].pk, third.pk]).count() == 2
