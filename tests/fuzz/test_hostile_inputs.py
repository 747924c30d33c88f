"""The inputs an attacker tries first, sent to every operation of the API schema as every role, and to the pages:
no answer may be a server error (core/input.py, and each query's own bounds).

The schemathesis run (test_api_fuzz.py) draws random inputs; this one sends the known-bad shapes to all of them:
deeply nested JSON, NUL characters, numbers out of range, dates in year 9999, huge texts and bodies.
"""

import json
import re

import pytest
from django.test import Client

from tests.fuzz.test_api_fuzz import REAL, _kind_for, served_schema

ROLES = ["anonymous", "hotline", "provider", "moderator"]
SCHEMA = served_schema()
OPERATIONS = [
    (method.upper(), path, spec)
    for path, methods in SCHEMA["paths"].items()
    if path.startswith(("/api/", "/hsds/"))
    for method, spec in methods.items()
    if method in {"get", "post", "put", "patch", "delete"}
]
WITH_BODY = [(m, p, s) for m, p, s in OPERATIONS if "requestBody" in s]
WITH_QUERY = [(m, p, s) for m, p, s in OPERATIONS if any(q.get("in") == "query" for q in s.get("parameters", []))]
HOSTILE_VALUES = {
    "nul": "a\x00b",
    "year 9999 month": "9999-12",
    "year 9999 date": "9999-12-31",
    "year 9999 time": "9999-12-31T23:59:59-12:00",
    "year 1 time": "0001-01-01T00:00:00+14:00",
    "huge float": "1e309",
    "huge negative": "-1e309",
    "nan": "NaN",
    "huge integer": "9" * 40,
    "long text": "x" * 20_000,
    "many commas": ",".join(["t-visa"] * 400),
    "bbox out of range": "-1e300,-1e300,1e300,1e300",
}
DEEP = 5000


def _path(template: str) -> str:
    """The operation's path with its parameters naming a real row of the seeded registry where one fits."""
    kind = _kind_for(template)
    values = REAL.get(kind) or ["00000000-0000-0000-0000-000000000000"]
    return re.sub(r"\{[^}]+\}", values[0], template)


def _client(tokens, role: str) -> Client:
    headers = {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"} if tokens[role] else {}
    return Client(raise_request_exception=False, **headers)


def _send(client: Client, method: str, path: str, *, body: bytes | None = None, query: dict | None = None):
    if body is None:
        return client.generic(method, path + _query(query), content_type="application/json")
    return client.generic(method, path + _query(query), data=body, content_type="application/json")


def _query(query: dict | None) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(query) if query else ""


def _ids(operations):
    return [f"{method} {path}" for method, path, _ in operations]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "spec"), WITH_BODY, ids=_ids(WITH_BODY))
def test_malformed_bodies_are_refused_not_crashed(method, path, spec, role, tokens):
    """Nested 5,000 deep, NUL in a key and a value, numbers beyond a double and an integer of 5,000 digits, and a
    body over the size limit: never a server error, and never accepted."""
    client = _client(tokens, role)
    bodies = {
        "nested object": ('{"a":' * DEEP + "1" + "}" * DEEP).encode(),
        "nested list": ("[" * DEEP + "]" * DEEP).encode(),
        "nul": json.dumps({"name": "a\x00b", "k\x00": "v", "needs": ["\x00"]}).encode(),
        "huge float": b'{"limit": 1e999, "age": 1e999, "beds_available": 1e999}',
        "huge integer": b'{"limit": ' + b"9" * 5000 + b"}",
        "too large": json.dumps({"name": "x" * (1024 * 1024 + 10)}).encode(),
    }
    for name, body in bodies.items():
        response = _send(client, method, _path(path), body=body)
        assert response.status_code < 500, (name, response.status_code, response.content[:300])
        assert response.status_code not in (200, 201), (name, response.status_code, response.content[:300])


@pytest.mark.parametrize("role", ["anonymous", "provider", "hotline"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/match/"),
        ("POST", "/api/auth/token/"),
        ("POST", "/api/suggestions/"),
        ("POST", "/api/applications/"),
        ("POST", "/api/invitations/accept/"),
    ],
)
def test_nested_json_is_a_400_naming_the_depth(method, path, role, tokens):
    """The issue's own list of endpoints: anonymous ones included, the answer says what is wrong."""
    response = _send(_client(tokens, role), method, path, body=("[" * 1000 + "]" * 1000).encode())
    assert response.status_code == 400, response.content[:300]
    assert "nested too deeply" in response.json()["detail"]


def test_nested_json_to_a_referral_action_and_a_listing_edit_is_a_400(tokens):
    provider = _client(tokens, "provider")
    code = REAL["referral"][0]
    deep = ('{"reason":' * 1000 + "1" + "}" * 1000).encode()
    assert _send(provider, "POST", f"/api/referrals/{code}/accept/", body=deep).status_code == 400
    service = REAL["service"][0]
    assert _send(provider, "PATCH", f"/api/services/{service}/", body=deep).status_code == 400


def test_a_nul_in_json_names_the_field(tokens):
    response = _send(
        _client(tokens, "provider"), "PATCH", f"/api/services/{REAL['service'][0]}/",
        body=json.dumps({"alert": "a\x00b"}).encode(),
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"alert": ["Null characters are not allowed."]}


def test_a_body_over_the_limit_is_a_413(tokens, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    response = _send(_client(tokens, "anonymous"), "POST", "/api/match/", body=b" " * 1001)
    assert response.status_code == 413
    assert "1,000 bytes" in response.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "spec"), WITH_QUERY, ids=_ids(WITH_QUERY))
def test_every_query_parameter_holds_against_hostile_values(method, path, spec, role, tokens):
    """Each declared query parameter, alone, set to each hostile value: a 4xx at worst (a NUL always a 400)."""
    client = _client(tokens, role)
    for parameter in (p["name"] for p in spec["parameters"] if p.get("in") == "query"):
        for name, value in HOSTILE_VALUES.items():
            response = _send(client, method, _path(path), query={parameter: value})
            assert response.status_code < 500, (parameter, name, response.status_code, response.content[:300])
            if name == "nul":
                assert response.status_code == 400, (parameter, response.status_code)


@pytest.mark.parametrize("content_type", [
    "application/json; charset=base64", "application/x-www-form-urlencoded; charset=zlib",
    "multipart/form-data; boundary=x; charset=rot13", "application/json; charset=no-such-codec",
])  # fmt: skip
@pytest.mark.parametrize("path", ["/api/referrals/", "/api/match/", "/portal/", "/"])
def test_a_charset_that_is_not_a_text_encoding_is_a_400(tokens, content_type, path):
    response = _client(tokens, "hotline").generic("POST", path, data=b'{"a": 1}', content_type=content_type)
    assert response.status_code == 400, (response.status_code, response.content[:200])
    assert b"charset" in response.content


def test_a_cookie_holding_a_nul_is_dropped_not_looked_up(tokens):
    """Django reads octal escapes in a quoted cookie: a session id with a NUL reached PostgreSQL (a 500)."""
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    for path in ("/", "/api/services/", "/portal/"):
        assert client.get(path).status_code in (200, 302), path
