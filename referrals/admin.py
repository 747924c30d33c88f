"""Admin: the access log and events only as metadata. Referral contents (note, client contact) are not
shown here; they are read through the API or pages, where each read is recorded."""

from django.contrib import admin

from referrals.models import Referral, ReferralAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["code", "status", "urgency", "receiving_organization", "created_at", "ended_at", "purged_at"]
    list_filter = ["status", "urgency"]
    search_fields = ["code"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("note", "reason_text")

    fields = [
        "code", "status", "urgency", "sender", "sender_organization", "receiving_organization",
        "do_not_contact", "created_at", "answered_at", "ended_at", "purged_at",
    ]  # fmt: skip


@admin.register(ReferralAccess)
class ReferralAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "referral", "user", "action", "via"]
    list_filter = ["action", "via"]
    search_fields = ["referral__code", "user__username"]
