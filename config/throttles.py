"""Rate limits beyond the per-endpoint scopes: the one rule for "which client is this?", and sign-in.

Counts live in Django's cache, which is PostgreSQL (settings.CACHES), so every app server shares them.
Rates are settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], from THROTTLE_* environment variables).
"""

from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the X-Forwarded-For entry NUM_PROXIES trusted proxies added.

    DRF's rule, shared with django-axes (AXES_CLIENT_IP_CALLABLE) so lockouts and rate limits agree.
    """
    return BaseThrottle().get_ident(request)


class LoginThrottle(SimpleRateThrottle):
    """Sign-in attempts per client address (the password form and the API token endpoint).

    django-axes separately locks out one username from one address after repeated failures; this limit stops
    one address trying many usernames.
    """

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}
