"""The match index: one row per (need, service at location) of every active service, with what the hard
filters and the nearest-neighbour walk need, and nothing else.

Matching asks, for each requested need, "the k nearest rows with this need that this client is eligible
for". A composite GiST index on (need, point) (btree_gist) answers that with one short index walk per
need, which DESIGN.md measured at p95 5 ms over 1M rows, where a GiST on the point alone with the need as
a filter walks far longer. Rows are derived from the registry by matching.index; never edit them.
"""

from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.db import models

from geo.expressions import WGS84


class MatchCandidate(models.Model):
    # Derived rows: no database foreign keys (they would make every bulk rebuild check millions of rows);
    # the registry rows they come from carry the constraints.
    need = models.ForeignKey("providers.NeedTerm", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    service_at_location = models.ForeignKey(
        "providers.ServiceAtLocation", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    service = models.ForeignKey("providers.Service", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    location = models.ForeignKey("providers.Location", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    organization = models.ForeignKey(
        "providers.Organization", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    point = gis_models.PointField(geography=True, srid=WGS84, null=True, spatial_index=False)
    public_point = gis_models.PointField(geography=True, srid=WGS84, null=True, spatial_index=False)
    is_confidential = models.BooleanField()
    is_virtual = models.BooleanField()
    min_age = models.PositiveSmallIntegerField(null=True)
    max_age = models.PositiveSmallIntegerField(null=True)
    genders = models.PositiveSmallIntegerField(default=0)
    trafficking_types = models.PositiveSmallIntegerField(default=0)
    citizenship = models.PositiveSmallIntegerField(default=0)
    lgbtq_specific = models.BooleanField(default=False)
    languages = ArrayField(models.CharField(max_length=2), default=list)
    accepting_referrals = models.BooleanField()

    class Meta:
        indexes = [
            # matching.engine's candidate query: WHERE need_id = n ORDER BY point <-> origin LIMIT k.
            GistIndex(fields=["need", "point"], name="match_need_point_gist"),
            # The same for callers answered from public points (confidential sites generalized).
            GistIndex(fields=["need", "public_point"], name="match_need_public_point_gist"),
            # Refreshing the rows of one service or location after an edit.
            models.Index(fields=["service"], name="match_service_idx"),
            models.Index(fields=["location"], name="match_location_idx"),
            models.Index(fields=["service_at_location"], name="match_sal_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} @ {self.service_at_location_id}"
