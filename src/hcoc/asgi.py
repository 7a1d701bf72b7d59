"""The ASGI application that `hcoc serve` runs (uvicorn workers under gunicorn): the pages and the
API (sync views, all run in one thread per server process) and the live stream
(hcoc.delivery.stream), whose open connections wait on the event loop without holding a thread.

Django's own ASGI handler ran each request's sync code in a thread of its own (a new
ThreadSensitiveContext per request), so a database connection could not outlive its request:
SQLite opened a new one, with its PRAGMAs, for every request; and it passed each request between
the event loop and that thread four to six times (the middlewares, the URL resolver, the view,
the signals, the response's close). Issue 24: 5.5 ms of server CPU for the smallest read, against
1.1 ms under sync workers. Here (RequestHandler):

- every request's sync code runs in one thread per process (REQUEST_THREAD), which keeps its
  database connection between requests (`HCOC_DB_CONN_MAX_AGE`, as under sync workers): one
  request's sync code at a time per process, as a sync worker serves them;
- a request goes to that thread once: the request_started signal, the middlewares and the view,
  and, for an answer that is not streamed, its close (the request_finished signal), as Django's
  WSGI handler runs them;
- a streamed answer (the live streams) is sent from the event loop as Django sends it, cancelled
  when the client goes away, and closed after.
(docs/decisions/0006.)
"""

import asyncio
import contextlib
import os
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hcoc.settings")
# PostgreSQL: a pool, shared by the request thread, the streams' reads and the hub's poller.
os.environ.setdefault("HCOC_DB_POOL_SIZE", "10")

import django  # noqa: E402
from django.core import signals  # noqa: E402
from django.core.exceptions import RequestAborted  # noqa: E402
from django.core.handlers import base  # noqa: E402
from django.core.handlers.asgi import ASGIHandler, get_script_prefix  # noqa: E402
from django.http import FileResponse  # noqa: E402
from django.urls import set_script_prefix  # noqa: E402

# The one thread in which this process runs every request's sync code, in the order they come.
REQUEST_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="requests")


class RequestHandler(ASGIHandler):
    """Django's ASGI handler, with each request's sync work in one call to the request thread
    (see the module's doc). Every middleware of the exchange is sync, so the chain is loaded in
    sync mode, as for WSGI."""

    # An answer in memory goes to the server in messages of this size, and a file is read in
    # blocks of it: Django's 64 KiB made a feed page of 1,000 items (1.5 MB) 23 trips through
    # the event loop and the server's protocol, and WhiteNoise's files (4 KiB blocks: Django
    # raises them only in its own run_get_response, which this handler does not call) hundreds.
    chunk_size = 2**20

    def __init__(self):
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def handle(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            response = await sync_to_async(self._respond, thread_sensitive=True)(scope, body_file)
            if not response.streaming:
                await self.send_response(response, send)
                return
            # A stream: sent from the event loop, and stopped when the client goes away.
            sending = asyncio.create_task(self.send_response(response, send))
            listening = asyncio.create_task(self.listen_for_disconnect(receive))
            await asyncio.wait([sending, listening], return_when=asyncio.FIRST_COMPLETED)
            for task in (listening, sending):
                if not task.done():
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError, RequestAborted):
                    await task
            await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def _respond(self, scope, body_file):
        """In the request thread: what Django's WSGI handler does for one request."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if not response.streaming:
            # Its body is in memory: closed here (request_finished: connections kept or let go)
            # rather than in another trip to this thread after sending.
            response.close()
        return response


django.setup(set_prefix=False)
django_application = RequestHandler()

from hcoc.project.warm import warm  # noqa: E402

warm()

# Only now: the middleware module needs the apps loaded (its models).
from hcoc.idempotency.middleware import asgi_body_limit  # noqa: E402

# Django's ASGI handler reads a whole body before any middleware: cap how much it reads.
limited_application = asgi_body_limit(django_application)


async def application(scope, receive, send):
    if scope["type"] != "http":
        return await limited_application(scope, receive, send)
    # Django's own ThreadSensitiveContext (entered inside) then finds this one and uses it.
    async with ThreadSensitiveContext(executor=REQUEST_THREAD):
        await limited_application(scope, receive, send)
