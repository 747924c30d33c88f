"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

from core.database import limit_statement_time  # noqa: E402 - needs the Django setup above

limit_statement_time()  # as config/wsgi.py
