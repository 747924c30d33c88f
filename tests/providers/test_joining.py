"""Joining and vetting: applications, invitations (single-use, expiring tokens), suggestions, rate limits."""

import copy
import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from geopy.distance import geodesic
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import RateCounter, User
from accounts.roles import Role, user_role
from matching.models import MatchCandidate
from notifications.models import OutboxMessage
from providers.models import (
    Application,
    Invitation,
    ListingChange,
    Organization,
    RecordType,
    ServiceAtLocation,
    Suggestion,
)
from tests import factories

pytestmark = pytest.mark.django_db

APPLICATIONS, INVITATIONS, ACCEPT, SUGGESTIONS = (
    "/api/applications/", "/api/invitations/", "/api/invitations/accept/", "/api/suggestions/",
)  # fmt: skip
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
NEW_PASSWORD = "lantern-orchard-compass-97"
# Everyone but a moderator, with the status they get on a moderator-only endpoint.
NOT_MODERATORS = [(None, 401), ("hotline", 403), ("provider", 403), ("other_provider", 403)]

APPLICATION = {
    "contact_name": "Dana Director",
    "contact_email": "dana@harbor.example",
    "organization": {"name": "Harbor House", "description": "Shelter and advocacy.", "email": "intake@harbor.example"},
    "locations": [
        {"name": "Harbor Safe House", "is_confidential": True,
         "address": {"address_1": "12 Hidden Way", "city": "Houston", "state_province": "TX", "postal_code": "77002"}},
        {"name": "Harbor Office",
         "address": {"address_1": "1 Main St", "city": "Denver", "state_province": "CO", "postal_code": "80202"}},
    ],
    "services": [
        {"name": "Emergency shelter", "needs": ["emergency-shelter", "safety-planning"], "populations": ["women"],
         "languages": ["en", "es"], "minimum_age": 18},
        {"name": "Legal advocacy", "needs": ["legal"]},
    ],
}  # fmt: skip


@pytest.fixture(autouse=True)
def clear_cache(db, settings):
    """Start every test from zero rate-limit counts (and geocode offline)."""
    RateCounter.objects.all().delete()
    settings.GEOCODER = "gazetteer"


@pytest.fixture
def low_rates(settings, monkeypatch):
    """Lower every anonymous rate to 2/hour. ScopedRateThrottle copies the rates into a class attribute at
    import, so the settings override alone would not reach it."""
    rates = {"applications": "2/hour", "suggestions": "2/hour", "invitations": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)


def apply(api, body=None) -> Application:
    response = api.post(APPLICATIONS, body or APPLICATION, format="json")
    assert response.status_code == 201, response.content
    return Application.objects.get(pk=response.json()["id"])


def emailed_token(to_email: str) -> str:
    """Return the token of the latest invitation link emailed to an address (it exists nowhere else)."""
    message = OutboxMessage.objects.filter(kind="invitation", to_email=to_email).latest("id")
    return re.search(r"/invitations/([^/\s]+)/", message.body).group(1)


@pytest.fixture
def moderator_api(client_for):
    return client_for("moderator")


@pytest.fixture
def invite(moderator_api, provider_org):
    """Return a function inviting an email address to manage provider_org; it returns the emailed token."""

    def make(email="new.staff@own.example") -> str:
        response = moderator_api.post(INVITATIONS, {"organization": str(provider_org.pk), "email": email})
        assert response.status_code == 201, response.content
        return emailed_token(email)

    return make


def accept(api, token, username="new.staff", password=NEW_PASSWORD):
    return api.post(ACCEPT, {"token": token, "username": username, "password": password}, format="json")


# --- applications ---------------------------------------------------------------------------------------


class TestApply:
    def test_anyone_may_apply_and_the_application_waits_for_review(self, api):
        application = apply(api)
        assert application.status == Application.Status.PENDING
        assert application.organization_name == "Harbor House"
        assert application.contact_email == "dana@harbor.example"
        assert application.details["services"][0]["needs"] == ["emergency-shelter", "safety-planning"]
        assert not Organization.objects.filter(name="Harbor House").exists()

    @pytest.mark.parametrize(
        ("change", "path"),
        [
            (lambda b: b["organization"].pop("name"), "organization.name"),
            (lambda b: b.update(locations=[]), "locations"),
            (lambda b: b.update(services=[]), "services"),
            (lambda b: b["services"][0].update(needs=["flying-carpets"]), "services.0.needs"),
            (lambda b: b["services"][1].update(needs=[]), "services.1.needs"),
            (lambda b: b["locations"][0]["address"].update(postal_code="7700"), "locations.0.address.postal_code"),
            (lambda b: b["services"][0].update(minimum_age=30, maximum_age=20), "services.0.maximum_age"),
            (lambda b: b["locations"][1].update(time_zone="Mars/Olympus_Mons"), "locations.1.time_zone"),
            (lambda b: b.update(contact_email="not-an-email"), "contact_email"),
        ],
        ids=["no-org-name", "no-locations", "no-services", "unknown-need", "service-without-needs", "bad-zip",
             "min-age-above-max", "bad-time-zone", "bad-email"],
    )  # fmt: skip
    def test_bad_application_is_a_400_naming_the_field_and_writes_nothing(self, api, change, path):
        body = copy.deepcopy(APPLICATION)
        change(body)
        response = api.post(APPLICATIONS, body, format="json")
        assert response.status_code == 400, response.content
        errors = response.json()
        for step in path.split("."):  # list items are keyed by their index
            errors = errors[step]
        assert errors, response.json()
        assert not Application.objects.exists()


class TestReviewApplications:
    @pytest.fixture
    def application(self, api):
        return apply(api)

    @pytest.mark.parametrize(("persona", "expected"), [*NOT_MODERATORS, ("moderator", None)])
    @pytest.mark.parametrize("action", ["list", "retrieve", "approve", "reject"])
    def test_only_moderators_see_and_review_the_queue(self, client_for, application, action, persona, expected):
        client, detail = client_for(persona), f"{APPLICATIONS}{application.pk}/"
        response = {
            "list": lambda: client.get(APPLICATIONS),
            "retrieve": lambda: client.get(detail),
            "approve": lambda: client.post(f"{detail}approve/"),
            "reject": lambda: client.post(f"{detail}reject/", {"reason": "Not a victim service."}),
        }[action]()
        assert response.status_code == (expected or 200), response.content
        application.refresh_from_db()
        assert (application.status == Application.Status.PENDING) == (
            expected is not None or action in ("list", "retrieve")
        )

    def test_moderator_lists_by_status(self, moderator_api, api, application):
        rejected = apply(api, {**APPLICATION, "organization": {**APPLICATION["organization"], "name": "Spam Inc"}})
        moderator_api.post(f"{APPLICATIONS}{rejected.pk}/reject/", {"reason": "Spam."})
        body = moderator_api.get(APPLICATIONS, {"status": "pending"}).json()
        assert [row["id"] for row in body["results"]] == [application.pk]
        assert body["results"][0]["details"]["contact_email"] == "dana@harbor.example"

    def test_approval_creates_the_listings_and_invites_the_contact(
        self, moderator_api, personas, application, time_machine
    ):
        time_machine.move_to(NOW, tick=False)
        response = moderator_api.post(f"{APPLICATIONS}{application.pk}/approve/")
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["reviewed_by"]) == ("approved", personas["moderator"].username)
        org = Organization.objects.get(pk=body["organization"])
        assert (org.name, org.email) == ("Harbor House", "intake@harbor.example")
        sites = {loc.name: loc for loc in org.locations.prefetch_related("addresses")}
        shelter, office = sites["Harbor Safe House"], sites["Harbor Office"]
        assert shelter.is_confidential and not office.is_confidential
        assert [a.address_1 for a in shelter.addresses.all()] == ["12 Hidden Way"]
        assert shelter.latitude is not None, "the gazetteer locates the site from its ZIP"
        moved_m = geodesic((shelter.latitude, shelter.longitude), (shelter.public_latitude, shelter.public_longitude)).m
        low_m, high_m = django_settings.CONFIDENTIAL_DISPLACEMENT_M
        assert low_m - 1 <= moved_m <= high_m + 1
        assert (office.public_latitude, office.public_longitude) == (office.latitude, office.longitude)
        assert (shelter.time_zone, office.time_zone) == ("America/Chicago", "America/Denver")  # from the ZIPs
        services = {svc.name: svc for svc in org.services.all()}
        assert set(services) == {"Emergency shelter", "Legal advocacy"}
        offered = services["Emergency shelter"]
        codes = {f: sorted(getattr(offered, f).values_list("code", flat=True)) for f in ("needs", "languages")}
        assert codes == {"needs": ["emergency-shelter", "safety-planning"], "languages": ["en", "es"]}
        assert list(offered.populations.values_list("code", flat=True)) == ["women"]
        assert offered.minimum_age == 18
        assert {svc.last_verified_on for svc in services.values()} == {NOW.date()}
        assert ServiceAtLocation.objects.filter(service__organization=org).count() == 4
        indexed = MatchCandidate.objects.filter(organization_id=org.pk)
        assert set(indexed.values_list("service_id", flat=True)) == {svc.pk for svc in services.values()}
        assert set(indexed.values_list("location_id", flat=True)) == {shelter.pk, office.pk}
        history = ListingChange.objects.get(organization=org)
        assert (history.field, history.source, history.after) == ("created", "application", org.name)
        assert history.changed_by == personas["moderator"]
        invitation, message = Invitation.objects.get(organization=org), OutboxMessage.objects.get(kind="invitation")
        assert invitation.email == message.to_email == "dana@harbor.example"
        token = emailed_token("dana@harbor.example")
        assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert f"{django_settings.SITE_URL}/invitations/{token}/" in message.body
        application.refresh_from_db()
        assert application.details["locations"][0]["address"]["postal_code"] == "77002", "kept as sent"
        assert accept(APIClient(), token, username="dana").status_code == 201
        assert User.objects.get(username="dana").organization == org, "the contact becomes its provider"

    @pytest.mark.parametrize(("first", "second"), [("approve", "approve"), ("approve", "reject"),
                                                   ("reject", "reject"), ("reject", "approve")])  # fmt: skip
    def test_reviewing_twice_is_a_conflict(self, moderator_api, application, first, second):
        detail = f"{APPLICATIONS}{application.pk}/"
        assert moderator_api.post(f"{detail}{first}/", {"reason": "Out of scope."}).status_code == 200
        assert moderator_api.post(f"{detail}{second}/", {"reason": "Again."}).status_code == 409
        application.refresh_from_db()
        assert application.review_reason == ("Out of scope." if first == "reject" else "")
        assert Organization.objects.filter(name="Harbor House").count() == (first == "approve")
        assert OutboxMessage.objects.count() == (first == "approve")

    @pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
    def test_rejection_needs_a_reason(self, moderator_api, application, body):
        response = moderator_api.post(f"{APPLICATIONS}{application.pk}/reject/", body, format="json")
        assert response.status_code == 400 and "reason" in response.json()
        application.refresh_from_db()
        assert application.status == Application.Status.PENDING


# --- invitations ----------------------------------------------------------------------------------------


class TestInvitations:
    @pytest.mark.parametrize(("persona", "expected"), NOT_MODERATORS)
    def test_only_moderators_invite(self, client_for, provider_org, persona, expected):
        response = client_for(persona).post(INVITATIONS, {"organization": str(provider_org.pk), "email": "x@y.org"})
        assert response.status_code == expected
        assert not Invitation.objects.exists() and not OutboxMessage.objects.exists()

    def test_token_is_only_in_the_email_and_only_its_hash_is_stored(self, moderator_api, provider_org):
        response = moderator_api.post(INVITATIONS, {"organization": str(provider_org.pk), "email": "n@own.example"})
        assert response.status_code == 201
        assert set(response.json()) == {"id", "organization", "email", "created_at", "expires_at", "accepted_at"}
        token = emailed_token("n@own.example")
        assert len(token) >= 32 and token not in response.content.decode()
        assert token not in repr(list(Invitation.objects.values()))
        assert Invitation.objects.get().token_hash == hashlib.sha256(token.encode()).hexdigest()

    @pytest.mark.parametrize(
        ("organization", "email", "field"),
        [("unknown", "n@own.example", "organization"), (None, "n@own.example", "organization"),
         ("own", "nope", "email")],
        ids=["unknown-org", "no-org", "bad-email"],
    )  # fmt: skip
    def test_bad_invitation_is_a_400_naming_the_field(self, moderator_api, provider_org, organization, email, field):
        organization = {"unknown": str(uuid.uuid4()), "own": str(provider_org.pk)}.get(organization)
        body = {"email": email} | ({"organization": organization} if organization else {})
        response = moderator_api.post(INVITATIONS, body)
        assert response.status_code == 400 and field in response.json()
        assert not Invitation.objects.exists()

    def test_accepting_creates_a_provider_of_that_organization_who_can_sign_in(self, api, invite, provider_org):
        response = accept(api, invite("new.staff@own.example"))
        assert response.status_code == 201, response.content
        assert response.json() == {"username": "new.staff", "organization": str(provider_org.pk)}
        user = User.objects.get(username="new.staff")
        assert (user.organization, user.email, user_role(user)) == (provider_org, "new.staff@own.example", "provider")
        assert user.has_usable_password()
        invitation = Invitation.objects.get()
        assert invitation.accepted_at is not None and invitation.accepted_user == user
        login = api.post("/api/auth/token/", {"username": "new.staff", "password": NEW_PASSWORD})
        assert login.status_code == 200 and login.json()["token"]

    def test_token_works_once_and_unknown_tokens_not_at_all(self, api, invite):
        token = invite()
        assert accept(api, token).status_code == 201
        for used_or_unknown in (token, "not-a-real-token"):
            response = accept(api, used_or_unknown, username="someone.else")
            assert response.status_code == 400 and "token" in response.json()
        assert not User.objects.filter(username="someone.else").exists()

    @pytest.mark.parametrize(("age", "expected"), [(timedelta(hours=-1), 201), (timedelta(seconds=1), 400)])
    def test_token_expires(self, api, invite, time_machine, age, expected):
        time_machine.move_to(NOW, tick=False)
        token = invite()
        time_machine.move_to(NOW + timedelta(days=django_settings.INVITATION_EXPIRE_DAYS) + age, tick=False)
        response = accept(api, token)
        assert response.status_code == expected, response.content
        if expected == 400:
            assert "token" in response.json()
            assert not User.objects.filter(username="new.staff").exists()

    @pytest.mark.parametrize("password", ["short", "password1234", "123456789012345"])
    def test_weak_password_is_refused_and_the_invitation_stays_unused(self, api, invite, password):
        token = invite()
        response = accept(api, token, password=password)
        assert response.status_code == 400 and "password" in response.json()
        assert Invitation.objects.get().accepted_at is None
        assert not User.objects.filter(username="new.staff").exists()
        assert accept(api, token).status_code == 201, "the link still works"

    @pytest.mark.parametrize("spelling", [str, str.upper])
    def test_taken_username_is_refused(self, api, invite, personas, spelling):
        token = invite()
        response = accept(api, token, username=spelling(personas["hotline"].username))
        assert response.status_code == 400 and "username" in response.json()
        assert Invitation.objects.get().accepted_at is None
        assert user_role(User.objects.get(pk=personas["hotline"].pk)) == Role.HOTLINE

    def test_web_page_creates_the_account(self, client, invite, provider_org):
        token = invite()
        page = client.get(f"/invitations/{token}/")
        assert page.status_code == 200 and b'name="password"' in page.content
        done = client.post(f"/invitations/{token}/", {"username": "web.staff", "password": NEW_PASSWORD})
        assert done.status_code == 200 and b"Your account is ready" in done.content
        assert User.objects.get(username="web.staff").organization == provider_org

    def test_web_page_shows_an_error_for_a_used_token(self, client, invite):
        token = invite()
        client.post(f"/invitations/{token}/", {"username": "web.staff", "password": NEW_PASSWORD})
        again = client.post(f"/invitations/{token}/", {"username": "web.other", "password": NEW_PASSWORD})
        assert again.status_code == 200
        assert b"already used" in again.content and b"Your account is ready" not in again.content
        assert not User.objects.filter(username="web.other").exists()


# --- suggestions ----------------------------------------------------------------------------------------


LISTING_RECORDS = {  # a record of each type that belongs to an organization
    RecordType.ORGANIZATION: lambda org: org,
    RecordType.SERVICE: factories.service,
    RecordType.LOCATION: factories.location,
    RecordType.PHONE: lambda org: factories.phone(location=factories.location(org)),
}


def suggest(api, record, record_type, address="127.0.0.1", forwarded_for=None, **fields):
    body = {"record_type": record_type, "record_id": str(record.pk), "message": "The phone number is wrong."}
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return api.post(SUGGESTIONS, {**body, **fields}, format="json", REMOTE_ADDR=address, **headers)


class TestSuggestions:
    @pytest.fixture
    def suggestion(self, api, provider_org) -> Suggestion:
        response = suggest(api, provider_org, RecordType.ORGANIZATION)
        return Suggestion.objects.get(pk=response.json()["id"])

    @pytest.mark.parametrize("record_type", list(RecordType))
    def test_anyone_reports_a_record_and_it_lands_in_the_queue_with_its_organization(
        self, api, moderator_api, provider_org, record_type
    ):
        record = LISTING_RECORDS[record_type](provider_org)
        response = suggest(api, record, record_type, reporter_email="caller@example.org")
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "open"
        (row,) = moderator_api.get(SUGGESTIONS).json()["results"]
        assert row["id"] == response.json()["id"]
        assert (row["organization"], row["record_type"], row["record_id"]) == (
            str(provider_org.pk), record_type, str(record.pk),
        )  # fmt: skip
        assert row["reporter_email"] == "caller@example.org"

    @pytest.mark.parametrize(
        ("record_type", "record_id", "field"),
        [(RecordType.SERVICE, "random", "record_id"), (RecordType.SERVICE, "org", "record_id"),
         ("referral", "org", "record_type"), (RecordType.ORGANIZATION, "not-a-uuid", "record_id")],
        ids=["unknown-record", "record-of-another-type", "bad-record-type", "bad-uuid"],
    )  # fmt: skip
    def test_bad_report_is_a_400_naming_the_field(self, api, provider_org, record_type, record_id, field):
        record_id = {"random": str(uuid.uuid4()), "org": str(provider_org.pk)}.get(record_id, record_id)
        response = api.post(SUGGESTIONS, {"record_type": record_type, "record_id": record_id, "message": "Wrong."})
        assert response.status_code == 400 and field in response.json()
        assert not Suggestion.objects.exists()

    @pytest.mark.parametrize(("persona", "expected"), [*NOT_MODERATORS, ("moderator", None)])
    @pytest.mark.parametrize("action", ["list", "retrieve", "resolve"])
    def test_only_moderators_work_the_queue(self, client_for, suggestion, action, persona, expected):
        # "provider" is staff of the organization the suggestion concerns.
        client, detail = client_for(persona), f"{SUGGESTIONS}{suggestion.pk}/"
        response = {
            "list": lambda: client.get(SUGGESTIONS),
            "retrieve": lambda: client.get(detail),
            "resolve": lambda: client.post(f"{detail}resolve/", {"status": "resolved"}),
        }[action]()
        assert response.status_code == (expected or 200), response.content
        suggestion.refresh_from_db()
        assert (suggestion.status == "open") == (expected is not None or action != "resolve")

    def test_moderator_lists_by_status(self, api, moderator_api, provider_org, suggestion):
        other = Suggestion.objects.get(pk=suggest(api, provider_org, RecordType.ORGANIZATION).json()["id"])
        moderator_api.post(f"{SUGGESTIONS}{other.pk}/resolve/", {"status": "dismissed"})
        for status, expected in [("open", suggestion), ("dismissed", other)]:
            body = moderator_api.get(SUGGESTIONS, {"status": status}).json()
            assert [row["id"] for row in body["results"]] == [expected.pk]

    @pytest.mark.parametrize("status", ["resolved", "dismissed"])
    def test_resolving_records_who_and_why_and_works_once(self, moderator_api, personas, suggestion, status):
        url = f"{SUGGESTIONS}{suggestion.pk}/resolve/"
        response = moderator_api.post(url, {"status": status, "note": "Called them; fixed."})
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["resolution_note"]) == (status, "Called them; fixed.")
        assert body["resolved_by"] == personas["moderator"].username and body["resolved_at"]
        assert moderator_api.post(url, {"status": "resolved"}).status_code == 409

    @pytest.mark.parametrize("status", ["open", "fixed", ""])
    def test_resolving_needs_a_final_status(self, moderator_api, suggestion, status):
        response = moderator_api.post(f"{SUGGESTIONS}{suggestion.pk}/resolve/", {"status": status})
        assert response.status_code == 400 and "status" in response.json()


# --- rate limits ----------------------------------------------------------------------------------------


class TestRateLimits:
    @pytest.fixture
    def anonymous_post(self, api, provider_org, invite):
        """Return (a function making one anonymous request to an endpoint, its normal status)."""
        token = invite()

        def make(endpoint, address):
            if endpoint == "applications":
                return api.post(APPLICATIONS, APPLICATION, format="json", REMOTE_ADDR=address), 201
            if endpoint == "suggestions":
                return suggest(api, provider_org, RecordType.ORGANIZATION, address), 201
            body = {"token": token, "username": "x", "password": "weak"}  # 400: only the throttle matters
            return api.post(ACCEPT, body, format="json", REMOTE_ADDR=address), 400

        return make

    @pytest.mark.parametrize("endpoint", ["applications", "suggestions", "invitations"])
    def test_anonymous_endpoint_refuses_past_its_rate_per_client_address(self, low_rates, anonymous_post, endpoint):
        for _ in range(2):
            response, normal = anonymous_post(endpoint, "198.51.100.7")
            assert response.status_code == normal, response.content
        refused, _ = anonymous_post(endpoint, "198.51.100.7")
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        response, normal = anonymous_post(endpoint, "203.0.113.9")
        assert response.status_code == normal, "another address has its own count"

    def test_refused_requests_write_nothing_and_counts_live_in_the_database(self, low_rates, api):
        for _ in range(3):
            api.post(APPLICATIONS, APPLICATION, format="json", REMOTE_ADDR="198.51.100.7")
        assert Application.objects.count() == 2
        counter = RateCounter.objects.get(key="throttle_applications_198.51.100.7")  # DRF's throttle_<scope>_<address>
        assert counter.hits == 3

    def test_forged_forwarded_for_header_does_not_reset_the_count(self, low_rates, api, provider_org):
        """No proxy is declared (REST_FRAMEWORK has no NUM_PROXIES), so the client address is REMOTE_ADDR: a
        client must not get a fresh count by sending a new X-Forwarded-For header with every request."""
        statuses = [
            suggest(api, provider_org, RecordType.ORGANIZATION, "198.51.100.7", forwarded_for=f"192.0.2.{n}")
            for n in range(3)
        ]
        assert [response.status_code for response in statuses] == [201, 201, 429]

    def test_configured_rates_apply_without_override(self, api):
        limit = int(ScopedRateThrottle.THROTTLE_RATES["applications"].split("/")[0])
        statuses = [api.post(APPLICATIONS, {}, format="json").status_code for _ in range(limit + 1)]
        assert statuses == [400] * limit + [429]


def test_usernames_are_unique_whatever_their_case(db):
    from django.db import IntegrityError, transaction

    User.objects.create(username="dana")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="Dana")


def test_a_delivered_invitation_no_longer_holds_its_link(client_for, provider_org):
    from notifications.services import outbox_deliver

    client_for("moderator").post(INVITATIONS, {"organization": str(provider_org.pk), "email": "x@own.example"})
    assert "/invitations/" in OutboxMessage.objects.get().body

    outbox_deliver()

    message = OutboxMessage.objects.get()
    assert message.status == "sent" and "/invitations/" not in message.body


def test_an_unsent_invitation_link_is_not_readable_in_the_database(client_for, provider_org, settings):
    """The outbox body is encrypted at rest: a dump or replica shows no usable token, and a message given up on
    keeps no link either."""
    from django.db import connection

    from notifications.services import outbox_deliver

    client_for("moderator").post(INVITATIONS, {"organization": str(provider_org.pk), "email": "x@own.example"})
    link = next(word for word in OutboxMessage.objects.get().body.split() if "/invitations/" in word)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM notifications_outboxmessage")
        (stored,) = cursor.fetchone()
    assert token not in stored and "/invitations/" not in stored

    settings.EMAIL_BACKEND = "tests.providers.test_joining.RefusingBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    outbox_deliver()
    message = OutboxMessage.objects.get()
    assert message.status == "failed" and token not in message.body

    # The admin's "Retry now" leaves it alone: sending it again would only send the placeholder.
    from django.contrib import admin

    admin.site._registry[OutboxMessage].retry_now(None, OutboxMessage.objects.all())
    assert OutboxMessage.objects.get().status == "failed"


class RefusingBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
