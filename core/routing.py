"""Read replicas: which database a request's reads go to (docs/operations.md, Read replicas).

Writes, and every read outside a request marked for replicas, go to the primary ("default"). A view marks itself
with `replica_methods` (the HTTP methods whose reads a replica may serve: the search, matching, the HSDS API, the
listing pages). For such a request the middleware picks a healthy replica, unless the caller wrote a moment ago
(read-your-writes) or none is healthy; the router then sends the registry's reads there (the apps in
REPLICA_APPS), and the raw SQL of search and matching runs on `read_connection()`. Accounts, sessions, tokens,
lockouts, referrals, sends and the job queue are always read from the primary.

A replica is healthy when it answers, streams from the primary, and has replayed what it received or lags at most
REPLICA_MAX_LAG_S; each process checks each replica at most every REPLICA_CHECK_EVERY_S.
"""

import logging
import random
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DatabaseError, DataError, IntegrityError, connections
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)
PRIMARY = "default"
READS = frozenset({"GET", "HEAD"})  # a view's `replica_methods` for plain reads
# The registry's data: what search, matching, the HSDS API and the listing pages read.
REPLICA_APPS = frozenset({"providers", "matching", "geo", "hsds"})
PIN_COOKIE = "primary_until"
_READS: ContextVar[str] = ContextVar("directory_reads", default=PRIMARY)
# alias -> (healthy, checked at, last checked against the primary (monotonic s)); per process.
_HEALTH: dict[str, tuple[bool, float, float]] = {}
QUERY_CANCELED = "57014"  # the statement limit: the query's fault, not the replica's
# When this process last found the primary not answering (monotonic s; None: it answered since). Writes a read can
# do without (matching's unmet-request counts) are skipped meanwhile rather than each waiting for a connect timeout.
_PRIMARY_FAILED_AT: float | None = None

# Lag in seconds behind the primary's position (%s, read from the primary just before): 0 once the replica has
# replayed that far; else how old its last replayed transaction is (after an idle spell that is the idle time:
# the replica is skipped until the next check, the safe side). Not in recovery (promoted, diverged) or not
# streaming (replication broken): unknown, so unhealthy. The app's role needs pg_read_all_stats to see the
# receiver's status (docs/operations.md); without it every replica looks unhealthy and reads stay on the primary.
PRIMARY_LSN_SQL = "SELECT pg_current_wal_lsn()::text"
LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN NULL
        WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN NULL
        WHEN pg_last_wal_replay_lsn() >= %s::pg_lsn THEN 0
        ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
    END
"""


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


def read_alias() -> str:
    """The alias this request's reads go to (the primary outside requests marked for replicas)."""
    return _READS.get()


def read_connection():
    """The connection for the raw SQL of reads (search, matching): the request's replica or the primary."""
    return connections[read_alias()]


@contextmanager
def reads_from(alias: str):
    token = _READS.set(alias)
    try:
        yield
    finally:
        _READS.reset(token)


def primary_position() -> str | None:
    """The primary's WAL position, or None when the primary does not answer."""
    global _PRIMARY_FAILED_AT
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute(PRIMARY_LSN_SQL)
            position = cursor.fetchone()[0]
    except DatabaseError:
        primary_failed()
        logger.warning("the primary does not answer: each replica keeps its last verdict")
        return None
    _PRIMARY_FAILED_AT = None
    return position


def primary_failed() -> None:
    """The primary did not answer this process: close the connection (reconnect next time) and remember when."""
    global _PRIMARY_FAILED_AT
    connections[PRIMARY].close()
    _PRIMARY_FAILED_AT = time.monotonic()


def primary_failed_lately() -> bool:
    """True within REPLICA_CHECK_EVERY_S of the primary not answering this process (and until it answers again)."""
    failed = _PRIMARY_FAILED_AT
    return failed is not None and time.monotonic() - failed < settings.REPLICA_CHECK_EVERY_S


def replica_lag(alias: str, position: str) -> float | None:
    """The replica's lag behind the primary's `position` in seconds, or None when it is not streaming or does not
    answer."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(LAG_SQL, [position])
            lag = cursor.fetchone()[0]
    except DatabaseError:
        connections[alias].close()  # reconnect next time, not through a broken connection
        logger.warning("replica %s does not answer: reads go elsewhere", alias)
        return None
    if lag is None:
        logger.warning("replica %s is not streaming (or the role lacks pg_read_all_stats): reads go elsewhere", alias)
        return None
    return float(lag)


def is_healthy(alias: str) -> bool:
    healthy, checked, verified = _HEALTH.get(alias, (False, float("-inf"), float("-inf")))
    now = time.monotonic()
    if now - checked >= settings.REPLICA_CHECK_EVERY_S:
        position = primary_position()
        if position is not None:
            lag = replica_lag(alias, position)
            healthy, verified = lag is not None and lag <= settings.REPLICA_MAX_LAG_S, now
        else:
            # The primary does not answer this process: while it is down nothing commits, so a replica current at
            # its last check stays so. Kept for REPLICA_MAX_LAG_S at most (other app servers may still reach the
            # primary and write): then skipped, as any replica whose lag is unknown.
            healthy = healthy and now - verified <= settings.REPLICA_MAX_LAG_S
        _HEALTH[alias] = (healthy, now, verified)
    return healthy


def healthy_replica() -> str | None:
    """A healthy replica, chosen at random among them (spreading the load), or None."""
    aliases = replica_aliases()
    random.shuffle(aliases)
    return next((alias for alias in aliases if is_healthy(alias)), None)


def replica_failed(exception: BaseException) -> bool:
    """After a database error: if it was this request's replica that failed, mark it unhealthy (until its next
    check) and say so, so the request can be answered from the primary. Not for an error of the primary's
    connection, of the query itself (bad data, the statement limit: the primary would do the same work again)."""
    alias = read_alias()
    if alias == PRIMARY or not connections[alias].errors_occurred or isinstance(exception, DataError | IntegrityError):
        return False
    if getattr(exception.__cause__, "sqlstate", None) == QUERY_CANCELED:
        return False
    _HEALTH[alias] = (False, time.monotonic(), _HEALTH.get(alias, (0, 0, float("-inf")))[2])
    logger.warning("replica %s failed during a request: reads go elsewhere until it is checked again", alias)
    return True


def forget_health() -> None:
    """Check every replica again at the next request (tests, and after a failover)."""
    global _PRIMARY_FAILED_AT
    _HEALTH.clear()
    _PRIMARY_FAILED_AT = None


class ReplicaRouter:
    """Reads of the registry's apps go to the request's read alias; everything else to the primary."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label not in REPLICA_APPS or connections[PRIMARY].in_atomic_block:
            return PRIMARY  # inside a transaction, reads see what it wrote
        instance = hints.get("instance")
        if instance is not None and instance._state.db == PRIMARY:
            return PRIMARY  # an object's relations and refreshes come from where it was read
        return read_alias()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, copied: an object read from a replica is the primary's

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def _pin_key(request) -> str | None:
    """A cache key for an API client without cookies (a token): a hash of its Authorization header."""
    header = request.headers.get("Authorization", "")
    return f"primary-pin:{salted_hmac(PIN_COOKIE, header).hexdigest()}" if header else None


def pinned_to_primary(request) -> bool:
    """True while the caller's last write may not have reached the replicas (read-your-writes)."""
    try:
        until = float(signing.get_cookie_signer(salt=PIN_COOKIE).unsign(request.COOKIES.get(PIN_COOKIE, "")))
    except (signing.BadSignature, ValueError):
        until = 0
    if until > time.time():
        return True
    key = _pin_key(request)
    # has_key is None when the cache cannot answer (Redis down, django-redis ignoring it): the primary, the safe side.
    return bool(key) and cache.has_key(key) is not False


def pin_to_primary(request, response) -> None:
    """After a write: the caller reads from the primary for REPLICA_READ_YOUR_WRITES_S."""
    seconds = settings.REPLICA_READ_YOUR_WRITES_S
    value = signing.get_cookie_signer(salt=PIN_COOKIE).sign(str(time.time() + seconds))
    response.set_cookie(PIN_COOKIE, value, max_age=seconds, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)  # fmt: skip
    key = _pin_key(request)
    if key:
        cache.set(key, 1, seconds)


def replica_methods_of(view_func) -> frozenset:
    """The HTTP methods whose reads a replica may serve for this view (none unless the view says so)."""
    view = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None) or view_func
    return frozenset(getattr(view, "replica_methods", ()))


def replica_reads(*methods: str):
    """Mark a function view whose reads (for these methods, default GET and HEAD) a replica may serve."""

    def mark(view):
        view.replica_methods = frozenset(methods) or READS
        return view

    return mark


class ReplicaMiddleware:
    """Chooses where a request's reads go, and pins a caller who wrote to the primary for a while."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.read_alias, request.replica_failed = PRIMARY, False
        try:
            response = self.get_response(request)
            if request.replica_failed and request.method in READS:
                # The replica failed between health checks: answer this read from elsewhere (it only reads).
                _READS.set(PRIMARY)
                request.read_alias, request.replica_failed = PRIMARY, False
                # The discarded answer is not closed: closing sends request_finished (connections and caches closed
                # mid-request); it holds nothing but memory.
                response = self.get_response(request)
        finally:
            _READS.set(PRIMARY)  # not reset(token): under ASGI process_view runs in a copied context
        reads_only = request.method in self.SAFE or request.method in getattr(request, "replica_methods", ())
        if not reads_only and response.status_code < 400 and replica_aliases():
            pin_to_primary(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.replica_methods = replica_methods_of(view_func)
        if not replica_aliases() or request.method not in request.replica_methods:
            return None
        if pinned_to_primary(request):
            return None
        alias = healthy_replica()
        if alias is not None:
            request.read_alias = alias
            _READS.set(alias)
        return None

    def process_exception(self, request, exception):
        """A page's database error (the API's go through core.exceptions, which does the same)."""
        if isinstance(exception, DatabaseError) and replica_failed(exception):
            request.replica_failed = True
        return None
