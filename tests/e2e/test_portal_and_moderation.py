"""Provider portal and moderator queue in a real browser: a shelter updates its beds in one step and
proposes a new service name; a moderator approves it; the listing changes."""

import pytest

from accounts.roles import Role
from providers.models import Location, Service
from tests import factories
from tests.e2e.test_referral_flow import sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)


def test_provider_updates_beds_and_a_moderator_approves_a_rename(page, screenshot):
    org = factories.organization(name="Casa Segura")
    service = factories.service(org, name="Emergency Shelter", needs=("emergency-shelter",))
    location = factories.location(org, name="Safe House", is_confidential=True, beds_total=10, beds_available=3)
    factories.offer(service, location)
    factories.user(Role.PROVIDER, organization=org, username="casa-staff")
    factories.user(Role.MODERATOR, username="mod-ana")

    sign_in(page, "casa-staff")
    page.get_by_role("link", name="Our listing").click()
    page.get_by_label("Beds available (of 10)").fill("0")
    page.get_by_role("button", name="Update beds").click()
    page.get_by_text("Saved: beds_available").wait_for()
    assert Location.objects.get(pk=location.pk).beds_available == 0
    page.get_by_label("Service name (reviewed)").fill("Emergency Shelter for Women")
    page.locator("form.edit", has_text="Service name").get_by_role("button", name="Save").click()
    page.get_by_text("Sent for review: name").wait_for()
    assert Service.objects.get(pk=service.pk).name == "Emergency Shelter"
    screenshot(page, "1-portal")
    sign_out(page)

    sign_in(page, "mod-ana")
    page.get_by_role("link", name="Moderation").click()
    item = page.locator("section.queue-item", has_text="Casa Segura")
    assert "Emergency Shelter for Women" in item.inner_text()
    screenshot(page, "2-queue")
    item.get_by_role("button", name="Approve").click()
    page.get_by_role("heading", name="Change requests").wait_for()
    assert Service.objects.get(pk=service.pk).name == "Emergency Shelter for Women"
