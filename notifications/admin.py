from django.contrib import admin

from notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to_email", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind"]
    # The body is not shown: an unsent invitation's body holds its single-use link.
    readonly_fields = [f.name for f in OutboxMessage._meta.fields if f.name != "body"]
    exclude = ["body"]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry now")
    def retry_now(self, request, queryset):
        from django.utils import timezone

        # A secret body given up on was blanked: sending it again would only send the placeholder.
        queryset.exclude(status=OutboxMessage.Status.SENT).exclude(
            status=OutboxMessage.Status.FAILED, clear_body_after_send=True
        ).update(status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now())
