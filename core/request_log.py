"""Structured request logging that never holds client data.

Every request is logged once, by RequestLogMiddleware, as the URL *pattern* it matched
("referrals/<str:code>/"), never the path or query string a client sent: referral codes, invitation tokens and
search parameters (a survivor's ZIP code and needs) stay out of the logs. Everything else that logs a path
(Django's "Not Found: ..." warnings, runserver, libraries) passes through RedactFilter on the way out.
"""

import functools
import json
import logging
import re
import time
import uuid

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string

request_log = logging.getLogger("directory.request")

# What a path may carry that must not reach a log: secrets and identifiers in the path, and any query string.
# A path segment after /invitations/ or /referrals/ (but not a source file such as referrals/api.py in a
# traceback), any referral code wherever it appears, and any query string.
_REDACTIONS = [
    (re.compile(r"(/invitations/)(?![\w-]+\.py\b)[^/\s?\"']+"), r"\1<token>"),
    (re.compile(r"(/referrals/)(?!new/)(?![\w-]+\.py\b)[^/\s?\"']+"), r"\1<code>"),
    (re.compile(r"\bR-[0-9A-Z]{4}-[0-9A-Z]{4}\b", re.IGNORECASE), "<code>"),
    (re.compile(r"\?[^\s\"']*"), "?<query>"),
]


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    """Rewrite every record's message with paths' tokens, codes and query strings removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and a request record's fields."""

    FIELDS = ("request_id", "method", "route", "view", "status", "duration_ms", "user_id", "role")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


JsonFormatter.converter = time.gmtime


class TextFormatter(logging.Formatter):
    """Plain lines for development, with tracebacks redacted as in JSON."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return redact(super().formatException(ei))


_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def route_of(request) -> tuple[str | None, str | None]:
    """The matched URL pattern ("api/referrals/<pk>/") and view name, or (None, None) when nothing matched."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None, None
    route = _REGEX_GROUP.sub(r"<\1>", match.route).replace("^", "").replace("$", "")
    return route, match.view_name


@functools.cache
def _user_role():
    # Which role a user holds is the accounts app's rule; core sits below every app, so settings name it.
    return import_string(settings.REQUEST_LOG_USER_ROLE)


class RequestLogMiddleware:
    """Log each request (pattern, status, duration, account id and role) and tag it with an X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        route, view = route_of(request)
        user = getattr(request, "user", None)
        authenticated = user is not None and user.is_authenticated
        role = (_user_role()(user) or ("admin" if user.is_superuser else None)) if authenticated else None
        request_log.info(
            "%s %s %s",
            request.method,
            f"/{route}" if route is not None else "<unmatched>",
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "route": route,
                "view": view,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user.pk if authenticated else None,
                "role": role,
            },
        )
        response["X-Request-ID"] = request_id
        return response
