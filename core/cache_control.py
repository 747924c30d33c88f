"""No copy of a personal answer is kept: the one place that decides what a browser or proxy may store.

Whatever a signed-in caller sees may hold an exact confidential place or client data (hotline staff see a
shelter's street; referrals hold contact details), and hotline desks are shared computers whose browsers keep
caches. So every answer to a signed-in caller (a session or an API token) and every answer to a write is
`Cache-Control: no-store, private`, whatever the view set. Anonymous reads carry only the public view of the
directory and keep whatever caching the view chose.
"""

from django.utils.cache import patch_vary_headers

NO_STORE = "no-store, private"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_personal(request) -> bool:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return signed_in or "HTTP_AUTHORIZATION" in request.META or request.method not in SAFE_METHODS


class PrivateResponseMiddleware:
    """After authentication: mark personal answers no-store; say that answers vary by who asks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_personal(request):
            response["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
        patch_vary_headers(response, ("Cookie", "Authorization"))
        return response
