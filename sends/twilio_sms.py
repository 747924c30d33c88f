"""The Twilio SMS backend (the official `twilio` package): one Messages API call per text message, with a status
callback so delivery is known. TWILIO_API_BASE_URL points it at a stand-in (tests); unset, at Twilio."""

from django.conf import settings
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ConnectTimeout
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from sends.channels import NotSent, Refused, SmsBackend

TIMEOUT_S = 15
# Answers that say the message was not taken: too many requests, the service unavailable.
NOT_TAKEN = frozenset({429, 503})


class TwilioBackend(SmsBackend):
    def __init__(self):
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=TwilioHttpClient(timeout=TIMEOUT_S)
        )
        if settings.TWILIO_API_BASE_URL:
            self.client.api.base_url = settings.TWILIO_API_BASE_URL

    def send(self, *, to: str, body: str, status_callback: str | None) -> str:
        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        extra = {"status_callback": status_callback} if status_callback else {}
        try:
            message = self.client.messages.create(to=to, body=body, **sender, **extra)
        except (TwilioRestException, TwilioServiceException) as exc:
            # Twilio's code and HTTP status only: its message may quote the number.
            what = f"Twilio answered HTTP {exc.status}, error {exc.code}"
            if exc.status in NOT_TAKEN:
                raise NotSent(what) from None
            if 400 <= exc.status < 500:
                raise Refused(what) from None
            raise RuntimeError(what) from None  # a 500 or 504 may come after the message was created
        except RequestsConnectionError as exc:
            if not _never_connected(exc):
                raise  # lost after the request went out: it may have been accepted
            raise NotSent(f"no connection to Twilio ({type(exc).__name__})") from None
        return message.sid


def _never_connected(exc: RequestsConnectionError) -> bool:
    """True when the request cannot have reached Twilio: the connection was refused or timed out being made."""
    from urllib3.exceptions import NewConnectionError

    if isinstance(exc, ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)
