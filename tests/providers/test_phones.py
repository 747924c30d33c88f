"""Phone numbers as people dial them (providers.phones)."""

import pytest

from providers.phones import dialable


@pytest.mark.parametrize(
    ("number", "extension", "shown"),
    [
        ("+12815550107", "", "(281) 555-0107"),
        ("+12815550107", "12", "(281) 555-0107 ext. 12"),
        ("+525512345678", "", "+52 55 1234 5678"),
        ("", "", ""),
        (None, "", ""),
        ("not a number", "", "not a number"),
        ("+12815550107", "  ", "(281) 555-0107"),
        ("+1555", "", "+1555"),
    ],
)
def test_numbers_read_as_dialed(number, extension, shown):
    assert dialable(number, extension) == shown
