"""API error handling: bad input is a 4xx naming the field, never a 500."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from core import routing

logger = logging.getLogger(__name__)

# Seconds a client should wait before retrying when the database is briefly unavailable.
DATABASE_RETRY_AFTER_S = 2


def api_exception_handler(exc, context):
    """Return DRF's response, treating Django model validation errors as 400s.

    The database being unreachable (a restart, a failover) or refusing one transaction (a deadlock, a
    serialization failure) is a 503 with Retry-After, as JSON: the transaction was rolled back, nothing was
    written, and a retry (with the same Idempotency-Key, for a referral) is safe.
    """
    if isinstance(exc, OperationalError | InterfaceError):
        logger.exception("database unavailable")
        set_rollback()
        if routing.replica_failed(exc):  # a read-only request on a failed replica: the middleware asks the primary
            context["request"]._request.replica_failed = True
        return Response(
            {"detail": "The directory is briefly unavailable. Nothing was saved; please retry."},
            status=503,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        )
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    return exception_handler(exc, context)
