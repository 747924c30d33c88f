"""The coverage map: for a need (optionally in one language), each county's distance to the nearest provider that
meets it and accepts referrals (coveragemap.refresh). Derived rows, replaced whole by each refresh."""

from django.db import models


class CoverageMap(models.Model):
    """One need's map (for everyone, or a variant: in one language, for one age): when it was computed and from how
    much of the history."""

    need = models.ForeignKey("providers.NeedTerm", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=2, blank=True, default="",
                                help_text="ISO 639-1 code the provider must work in; '' for any.")  # fmt: skip
    age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Only services a person of this age may use; empty for any."
    )
    computed_at = models.DateTimeField()
    # The newest listing history row when it was computed: the history written since is how much has changed.
    history_seen = models.BigIntegerField(default=0)
    seconds = models.FloatField(help_text="How long the computation took.")
    # A language map is kept while someone asks for it (coveragemap.refresh drops the others).
    asked_at = models.DateTimeField(null=True, blank=True)
    # How many counties it was computed for: a map of fewer than are loaded now (boundaries loaded since) is redone.
    counties_computed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["need", "language"]
        constraints = [
            models.UniqueConstraint(fields=["need", "language", "age"], nulls_distinct=False, name="coverage_map_once")
        ]

    def __str__(self) -> str:
        variant = (f"/{self.language}" if self.language else "") + (f"/age {self.age}" if self.age is not None else "")
        return f"{self.need_id}{variant} at {self.computed_at:%Y-%m-%d %H:%M}"

    @property
    def is_variant(self) -> bool:
        return bool(self.language) or self.age is not None


class CountyDistance(models.Model):
    map = models.ForeignKey(CoverageMap, on_delete=models.CASCADE, related_name="counties")
    # By FIPS code, not a key: `load_boundaries` replaces the boundary rows whole.
    county_fips = models.CharField(max_length=5)
    # NULL: no provider anywhere meets the need.
    distance_m = models.FloatField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["map", "county_fips"], name="county_distance_once")]

    def __str__(self) -> str:
        return f"{self.county_fips}: {self.distance_m}"
