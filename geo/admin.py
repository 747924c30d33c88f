from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from geo.models import Boundary, GeocodeCacheEntry


@admin.register(Boundary)
class BoundaryAdmin(LeafletGeoAdmin):
    list_display = ["name", "kind", "fips", "state_code"]
    list_filter = ["kind", "state_code"]
    search_fields = ["name", "fips"]

    def has_add_permission(self, request):
        return False  # loaded by `manage.py load_boundaries`


@admin.register(GeocodeCacheEntry)
class GeocodeCacheEntryAdmin(admin.ModelAdmin):
    """Cached online-geocoder answers. The query itself is stored only as a keyed hash."""

    list_display = ["label", "source", "created_at"]
    list_filter = ["source"]
    readonly_fields = ["query_hash", "latitude", "longitude", "label", "source", "created_at"]

    def has_add_permission(self, request):
        return False
