"""One referral's details are read in a fixed number of statements, with or without the client's consent and
contact (referrals/selectors.py referral_get): what the details show reads nothing more."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals import selectors
from referrals.serializers import ReferralDetailSerializer
from tests.referrals.conftest import consent_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("with_contact", [True, False])
def test_the_details_read_nothing_after_the_referral(people, send, with_contact):
    extra = (
        {"client_contact": {"name": "Maria Example", "phone": "713-555-0199", "preferred_language": "es"},
         "consent": consent_body()}
        if with_contact else {}
    )  # fmt: skip
    code = send(people["sender"], **extra).data["code"]
    with CaptureQueriesContext(connection) as reads:
        referral = selectors.referral_get(user=people["sender"], code=code)
    with CaptureQueriesContext(connection) as more:
        data = ReferralDetailSerializer(referral, context={"request": SimpleNamespace(user=people["sender"])}).data
        referral.consented_contact()
    assert (data["consent"] is not None) == with_contact
    assert (data["client_contact"] is not None) == with_contact
    assert len(more.captured_queries) == 0, [query["sql"][:120] for query in more.captured_queries]
    assert len(reads.captured_queries) <= 7
