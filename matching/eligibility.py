"""How eligibility attributes are encoded in the match index, and what a client's answers require.

Within a dimension, a service that lists no value serves everyone; one that lists some serves only those
(the same rule as providers.selectors.services_serving_q). Each dimension is stored as a bit mask, 0 meaning
"no restriction", so the hard filters are cheap enough to evaluate while PostgreSQL walks the GiST index.
"""

GENDER_BITS = {"women": 1, "men": 2, "transgender-nonbinary": 4}
TRAFFICKING_BITS = {"sex-trafficking": 1, "labor-trafficking": 2}
CITIZENSHIP_BITS = {"foreign-nationals": 1, "us-citizens-lpr": 2}

# Request values -> the bits a service must have (all of them) when it restricts that dimension.
GENDER_REQUEST = {"women": 1, "men": 2, "transgender-nonbinary": 4}
TRAFFICKING_REQUEST = {"sex": 1, "labor": 2, "both": 3}
CITIZENSHIP_REQUEST = {"foreign_national": 1, "us_citizen_or_lpr": 2}


# The row value that certainly leaves out a client of each citizenship answer: a service for the other group
# only. The walks' GiST index has citizenship as a key column, so `citizenship <> this` skips whole subtrees
# instead of reading and discarding their rows: for a US citizen asking about T visas, which every listed
# service offers to foreign nationals only, the walk had read every row of the need (150 ms at 1M rows). The
# bit-mask test in matching.engine.HARD_FILTERS stays the rule; this only prunes. No answer: no row has -1.
CITIZENSHIP_EXCLUDED = {answer: sum(CITIZENSHIP_BITS.values()) & ~bit for answer, bit in CITIZENSHIP_REQUEST.items()}
NO_ROW_VALUE = -1

# A population code this module does not know (added in the admin, say) restricts the service to nobody
# the matcher can name: fail closed rather than read it as "no restriction".
UNKNOWN_CODE_BIT = 64


def mask_sql(bits: dict[str, int]) -> str:
    """Return a SQL CASE turning a population code (alias p.code) into its bit."""
    cases = " ".join(f"WHEN '{code}' THEN {bit}" for code, bit in bits.items())
    return f"CASE p.code {cases} ELSE {UNKNOWN_CODE_BIT} END"
