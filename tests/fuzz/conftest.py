"""The fuzz tests' seeded registry and request fixtures (defined with the schemathesis run), for every module here."""

from tests.fuzz.test_api_fuzz import in_process_requests, registry, tokens, unthrottled  # noqa: F401
