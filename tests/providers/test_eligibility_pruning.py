"""providers.eligibility: the pruning value of each citizenship answer never drops a row the rule allows."""

from itertools import combinations

import pytest

from providers.eligibility import (
    CITIZENSHIP_BITS,
    CITIZENSHIP_EXCLUDED,
    CITIZENSHIP_REQUEST,
    NO_ROW_VALUE,
    UNKNOWN_CODE_BIT,
)


def stored_values() -> set[int]:
    """Every value matching.index can store: the OR of any set of listed codes, known or not."""
    bits = [*CITIZENSHIP_BITS.values(), UNKNOWN_CODE_BIT]
    values = set()
    for size in range(len(bits) + 1):
        for chosen in combinations(bits, size):
            value = 0
            for bit in chosen:
                value |= bit
            values.add(value)
    return values


def allowed(stored: int, answer: int) -> bool:
    """matching.engine.HARD_FILTERS' rule: unrestricted, or restricted to groups that include the client's."""
    return stored == 0 or stored & answer == answer


@pytest.mark.parametrize("answer", sorted(CITIZENSHIP_REQUEST))
def test_the_pruned_value_is_one_the_rule_refuses(answer):
    excluded = CITIZENSHIP_EXCLUDED[answer]
    assert excluded in stored_values()  # it prunes something real
    assert excluded != 0  # never the unrestricted services
    assert not allowed(excluded, CITIZENSHIP_REQUEST[answer])


def test_no_answer_prunes_nothing():
    assert NO_ROW_VALUE not in stored_values()
