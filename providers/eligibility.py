"""Who a service serves: the eligibility rule, said once and given in every form the directory needs.

A service lists populations (providers.models.Population) on five dimensions: age group, gender, type of
trafficking, citizenship and identity. Within a dimension the values are alternatives: a service that lists none
of a dimension's values serves everyone on it; one that lists some serves only those. Age groups also narrow the
service's own minimum and maximum age ("adults" from ADULT_AGE_YEARS, "minors" below it). A code this module
does not know (added in the admin, say) restricts its dimension to nobody the directory can name: it fails
closed.

The forms, each generated here from the tables below (tests/providers/test_eligibility_forms.py checks that
/api/services/ and /api/match/ agree on the same data):
- the ORM filters of the registry API (`serving_population_q`, `serving_age_q`);
- the SQL that encodes a service's populations in the match index (`index_fragments`, used by
  matching/sql/index_rows.sql): each bit dimension as a mask, 0 meaning "no restriction", so the matching walk can
  test it cheaply while it walks the GiST index;
- the conditions the walk applies to an index row for a client (`INDEX_CONDITIONS`, `index_params`).
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

ADULT_AGE_YEARS = 18
MAX_AGE_YEARS = 130

ADULTS, MINORS, LGBTQ = "adults", "minors", "lgbtq"

# Population codes of the bit dimensions, and the bit each sets in the index.
GENDER_BITS = {"women": 1, "men": 2, "transgender-nonbinary": 4}
TRAFFICKING_BITS = {"sex-trafficking": 1, "labor-trafficking": 2}
CITIZENSHIP_BITS = {"foreign-nationals": 1, "us-citizens-lpr": 2}
BIT_DIMENSIONS = {"gender": GENDER_BITS, "trafficking_type": TRAFFICKING_BITS, "citizenship": CITIZENSHIP_BITS}
UNKNOWN_CODE_BIT = 64

# A client's answers (the match API's values) -> the population codes a service restricted on that dimension must
# list, all of them.
GENDER_ANSWERS = {"women": ("women",), "men": ("men",), "transgender-nonbinary": ("transgender-nonbinary",)}
TRAFFICKING_ANSWERS = {
    "sex": ("sex-trafficking",),
    "labor": ("labor-trafficking",),
    "both": ("sex-trafficking", "labor-trafficking"),
}
CITIZENSHIP_ANSWERS = {"foreign_national": ("foreign-nationals",), "us_citizen_or_lpr": ("us-citizens-lpr",)}


def _required_bits(answers: dict[str, tuple[str, ...]], bits: dict[str, int]) -> dict[str, int]:
    return {answer: sum(bits[code] for code in codes) for answer, codes in answers.items()}


GENDER_REQUEST = _required_bits(GENDER_ANSWERS, GENDER_BITS)
TRAFFICKING_REQUEST = _required_bits(TRAFFICKING_ANSWERS, TRAFFICKING_BITS)
CITIZENSHIP_REQUEST = _required_bits(CITIZENSHIP_ANSWERS, CITIZENSHIP_BITS)

# The index value that certainly leaves out a client of each citizenship answer: a service for the other group
# only. The walks' GiST index has citizenship as a key column, so `citizenship <> this` skips whole subtrees
# instead of reading and discarding their rows (a US citizen asking about T visas, which every listed service
# offers to foreign nationals only, read every row of the need). The bit test stays the rule; this only prunes.
# No answer: no row has NO_ROW_VALUE.
CITIZENSHIP_EXCLUDED = {answer: sum(CITIZENSHIP_BITS.values()) & ~bit for answer, bit in CITIZENSHIP_REQUEST.items()}
NO_ROW_VALUE = -1


@dataclass(frozen=True)
class Client:
    """What a client told us that eligibility depends on (every answer optional)."""

    age: int | None = None
    gender: str | None = None
    trafficking_type: str | None = None
    citizenship: str | None = None
    lgbtq: bool | None = None

    def population_codes(self) -> list[str]:
        """Return the population codes a service must serve for this client (the registry API's `population`).

        `lgbtq=False` has no population code: it leaves out services for LGBTQ+ people only, which only matching
        does."""
        codes = []
        for answers, answer in (
            (GENDER_ANSWERS, self.gender),
            (TRAFFICKING_ANSWERS, self.trafficking_type),
            (CITIZENSHIP_ANSWERS, self.citizenship),
        ):
            codes += answers[answer] if answer else ()
        return codes + ([LGBTQ] if self.lgbtq else [])


# --- the ORM form ----------------------------------------------------------------------------------------


def serving_population_q(population, prefix: str = "") -> Q:
    """Return a filter for services that serve a population: they list it, or nothing on its dimension. The age
    groups are also checked against the service's minimum and maximum age."""
    from providers.models import Service

    through = Service.populations.through.objects.filter(service_id=OuterRef(f"{prefix}id"))
    listed = Exists(through.filter(population_id=population.pk))
    restricted = Exists(through.filter(population__dimension=population.dimension))
    q = Q(listed) | ~Q(restricted)
    if population.code == MINORS:
        q &= Q(**{f"{prefix}minimum_age__isnull": True}) | Q(**{f"{prefix}minimum_age__lt": ADULT_AGE_YEARS})
    elif population.code == ADULTS:
        q &= Q(**{f"{prefix}maximum_age__isnull": True}) | Q(**{f"{prefix}maximum_age__gte": ADULT_AGE_YEARS})
    return q


def serving_age_q(age: int, prefix: str = "") -> Q:
    """Return a filter for services that take a client of this age: within their minimum and maximum age, and
    serving the client's age group."""
    from providers.models import Population

    bounds = (Q(**{f"{prefix}minimum_age__isnull": True}) | Q(**{f"{prefix}minimum_age__lte": age})) & (
        Q(**{f"{prefix}maximum_age__isnull": True}) | Q(**{f"{prefix}maximum_age__gte": age})
    )
    group = Population.objects.filter(code=ADULTS if age >= ADULT_AGE_YEARS else MINORS).first()
    return bounds if group is None else bounds & serving_population_q(group, prefix)


# --- the index form ---------------------------------------------------------------------------------------


def _mask(dimension: str, bits: dict[str, int]) -> str:
    cases = " ".join(f"WHEN '{code}' THEN {bit}" for code, bit in bits.items())
    code = f"CASE p.code {cases} ELSE {UNKNOWN_CODE_BIT} END"
    return f"bit_or(CASE WHEN p.dimension = '{dimension}' THEN {code} ELSE 0 END)"


def index_fragments() -> dict[str, str]:
    """Return the SQL of matching/sql/index_rows.sql's eligibility parts: aggregates over a service's populations
    (alias p, grouped by service), and its age limits from the service row (s) and those aggregates (pop)."""
    return {
        "age_groups": f"bool_or(p.code = '{ADULTS}') AS adults, bool_or(p.code = '{MINORS}') AS minors",
        "lgbtq": f"bool_or(p.code = '{LGBTQ}')",
        **{
            # The column names of the index (matching.models.MatchCandidate).
            {"gender": "genders", "trafficking_type": "trafficking_types"}.get(dimension, dimension): _mask(
                dimension, bits
            )
            for dimension, bits in BIT_DIMENSIONS.items()
        },
        # GREATEST/LEAST ignore NULLs: a group narrows the service's own limits, or gives them.
        "minimum_age": (f"GREATEST(s.minimum_age, CASE WHEN pop.adults AND NOT pop.minors THEN {ADULT_AGE_YEARS} END)"),
        "maximum_age": f"LEAST(s.maximum_age, CASE WHEN pop.minors AND NOT pop.adults THEN {ADULT_AGE_YEARS - 1} END)",
    }


# --- the walk form: conditions on an index row (alias mc) for a client --------------------------------------

# The text is the same for every client (an answer not given is a parameter that lets every row through), so the
# statements that use it are planned once per connection.
INDEX_CONDITIONS = (
    "(%(age)s::int IS NULL OR ((mc.min_age IS NULL OR mc.min_age <= %(age)s::int)"
    " AND (mc.max_age IS NULL OR mc.max_age >= %(age)s::int)))",
    # Unrestricted (0), or restricted to values that include all of the client's (0: nothing asked).
    *(
        f"(mc.{column} = 0 OR mc.{column} & %({column})s::int = %({column})s::int)"
        for column in ("genders", "trafficking_types", "citizenship")
    ),
    "(NOT %(exclude_lgbtq)s::boolean OR NOT mc.lgbtq_specific)",
)


def index_params(client: Client) -> dict:
    """Return the parameters of INDEX_CONDITIONS (and of the walks' citizenship key) for a client."""
    return {
        "age": client.age,
        "genders": GENDER_REQUEST[client.gender] if client.gender else 0,
        "trafficking_types": TRAFFICKING_REQUEST[client.trafficking_type] if client.trafficking_type else 0,
        "citizenship": CITIZENSHIP_REQUEST[client.citizenship] if client.citizenship else 0,
        "citizenship_excluded": CITIZENSHIP_EXCLUDED[client.citizenship] if client.citizenship else NO_ROW_VALUE,
        "exclude_lgbtq": client.lgbtq is False,
    }
