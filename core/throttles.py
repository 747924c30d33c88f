"""Rate limits: the one rule for "which client is this?", and counters every app server shares.

DRF's own throttles keep a list of timestamps in Django's cache and read it, then write it back: with the
database cache that is five statements per request (including a COUNT(*) of the whole cache table to cull it),
and two workers can both read the old list and both let a request through. Here each request is one atomic
upsert of a fixed-window counter in PostgreSQL (accounts.RateCounter), so counts are exact across processes
and machines and cost one round trip. Rates are settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], from the
THROTTLE_* environment variables); every throttle here keeps DRF's rate format, scopes and Retry-After.
"""

import logging
import random

from django.conf import settings
from django.db import connection
from rest_framework.throttling import AnonRateThrottle, BaseThrottle, ScopedRateThrottle, SimpleRateThrottle

logger = logging.getLogger(__name__)
# One request in this many also deletes counters whose window has passed.
PURGE_ONE_IN = 1000

_COUNT = """
    INSERT INTO accounts_rate_counter (key, window_start, hits, expires_at)
    VALUES (%(key)s, %(window)s, 1, to_timestamp(%(expires)s))
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN accounts_rate_counter.window_start = EXCLUDED.window_start
                    THEN accounts_rate_counter.hits + 1 ELSE 1 END,
        window_start = EXCLUDED.window_start,
        expires_at = EXCLUDED.expires_at
    RETURNING hits
"""


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the X-Forwarded-For entry NUM_PROXIES trusted proxies added.

    DRF's rule, shared with django-axes (AXES_CLIENT_IP_CALLABLE) so lockouts and rate limits agree.
    """
    return BaseThrottle().get_ident(request)


def count_hit(key: str, duration: int, now: float) -> tuple[int, float]:
    """Count one request against key's current window; return (requests in the window, when it ends)."""
    window = int(now // duration) * duration
    ends = window + duration
    if settings.REDIS_URL:
        return _redis_count(key, window, duration), ends
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, {"key": key[:200], "window": window, "expires": ends})
        hits = cursor.fetchone()[0]
        if random.randrange(PURGE_ONE_IN) == 0:  # noqa: S311 - load spreading, not security
            cursor.execute("DELETE FROM accounts_rate_counter WHERE expires_at < now()")
    return hits, ends


# Add to a window's count, never below zero, and let the count go with its window: one round trip, atomic.
_COUNT_SCRIPT = """
local hits = redis.call('INCRBY', KEYS[1], ARGV[1])
if hits < 0 then redis.call('SET', KEYS[1], 0) hits = 0 end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return hits
"""
REDIS_RETRY_AFTER_S = 10  # after Redis failed to answer, this process counts nothing for this long
_redis_down_until = 0.0


def _redis_count(key: str, window: int, duration: int, step: int = 1) -> int:
    """Count in Redis (REDIS_URL), atomic across every app server. With Redis down the limit is not applied (0)
    for REDIS_RETRY_AFTER_S, logged once: the directory keeps answering; docs/operations.md says why."""
    global _redis_down_until
    import time

    from django_redis import get_redis_connection
    from redis.exceptions import RedisError

    if time.monotonic() < _redis_down_until:
        return 0
    try:
        return int(get_redis_connection("default").eval(_COUNT_SCRIPT, 1, f"directory:rate:{key}:{window}", step,
                                                        duration + 1))  # fmt: skip
    except RedisError:
        _redis_down_until = time.monotonic() + REDIS_RETRY_AFTER_S
        logger.warning("rate limits not counted for %s s: Redis does not answer", REDIS_RETRY_AFTER_S)
        return 0


class CountedThrottle(SimpleRateThrottle):
    """A DRF rate throttle counted by count_hit(): a fixed window of the rate's duration per key."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        hits, self.window_ends = count_hit(self.key, self.duration, self.now)
        return hits <= self.num_requests

    def wait(self):
        return max(self.window_ends - self.timer(), 1)


class AnonThrottle(AnonRateThrottle, CountedThrottle):
    """Every anonymous API call, per client address (scope "anon")."""


class ScopedThrottle(ScopedRateThrottle, CountedThrottle):
    """The view's throttle_scope, per account or (anonymous) client address."""


class LoginThrottle(CountedThrottle):
    """Failed sign-ins per client address (the password form and the API token endpoint).

    Only failures count: a crisis line's staff signing in together at a shift change, from one office address,
    are never held up. django-axes separately locks out one username from one address after repeated
    failures; this limit stops one address trying many usernames.
    """

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}

    def attempt(self, request) -> bool:
        """Count this attempt and say whether the address is still under its limit. The attempt is counted
        before the password is checked (one atomic statement), so simultaneous attempts cannot all slip under
        the limit; a successful sign-in takes its count back (succeeded())."""
        if self.rate is None:
            return True
        hits, self.window_ends = count_hit(self.get_cache_key(request, None), self.duration, self.timer())
        return hits <= self.num_requests

    def succeeded(self, request) -> None:
        if self.rate is None:
            return
        if settings.REDIS_URL:  # the window the attempt was counted in
            _redis_count(self.get_cache_key(request, None), int(self.window_ends - self.duration), self.duration,
                         step=-1)  # fmt: skip
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_rate_counter SET hits = hits - 1 WHERE key = %s AND hits > 0",
                [self.get_cache_key(request, None)[:200]],
            )
