"""Geographic reference data and the geocoding cache."""

from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.indexes import GistIndex
from django.db import models

from geo.expressions import WGS84


class Boundary(models.Model):
    """A US state or county outline (Census cartographic boundaries, 1:10m, via the us-atlas package).

    Loaded once by `manage.py load_boundaries`; service areas and specialists' coverage are built from these
    rows, never by re-reading the file per request.
    """

    class Kind(models.TextChoices):
        STATE = "state", "State"
        COUNTY = "county", "County"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    fips = models.CharField(max_length=5, unique=True, help_text="2-digit state or 5-digit county FIPS code.")
    name = models.CharField(max_length=120)
    state_code = models.CharField(max_length=2, help_text="USPS code of the state (of the county's state).")
    geometry = gis_models.MultiPolygonField(srid=WGS84, spatial_index=False)

    class Meta:
        ordering = ["kind", "fips"]
        indexes = [
            GistIndex(fields=["geometry"], name="boundary_geometry_gist"),
            models.Index(fields=["kind", "state_code"], name="boundary_kind_state_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["state_code"], condition=models.Q(kind="state"), name="boundary_one_row_per_state"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.fips})"


class GeocodeCacheEntry(models.Model):
    """A remembered answer of an online geocoder, so the same place is never sent out twice.

    The query is stored only as a keyed hash (HMAC with the secret key): what staff typed to search near a
    survivor is not kept in readable form. Entries older than GEOCODE_CACHE_DAYS are refreshed.
    """

    query_hash = models.CharField(max_length=64, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    label = models.CharField(max_length=500)
    source = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="geocode_cache_coordinates_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.source})"
