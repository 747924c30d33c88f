"""Fixtures of sends (a chosen open and confidential site; local SMTP and Twilio stand-ins), for every test package."""

import datetime
import json

import pytest
from django.db import connection

from providers.models import Schedule
from tests import factories
from tests.standins import SmtpServer, TwilioStandIn

NUMBER = "+17135550199"  # the survivor's number in every test
EMAIL = "someone.private@example.net"


@pytest.fixture
def chosen(provider_org):
    """An ordinary site and a confidential one (street, unit, ZIP+4 and a back-office line to keep out)."""
    hidden = factories.location(provider_org, is_confidential=True)
    factories.address(hidden, address_1="12 Hidden Lane", address_2="Unit 3", city="Pasadena", postal_code="77506-6008")
    factories.phone(location=hidden, number="+17135550111", description="back office")
    factories.phone(location=hidden, number="+17135550122", is_front_door=True)
    open_site = factories.location(provider_org)
    factories.address(open_site, address_1="500 Main St", postal_code="77002")
    factories.phone(location=open_site, number="+17135550133", extension="12", is_front_door=True)
    Schedule.objects.create(location=open_site, weekday=1, opens_at=datetime.time(9), closes_at=datetime.time(17))
    service = factories.service(provider_org, name="Emergency Shelter", needs=("emergency-shelter",))
    return [str(factories.offer(service, open_site).pk), str(factories.offer(service, hidden).pk)]


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        yield server


@pytest.fixture
def twilio(settings):
    with TwilioStandIn() as standin:
        settings.SMS_BACKEND = "sends.twilio_sms.TwilioBackend"
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = standin.account_sid, standin.auth_token
        settings.TWILIO_FROM_NUMBER = "+15005550006"
        settings.TWILIO_API_BASE_URL = standin.base_url
        yield standin


def jobs(task: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT args FROM procrastinate_jobs WHERE task_name = %s ORDER BY id", [task])
        return [json.loads(row[0]) for row in cursor.fetchall()]  # Django reads jsonb as its text
