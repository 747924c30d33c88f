"""Content Security Policy, request logs without client data, and rate limits on anonymous calls and geocoding."""

import json
import logging
import threading
import time

import pytest
from django.db import connection
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import RateCounter, User
from core.request_log import JsonFormatter, RedactFilter, redact
from core.throttles import count_hit


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
class TestContentSecurityPolicy:
    def test_pages_may_run_only_our_own_scripts_and_styles(self, client):
        policy = directives(client.get("/")["Content-Security-Policy"])

        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
        assert policy["form-action"] == ["'self'"] and policy["base-uri"] == ["'none'"]

    def test_with_no_tile_server_set_images_come_from_the_site_only(self, client):
        policy = directives(client.get("/")["Content-Security-Policy"])

        assert policy["img-src"] == ["'self'", "data:"]

    def test_a_tile_servers_origin_is_the_only_other_image_origin_allowed(self):
        from config.settings import _tile_origin

        assert _tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
        assert _tile_origin("https://{s}.tiles.example.org/{z}/{x}/{y}.png") == "https://*.tiles.example.org"
        assert _tile_origin("") is None

    @pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/services/", "/healthz"])
    def test_every_response_carries_the_policy(self, client, path):
        assert "Content-Security-Policy" in client.get(path)

    def test_only_the_admin_may_run_inline_scripts(self, client):
        client.force_login(User.objects.create_superuser("root", "root@example.org", "x" * 16))

        admin_policy = directives(client.get("/admin/")["Content-Security-Policy"])
        page_policy = directives(client.get("/")["Content-Security-Policy"])

        assert "'unsafe-inline'" in admin_policy["script-src"]
        assert "'unsafe-inline'" not in page_policy["script-src"]

    def test_api_docs_load_their_script_from_a_url_not_inline(self, client):
        page = client.get("/api/docs/")
        script = client.get("/api/docs/?script=")

        assert page.status_code == 200 and b"<script>" not in page.content
        assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
        assert "'unsafe-inline'" not in directives(page["Content-Security-Policy"])["script-src"]

    def test_no_page_template_has_inline_handlers(self, client):
        # The language switch and the print button used onchange/onclick attributes, which the policy blocks.
        html = client.get("/").content.decode()

        assert "onchange=" not in html and "onclick=" not in html and "<script>" not in html


class TestRedaction:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Not Found: /invitations/AbC123xyz/", "Not Found: /invitations/<token>/"),
            ('"GET /referrals/R-7F3K-2QX9/ HTTP/1.1" 200', '"GET /referrals/<code>/ HTTP/1.1" 200'),
            ("GET /api/referrals/R-7F3K-2QX9/events/", "GET /api/referrals/<code>/events/"),
            ("GET /api/match/?near=77002&needs=t-visa", "GET /api/match/?<query>"),
            ("GET /referrals/new/?offers=12", "GET /referrals/new/?<query>"),
            ("Referral R-7F3K-2QX9 was accepted", "Referral <code> was accepted"),
            ('File "/work/main/referrals/services.py", line 287', 'File "/work/main/referrals/services.py", line 287'),
        ],
    )
    def test_paths_lose_their_tokens_codes_and_query_strings(self, text, expected):
        assert redact(text) == expected

    def test_the_filter_rewrites_formatted_records(self):
        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "%s: %s", ("Not Found", "/invitations/s3cret/"), None
        )

        RedactFilter().filter(record)

        assert record.getMessage() == "Not Found: /invitations/<token>/"


@pytest.mark.django_db
class TestRequestLog:
    def log_of(self, caplog, call):
        with caplog.at_level(logging.INFO, logger="directory.request"):
            response = call()
        records = [r for r in caplog.records if r.name == "directory.request"]
        assert len(records) == 1
        return response, records[0]

    def test_a_request_is_logged_as_its_url_pattern_without_values(self, client, caplog, personas):
        client.force_login(personas["hotline"])

        response, record = self.log_of(caplog, lambda: client.get("/referrals/R-7F3K-2QX9/?tab=history"))

        line = JsonFormatter().format(record)
        assert response.status_code == 404
        assert "7F3K" not in line and "tab=history" not in line
        entry = json.loads(line)
        assert entry["route"] == "referrals/<str:code>/" and entry["status"] == 404
        assert entry["role"] == "hotline" and entry["user_id"] == personas["hotline"].pk
        assert entry["request_id"] == response["X-Request-ID"]

    def test_a_search_logs_neither_the_place_nor_the_needs(self, client, caplog):
        response, record = self.log_of(caplog, lambda: client.get("/api/match/?near=77002&needs=t-visa"))

        line = JsonFormatter().format(record)
        assert "77002" not in line and "t-visa" not in line
        assert json.loads(line)["route"] == "api/match/"

    def test_an_invitation_token_never_reaches_the_log(self, client, caplog):
        with caplog.at_level(logging.INFO):
            client.get("/invitations/secret-token-value/")

        handler_filter = RedactFilter()
        for record in caplog.records:
            handler_filter.filter(record)
            assert "secret-token-value" not in JsonFormatter().format(record)


@pytest.fixture
def fresh_rate_limits():
    RateCounter.objects.all().delete()


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_rate_limits")
class TestRateLimits:
    @pytest.fixture
    def rates(self, monkeypatch):
        """Set some rates for the test (DRF reads them into the throttle classes once, at import)."""

        def set_rates(**rates):
            monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **rates})

        return set_rates

    def test_anonymous_api_calls_are_limited_per_address(self, client, rates):
        rates(anon="3/minute")
        statuses = [client.get("/api/services/").status_code for _ in range(4)]
        other_address = client.get("/api/services/", REMOTE_ADDR="10.0.0.9")

        assert statuses == [200, 200, 200, 429]
        assert other_address.status_code == 200

    def test_signed_in_staff_are_not_held_to_the_anonymous_limit(self, client_for, rates):
        rates(anon="2/minute")
        statuses = {client_for("hotline").get("/api/services/").status_code for _ in range(4)}

        assert statuses == {200}

    def test_geocoding_is_limited_for_everyone(self, client_for, rates):
        rates(geocode="2/minute")
        statuses = [client_for("hotline").get("/api/geocode/", {"q": "77002"}).status_code for _ in range(3)]

        assert statuses == [200, 200, 429]

    def test_a_refusal_says_when_to_retry(self, client, rates):
        rates(anon="1/minute")
        client.get("/api/services/")
        refused = client.get("/api/services/")

        assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60


class TestCounter:
    @pytest.mark.django_db
    def test_a_new_window_starts_from_one(self):
        # Windows in the future: the occasional purge removes only counters whose window has ended.
        start = (int(time.time()) // 60 + 10) * 60

        assert count_hit("k", 60, now=start + 1.0) == (1, start + 60)
        assert count_hit("k", 60, now=start + 59.0) == (2, start + 60)

        assert count_hit("k", 60, now=start + 60.0) == (1, start + 120)

    @pytest.mark.django_db(transaction=True)
    def test_concurrent_workers_lose_no_count(self):
        """Eight connections counting at once (as eight gunicorn workers would): every hit is counted once.
        A read-then-write counter (DRF's cache-based throttles) loses hits here."""
        gate = threading.Barrier(8)
        now = time.time()
        results = []

        def worker():
            try:
                gate.wait()
                for _ in range(25):
                    results.append(count_hit("shared", 3600, now=now)[0])
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert RateCounter.objects.get(key="shared").hits == 200
        assert sorted(results) == list(range(1, 201))


def test_django_logs_only_through_the_redacting_handler():
    """Django's own console handler (DEBUG) and mail_admins would write raw paths and request bodies."""
    assert logging.getLogger("django").handlers == []
    root_handlers = logging.getLogger().handlers
    assert root_handlers and all(
        any(isinstance(f, RedactFilter) for f in handler.filters)
        for handler in root_handlers
        if handler.name == "console"
    )


def test_the_development_servers_raw_request_lines_go_nowhere(capsys):
    """runserver logs each request line, query string included, on django.server (4xx as warnings)."""
    logging.getLogger("django.server").warning('"GET /api/match/?near=77002&needs=t-visa HTTP/1.1" 400 39')

    assert "77002" not in capsys.readouterr().err
