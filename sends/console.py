"""The development SMS backend: prints each text message to the console instead of sending it."""

import sys
import uuid

from sends.channels import SmsBackend


class ConsoleBackend(SmsBackend):
    def send(self, *, to: str, body: str, status_callback: str | None) -> str:
        # The number's last two digits only: development consoles end up in terminals' scrollback and in logs.
        sys.stdout.write(f"--- text message to (number ending {to[-2:]}) ---\n{body}\n--- end ---\n")
        sys.stdout.flush()
        return f"console-{uuid.uuid4()}"
