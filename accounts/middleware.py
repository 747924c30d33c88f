"""Enforces two-factor authentication for browser sessions (API tokens are only issued after the code)."""

from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts import two_factor

# While an account that must use two-factor has not set it up, only these stay open to it.
_SETUP_PATHS = ("/accounts/", "/static/", "/i18n/", "/healthz")


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware: a session that was not verified with the account's authenticator is
    signed out; an account whose role requires two-factor and has none is sent to set it up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            if two_factor.confirmed_device(user) is not None:
                if not user.is_verified():
                    logout(request)
                    return self._refuse(request, reverse("login"), "Sign in again with your authentication code.")
            elif two_factor.is_required(user) and not request.path.startswith(_SETUP_PATHS):
                return self._refuse(
                    request, reverse("two-factor"), "Your role must turn on two-factor authentication first."
                )
        return self.get_response(request)

    @staticmethod
    def _refuse(request, page: str, message: str):
        if request.path.startswith(("/api/", "/hsds/")):
            return JsonResponse({"detail": message}, status=403)
        return redirect(page)
