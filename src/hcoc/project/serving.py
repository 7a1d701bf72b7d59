"""What `hcoc serve` runs in each gunicorn worker: uvicorn's worker with deadlines on reading a
request, so a slow client cannot hold a connection open for ever.

uvicorn has none of its own: its keep-alive timeout runs only between requests, so a client that
sends its headers (or its body) a byte at a time kept the connection, and its share of the
worker's file descriptors, as long as it liked (issue 22: 3,000 such connections stayed open
40 s). Here a request's headers must be complete within settings.HEADER_TIMEOUT_SECONDS of the
connection (or of the previous response, on a kept-alive connection) and its body within
settings.BODY_TIMEOUT_SECONDS of its headers; otherwise the connection is closed (with 408 when
nothing has been answered yet). The deadline runs only while the server waits for the client:
never while the application works on a request or sends its answer (a live stream stays open).
"""

from asyncio import TimerHandle

from django.conf import settings
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker

TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 34\r\nconnection: close\r\n\r\nThe request took too long to send.\n"
)


class DeadlineProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol (httptools) with a deadline on each request's headers and
    on its body."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._deadline: TimerHandle | None = None

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        answering = self.cycle is not None and not self.cycle.response_complete
        if not answering or not self.cycle.response_started:
            # Nothing sent on this connection for this request yet: say why it ends.
            self.transport.write(TIMEOUT_ANSWER)
        self.transport.close()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm(settings.HEADER_TIMEOUT_SECONDS)

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # a kept-alive connection's next request
            self._arm(settings.HEADER_TIMEOUT_SECONDS)

    def on_headers_complete(self) -> None:
        self._arm(settings.BODY_TIMEOUT_SECONDS)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        # The whole request is in: from here the application has the time (a live stream
        # stays open), and the keep-alive timeout covers the wait for a next request.
        self._disarm()
        super().on_message_complete()


class Worker(UvicornWorker):
    """uvicorn_worker's worker, with DeadlineProtocol for HTTP/1.1."""

    CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "http": DeadlineProtocol}
