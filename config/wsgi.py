"""WSGI entry point.

The offline gazetteer (every US ZIP code and city, ~1.7 s of CPU to build) is built here, before the server
takes requests, instead of inside some caller's first search; with gunicorn's --preload (make serve) it is
built once and shared by every worker.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from core.database import limit_statement_time  # noqa: E402 - needs the Django setup above

limit_statement_time()  # before any connection is opened: each then starts with it

from geo.geocoding import gazetteer  # noqa: E402 - needs the Django setup above

gazetteer()

# Forked workers must not share a database connection the master might have opened.
from django.db import connections  # noqa: E402

connections.close_all()
