"""The ASGI application that `hcoc serve` runs (uvicorn workers under gunicorn): the pages and the
API (sync views, each run in a thread of its own) and the live stream (hcoc.delivery.stream),
whose open connections wait on the event loop without holding a thread."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hcoc.settings")
# Under ASGI each request's sync code runs in a new thread, so a connection kept for the next
# request would be left behind by each one: connections close after every request here
# (docs/decisions/0006). An explicit HCOC_DB_CONN_MAX_AGE still wins.
os.environ.setdefault("HCOC_DB_CONN_MAX_AGE", "0")
# PostgreSQL: a pool instead, so that a request does not pay for a new connection.
os.environ.setdefault("HCOC_DB_POOL_SIZE", "10")
django_application = get_asgi_application()

# Only now: the middleware module needs the apps loaded (its models).
from hcoc.idempotency.middleware import asgi_body_limit  # noqa: E402

# Django's ASGI handler reads a whole body before any middleware: cap how much it reads.
application = asgi_body_limit(django_application)
