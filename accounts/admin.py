from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Authenticator, RateCounter, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "organization", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff"]
    autocomplete_fields = ["organization"]
    fieldsets = BaseUserAdmin.fieldsets + (("Directory", {"fields": ["organization"]}),)


@admin.register(RateCounter)
class RateCounterAdmin(admin.ModelAdmin):
    """Current rate-limit counts; deleting one lifts that limit at once (sign-in lockouts are under Axes)."""

    list_display = ["key", "hits", "expires_at"]
    search_fields = ["key"]
    readonly_fields = ["key", "window_start", "hits", "expires_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """A lost phone: delete the person's authenticator here and they enrol again. The secret is never shown."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    search_fields = ["user__username"]
    exclude = ["secret"]
    readonly_fields = [f.name for f in Authenticator._meta.fields if f.name != "secret"]

    def has_add_permission(self, request):
        return False


# django-otp's own TOTP devices keep the secret in plain text and nothing here reads them any more: its admin
# would let someone add one (showing the new secret) that sign-in ignores.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
