"""What any request may carry: the one place for the limits every input shares, whatever reads it.

Every body (JSON, form, multipart) is at most REQUEST_BODY_MAX_BYTES; JSON nests at most JSON_MAX_DEPTH
levels and holds only finite numbers; no text anywhere (path, query, form, JSON keys and strings) holds a NUL
character, which PostgreSQL cannot store; a body's charset is a text encoding. Anything else is a 4xx naming
the problem, never a 500: the middleware guards the path, query string, cookies (one holding a NUL is dropped)
and form bodies of every page and API call, and the API's parsers guard what they read.
"""

import codecs
import json
import math

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from rest_framework import exceptions, parsers

NUL = "\x00"
NUL_MESSAGE = "Null characters are not allowed."


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "body_too_large"


def body_limit() -> int:
    return settings.REQUEST_BODY_MAX_BYTES


def too_large_message() -> str:
    return f"The request body is larger than {body_limit():,} bytes."


def nul_paths(data, path: str = "") -> list[str]:
    """Return where NUL characters are in parsed input (dotted paths, "[i]" for list items; keys count too)."""
    found = []
    stack = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                found.append(where or "body")
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{where}.{key}" if where else str(key)
                if NUL in str(key):
                    found.append(name.replace(NUL, "\\0"))
                stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
    return sorted(found)


def too_deep(data, limit: int) -> bool:
    """Whether parsed JSON nests deeper than `limit` containers (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items if isinstance(item, dict | list))
    return False


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:40]} is out of range")
    return number


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def nul_error(paths: list[str]) -> exceptions.ValidationError:
    return exceptions.ValidationError({path: [NUL_MESSAGE] for path in paths})


def read_body(stream, parser_context) -> tuple[bytes, str]:
    """The body (413 past the limit, reading no further) and its declared encoding."""
    raw = stream.read(body_limit() + 1) if stream is not None else b""
    if len(raw) > body_limit():
        raise BodyTooLarge(too_large_message())
    return raw, (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)


class JSONParser(parsers.JSONParser):
    """JSON bodies within the size and depth limits, with finite numbers and no NUL characters."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw, encoding = read_body(stream, parser_context)
        try:
            data = json.loads(raw.decode(encoding), parse_float=_finite, parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(self._depth_message()) from None
        except (ValueError, UnicodeDecodeError, LookupError) as exc:
            # int() refuses over 4,300 digits with a ValueError too: the message says so.
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        if too_deep(data, settings.JSON_MAX_DEPTH):
            raise exceptions.ParseError(self._depth_message())
        if paths := nul_paths(data):
            raise nul_error(paths)
        return data

    @staticmethod
    def _depth_message() -> str:
        return f"JSON nested too deeply: at most {settings.JSON_MAX_DEPTH} levels of objects and lists."


def _form_error(exc: Exception) -> exceptions.APIException:
    if isinstance(exc, RequestDataTooBig):
        return BodyTooLarge(too_large_message())
    if isinstance(exc, TooManyFieldsSent):
        return exceptions.ParseError(f"Too many fields: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}.")
    return exceptions.ParseError(f"Form parse error - {exc}")


class FormParser(parsers.FormParser):
    """URL-encoded bodies within the limits (Django's field count), with no NUL characters."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw, encoding = read_body(stream, parser_context)
        try:
            data = QueryDict(raw, encoding=encoding)
        except (SuspiciousOperation, ValueError, LookupError) as exc:
            raise _form_error(exc) from None
        if paths := query_nul_paths(data):
            raise nul_error(paths)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """Multipart bodies within the limits, with no NUL characters in their fields."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            parsed = super().parse(stream, media_type, parser_context)
        except (SuspiciousOperation, MultiPartParserError, LookupError) as exc:
            raise _form_error(exc) from None
        except exceptions.ParseError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, SuspiciousOperation):
                raise _form_error(cause) from None
            raise
        if paths := query_nul_paths(parsed.data):
            raise nul_error(paths)
        return parsed


def is_text_charset(name: str) -> bool:
    """Whether a charset names a text encoding: Python also knows byte codecs (base64, zlib, rot13) by name, and
    decoding a body "with" one of them is not text at all."""
    try:
        return codecs.lookup(name)._is_text_encoding
    except LookupError:
        return False


def query_nul_paths(data: QueryDict) -> list[str]:
    found = set()
    for key, values in data.lists():
        if NUL in key or any(NUL in value for value in values):
            found.add(key.replace(NUL, "\\0"))
    return sorted(found)


class InputGuardMiddleware:
    """Refuse, before any view runs, a body over the size limit (413) and a NUL character in the path, the
    query string or a form body (400 naming the parameter); a malformed form body is a 400 too."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self._refuse(request, 400, {"detail": "Content-Length is not a number."})
        if length > body_limit():
            return self._refuse(request, 413, {"detail": too_large_message()})
        charset = request.content_params.get("charset")
        if charset is not None and not is_text_charset(charset):
            return self._refuse(request, 400, {"Content-Type": [f"Unknown or non-text charset: {charset[:40]}."]})
        # A cookie is the client's to send: one holding a NUL (a forged session id) is dropped, not looked up.
        for name in [name for name, value in request.COOKIES.items() if NUL in name or NUL in value]:
            del request.COOKIES[name]
        if NUL in request.path_info:
            return self._refuse(request, 400, {"path": [NUL_MESSAGE]})
        try:
            paths = query_nul_paths(request.GET)
            if not paths and request.method not in ("GET", "HEAD", "OPTIONS") and self._is_form(request):
                paths = query_nul_paths(request.POST)
        except (SuspiciousOperation, MultiPartParserError, LookupError) as exc:
            error = _form_error(exc)
            return self._refuse(request, error.status_code, {"detail": str(error.detail)})
        if paths:
            return self._refuse(request, 400, {path: [NUL_MESSAGE] for path in paths})
        return self.get_response(request)

    def _is_form(self, request) -> bool:
        return request.content_type in self.FORM_TYPES

    @staticmethod
    def _refuse(request, status: int, errors: dict):
        if request.path_info.startswith(("/api/", "/hsds/")):
            return JsonResponse(errors, status=status)
        lines = [f"{field}: {' '.join(messages) if isinstance(messages, list) else messages}"
                 for field, messages in errors.items()]  # fmt: skip
        return HttpResponse(
            "The request was refused.\n" + "\n".join(lines) + "\n", status=status, content_type="text/plain"
        )
