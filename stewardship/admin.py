from django.contrib import admin

from stewardship.models import DuplicateCandidate, Merge


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    """Read here; decided through the moderators' queue (/api/duplicates/), which records who decided."""

    list_display = ["__str__", "status", "score", "found_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in DuplicateCandidate._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a decision deleted here would be undone by the next search, with no record


@admin.register(Merge)
class MergeAdmin(admin.ModelAdmin):
    """Read here; merged and undone through /api/duplicates/<id>/merge/ and /api/merges/<id>/undo/."""

    list_display = ["__str__", "merged_at", "undone_at"]
    readonly_fields = [f.name for f in Merge._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the record an undo needs
