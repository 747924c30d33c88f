"""API token authentication that also holds tokens to the two-factor rule."""

from rest_framework import authentication, exceptions

from accounts import two_factor


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, refusing the token of an account whose role must use two-factor
    authentication and has not set it up (a token issued before the rule was turned on)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if two_factor.is_required(user) and two_factor.confirmed_device(user) is None:
            raise exceptions.AuthenticationFailed("This account must turn on two-factor authentication first.")
        return user, token
