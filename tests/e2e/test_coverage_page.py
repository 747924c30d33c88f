"""The coverage page in Chromium: the counties coloured by the miles to the nearest provider, the legend, the
table and a download, with no WCAG A/AA violation."""

import pytest

from accounts.roles import Role
from tests import factories
from tests.coveragemap.fixtures import listed
from tests.e2e.test_accessibility import violations
from tests.e2e.test_referral_flow import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_see_a_needs_map_table_and_downloads(page, counties, screenshot):
    listed("t-visa", 29.55, -95.5)  # 3.5 mi from Harris's centre; the other two are hundreds of miles off
    factories.user(Role.HOTLINE, username="hotline-ana")
    sign_in(page, "hotline-ana")

    page.get_by_role("link", name="Coverage").click()
    page.get_by_label("Need").select_option(label="T visa")
    page.get_by_role("button", name="Show").click()

    page.locator("#coverage-map[data-loaded='3']").wait_for()
    fills = page.locator(".leaflet-overlay-pane path").evaluate_all("paths => paths.map(p => p.getAttribute('fill'))")
    assert sorted(fills) == ["#bd0026", "#bd0026", "#ffffb2"]
    rows = page.locator(".coverage-table tbody tr").all_inner_texts()
    assert rows[0].startswith("Los Angeles") and rows[-1].startswith("Harris")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "coverage-t-visa.csv"
    assert violations(page) == []
    screenshot(page, "coverage")
