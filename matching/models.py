"""The match index and the offer cards: tables derived from the registry, which the database keeps current.

The match index: one row per (need, service at location) of every active service, with what the hard filters and
the nearest-neighbour walk need, and what ranking needs of the service at that site. Matching asks, for each
requested need, "the k nearest rows with this need that this client is eligible for". A composite GiST index on
(need, point) (btree_gist) answers that with one short index walk per need, where a GiST on the point alone with the
need as a filter walks far longer (docs/matching.md, docs/benchmarks.md). Citizenship is a key column
between them, so that a walk skips the rows of services only for the other group
(providers.eligibility.CITIZENSHIP_EXCLUDED). The ranking facts (hours, beds, verification, the service's needs) are
copied here so that the walk that finds a row has everything ranking needs.

Both tables are derived by matching/sql/*.sql and kept current by triggers on every source table
(matching.triggers): in the same transaction as any write, whatever makes it. Never edit them.
"""

from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, Q

from geo.expressions import WGS84


class MatchCandidate(models.Model):
    # Derived rows: no database foreign keys (they would make every bulk rebuild check millions of rows);
    # the registry rows they come from carry the constraints.
    need = models.ForeignKey("providers.NeedTerm", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    # (Their btree indexes are the named ones in Meta, not the foreign keys' own: no index twice.)
    service_at_location = models.ForeignKey(
        "providers.ServiceAtLocation",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    service = models.ForeignKey(
        "providers.Service", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    location = models.ForeignKey(
        "providers.Location", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    organization = models.ForeignKey(
        "providers.Organization", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
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
    accessibility = ArrayField(models.CharField(max_length=32), default=list)  # the site's (providers.accessibility)
    # Ranking facts (see the module docstring): the location's,
    location_type = models.CharField(max_length=16, default="")
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    public_latitude = models.FloatField(null=True)
    public_longitude = models.FloatField(null=True)
    time_zone = models.CharField(max_length=64, default="")
    open_24_7 = models.BooleanField(default=False)
    beds_total = models.PositiveIntegerField(null=True)
    beds_available = models.PositiveIntegerField(null=True)
    # the service's (its needs as need term ids, whether it offers interpretation),
    last_verified_on = models.DateField(null=True)
    interpretation = models.BooleanField(default=False)
    service_needs = ArrayField(models.IntegerField(), default=list)
    # and the weekly hours of this service at this site, as [weekday, opens, closes] with times in seconds
    # since midnight: the service's own hours there if it has any, else the site's; then the dates of its own
    # and its site's exceptions, as [negative day (providers.hours.exception_day), opens, closes] (-1, -1: closed).
    hours = ArrayField(ArrayField(models.IntegerField(), size=3), default=list)

    class Meta:
        indexes = [
            # matching.engine's candidate query: WHERE need_id = n AND citizenship <> c ORDER BY point <-> origin
            # LIMIT k (citizenship: see providers.eligibility.CITIZENSHIP_EXCLUDED).
            GistIndex(fields=["need", "citizenship", "point"], name="match_need_cit_point_gist"),
            # The same for callers answered from public points (confidential sites generalized).
            GistIndex(fields=["need", "citizenship", "public_point"], name="match_need_cit_pub_point_gist"),
            # Refreshing the rows of one service or location after an edit.
            models.Index(fields=["service"], name="match_service_idx"),
            models.Index(fields=["location"], name="match_location_idx"),
            models.Index(fields=["service_at_location"], name="match_sal_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} @ {self.service_at_location_id}"


class OfferCard(models.Model):
    """What is shown of one service at location in a match result, copied from the registry like the ranking
    facts (derived with them, in the same transactions): the service's, organization's and site's
    names, the site's first address (physical before postal), and the first phone (not a fax; a front door
    first) of the site, of the service and of the organization.

    The match statement reads each candidate's card by its key (one index lookup) instead of a second
    statement reading six registry tables for the offers shown (docs/benchmarks.md). All three phones and
    the whole address are kept: which phone a caller gets and how much of the address is decided per caller
    (matching.options.offer_view, through providers.disclosure). A card holds a confidential site's exact
    address and direct line, as the registry does: never show one without that step.
    """

    service_at_location = models.OneToOneField(
        "providers.ServiceAtLocation", on_delete=models.DO_NOTHING, primary_key=True, related_name="+",
        db_constraint=False,
    )  # fmt: skip
    # (The refresh finds a service's or a site's cards by these.)
    service = models.ForeignKey("providers.Service", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    location = models.ForeignKey(
        "providers.Location", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    # The service's organization (the site's may be another), and the names. Not indexed: a card goes with its
    # service and its site, so deleting an organization needs no search by this column.
    organization = models.ForeignKey(
        "providers.Organization", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    service_name = models.TextField()
    organization_name = models.TextField()
    location_name = models.TextField()
    # The site's first address (none: all NULL).
    address_type = models.TextField(null=True)
    attention = models.TextField(null=True)
    address_1 = models.TextField(null=True)
    address_2 = models.TextField(null=True)
    city = models.TextField(null=True)
    region = models.TextField(null=True)
    state_province = models.TextField(null=True)
    postal_code = models.TextField(null=True)
    country = models.TextField(null=True)
    # The first phone of the site, of the service and of the organization (none: all NULL).
    site_phone = models.TextField(null=True)
    site_phone_extension = models.TextField(null=True)
    site_phone_type = models.TextField(null=True)
    site_phone_is_front_door = models.BooleanField(null=True)
    service_phone = models.TextField(null=True)
    service_phone_extension = models.TextField(null=True)
    service_phone_type = models.TextField(null=True)
    service_phone_is_front_door = models.BooleanField(null=True)
    organization_phone = models.TextField(null=True)
    organization_phone_extension = models.TextField(null=True)
    organization_phone_type = models.TextField(null=True)
    organization_phone_is_front_door = models.BooleanField(null=True)

    def __str__(self) -> str:
        return f"card of {self.service_at_location_id}"


# The foreign keys above do nothing on delete: the triggers remove the derived rows of whatever is deleted (Django's
# own cascade would only read and delete them once more).


class Pending(models.Model):
    """Records a transaction wrote and whose derived rows it has not refreshed yet (matching/sql/maintenance.sql).

    Rows live only inside their transaction, which takes them all before it commits: never committed, never
    read by the application. Unlogged (migration 0008): nothing here needs to survive a crash.
    """

    class Kind(models.TextChoices):
        SERVICE = "s"
        LOCATION = "l"
        OFFER = "f"  # a service at location
        ORGANIZATION = "o"
        EVERYTHING = "*"  # a source table was truncated

    kind = models.CharField(max_length=1, choices=Kind.choices)
    record_id = models.UUIDField(null=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}"


class FlushRequest(models.Model):
    """One row while a transaction defers its refreshes (matching.index.match_index_deferred): its deferred
    constraint trigger (matching.triggers) refreshes them as the transaction commits."""

    def __str__(self) -> str:
        return f"flush request {self.pk}"


class SearchDocument(models.Model):
    """What keyword search reads of one service at location (matching.search), derived with the offer cards by
    matching/sql/search_rows.sql in the same transactions: never edit it.

    `document` holds only what every viewer may see: names, the needs' words (English and Spanish), the
    organization's description, the city, the languages, and the service's free text where search can tell it
    is public. `withheld` holds the service text the public does not get (it may name a confidential site:
    providers.disclosure), searched only for callers who see every site exactly. Both are weighted tsvectors of
    the english, spanish and simple configurations over unaccented text; `names` is the unaccented, lower-cased
    names, for typo-tolerant trigram matching, and `name_words` their words, for the type-ahead.
    """

    service_at_location = models.OneToOneField(
        "providers.ServiceAtLocation", on_delete=models.DO_NOTHING, primary_key=True, related_name="+",
        db_constraint=False,
    )  # fmt: skip
    service = models.ForeignKey("providers.Service", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    location = models.ForeignKey(
        "providers.Location", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    organization = models.ForeignKey(
        "providers.Organization", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    point = gis_models.PointField(geography=True, srid=WGS84, null=True, spatial_index=False)
    public_point = gis_models.PointField(geography=True, srid=WGS84, null=True, spatial_index=False)
    is_confidential = models.BooleanField()
    names = models.TextField()
    # The names' words (simple configuration): the type-ahead's prefix queries ("tah:*").
    name_words = SearchVectorField()
    document = SearchVectorField()
    withheld = SearchVectorField(null=True)

    class Meta:
        indexes = [
            GinIndex(fields=["document"], name="search_document_gin"),
            GinIndex(fields=["withheld"], name="search_withheld_gin"),
            GinIndex(fields=["name_words"], name="search_name_words_gin"),
            GistIndex(fields=["point"], name="search_point_gist"),
            GistIndex(fields=["public_point"], name="search_public_point_gist"),
            # The type-ahead's nearest documents, in degrees, with what it reads of them: an index-only read of the
            # index's nearby pages, where the geography's index reads a table page for each (docs/search.md).
            GistIndex(
                Func(F("public_point"), function="geometry"),
                include=["service_at_location_id", "public_point", "name_words"],
                name="search_suggest_nearest",
            ),
            # The few sites without a point, which a search near a place also ranks (the GiST indexes would be
            # read whole for them).
            models.Index(fields=["service_at_location_id"], condition=Q(point__isnull=True), name="search_no_point"),
            models.Index(
                fields=["service_at_location_id"], condition=Q(public_point__isnull=True), name="search_no_public_point"
            ),
        ]

    def __str__(self) -> str:
        return f"search document of {self.service_at_location_id}"


class SearchWord(models.Model):
    """A word of the search documents' names (`name_words`) and how many documents hold it: what a misspelt word is
    matched against by trigrams before the documents are searched by the words it was taken for (pg_trgm's
    spelling-suggestion pattern). Kept by triggers on the documents (search_words.sql), in their transaction."""

    word = models.TextField(primary_key=True)
    documents = models.IntegerField()

    class Meta:
        indexes = [GinIndex(OpClass("word", name="gin_trgm_ops"), name="search_word_trgm_gin")]

    def __str__(self) -> str:
        return self.word


class UnmetNeedCount(models.Model):
    """How many matches found nothing for a need within their radius, by the county of the place searched from and
    the week (matching.unmet): never the point, the words, the other needs or who asked. Shown only where a cell
    holds at least UNMET_MIN_SHOWN (docs/privacy.md)."""

    need = models.ForeignKey("providers.NeedTerm", on_delete=models.CASCADE, related_name="+")
    # By FIPS code, not a key: `load_boundaries` replaces the boundary rows whole, and the counts must outlive that.
    county_fips = models.CharField(max_length=5)
    week = models.DateField(help_text="The Monday (UTC) of the week.")
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["need", "county_fips", "week"], name="unmet_need_cell_once")]
        indexes = [models.Index(fields=["need", "week"], name="unmet_need_week_idx")]

    def __str__(self) -> str:
        return f"{self.need_id} in {self.county_fips}, week of {self.week}: {self.requests}"
