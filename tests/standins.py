"""Local servers that answer as the outside services do, over their real protocols: an SMTP server (aiosmtpd) and
an HTTP server that answers as Twilio's Messages API does and sends its signed status callbacks."""

import base64
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from twilio.request_validator import RequestValidator

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per connection


def run_workers(queue: str, count: int = 2, **env) -> list[str]:
    """Run `count` real job-queue workers (`procrastinate worker --one-shot`) on the test database until the queue
    is empty; return their error output. A worker that fails is an AssertionError with its output."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    url = f"postgis://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = dict(os.environ, LOG_LEVEL="WARNING", DATABASE_URL=url, **env)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [sys.executable, "manage.py", "procrastinate", "worker", "--one-shot", "--queues", queue]
    workers = []
    try:
        workers = [
            subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stderr=subprocess.PIPE)  # noqa: S603 (manage.py)
            for _ in range(count)
        ]
        errors = [worker.communicate(timeout=120)[1].decode() for worker in workers]
    finally:
        for worker in workers:  # never left holding connections to the test database
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert [worker.returncode for worker in workers] == [0] * count, errors
    return errors


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """A local SMTP server keeping every message it receives (envelope recipients and the parsed message)."""

    def __init__(self):
        self.messages: list = []
        self.refusal: str | None = None  # e.g. "550 5.1.1 <{address}>: no such user", answered to RCPT TO
        self.data_refusal: str | None = None  # e.g. "554 5.7.1 rejected", answered to the message itself
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def subjects(self) -> list[str]:
        return [message["Subject"] for message in self.messages]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refusal:
            return self.refusal.format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's handler name)
        if self.data_refusal:
            return self.data_refusal
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.recipients = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@dataclass
class TextMessage:
    sid: str
    to: str
    sender: str
    body: str
    status_callback: str


@dataclass
class TwilioStandIn:
    """Twilio's Messages API on a local port: POST /2010-04-01/Accounts/{sid}/Messages.json with Basic auth answers
    201 and the message resource; `fail_next` makes the next calls answer an error as Twilio does. `report` sends a
    status callback to the message's StatusCallback URL, signed with the auth token as Twilio signs it."""

    account_sid: str = "AC" + "0" * 32
    auth_token: str = "stand-in-auth-token"
    messages: list[TextMessage] = field(default_factory=list)
    # The next calls' answers, in order: (HTTP status, Twilio error code), or None to take the message.
    failures: list[tuple[int, int] | None] = field(default_factory=list)
    stall_s: float = 0  # take the next message, but answer only after this long (a client's read timeout)
    drop_next: bool = False  # take the next message, then close the connection without an answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), self._handler())

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail_next(self, status: int, code: int, times: int = 1):
        self.failures += [(status, code)] * times

    def report(self, message: TextMessage, status: str, error_code: str | None = None) -> int:
        """Post a status callback as Twilio does; return our server's HTTP status."""
        params = {
            "MessageSid": message.sid, "SmsSid": message.sid, "MessageStatus": status, "SmsStatus": status,
            "AccountSid": self.account_sid, "To": message.to, "From": message.sender, "ApiVersion": "2010-04-01",
        }  # fmt: skip
        if error_code:
            params["ErrorCode"] = error_code
        signature = RequestValidator(self.auth_token).compute_signature(message.status_callback, params)
        request = urllib.request.Request(  # noqa: S310 - a local URL the test configured
            message.status_callback, data=urllib.parse.urlencode(params).encode(), method="POST",
            headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 (http.server's handler name)
                expected = f"/2010-04-01/Accounts/{standin.account_sid}/Messages.json"
                credentials = base64.b64encode(f"{standin.account_sid}:{standin.auth_token}".encode()).decode()
                if self.path != expected:
                    return self._answer(404, {"code": 20404, "message": "The requested resource was not found"})
                if self.headers.get("Authorization") != f"Basic {credentials}":
                    return self._answer(401, {"code": 20003, "message": "Authenticate"})
                length = int(self.headers.get("Content-Length", 0))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                with standin.lock:
                    failure = standin.failures.pop(0) if standin.failures else None
                    if failure:
                        status, code = failure
                        return self._answer(status, {"code": code, "message": f"The 'To' number {form.get('To')} "
                                                     "is not valid.", "status": status})  # fmt: skip
                    if (
                        not form.get("To")
                        or not form.get("Body")
                        or not (form.get("From") or form.get("MessagingServiceSid"))
                    ):
                        return self._answer(400, {"code": 21604, "message": "A 'To' phone number is required."})
                    message = TextMessage(sid="SM" + secrets.token_hex(16), to=form["To"],
                                          sender=form.get("From", ""), body=form["Body"],
                                          status_callback=form.get("StatusCallback", ""))  # fmt: skip
                    standin.messages.append(message)
                    stall, standin.stall_s = standin.stall_s, 0
                    drop, standin.drop_next = standin.drop_next, False
                time.sleep(stall)
                if drop:
                    self.close_connection = True
                    return
                self._answer(201, {
                    "sid": message.sid, "account_sid": standin.account_sid, "to": message.to, "from": message.sender,
                    "body": message.body, "status": "queued", "num_segments": "1", "direction": "outbound-api",
                    "api_version": "2010-04-01", "price": None, "error_code": None, "error_message": None,
                    "uri": f"{expected[:-5]}/{message.sid}.json",
                })  # fmt: skip

            def _answer(self, status: int, payload: dict):
                body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    pass

        return Handler

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
