from django.contrib import admin

from coveragemap.models import CoverageMap


@admin.register(CoverageMap)
class CoverageMapAdmin(admin.ModelAdmin):
    """Read here: derived by coveragemap.refresh (manage.py refresh_coverage, the job queue)."""

    list_display = ["__str__", "computed_at", "seconds", "asked_at"]
    readonly_fields = [f.name for f in CoverageMap._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
