"""One POST of a signed delivery, to an address checked just before (delivery.addresses): the
connection goes to that address, while the Host header and TLS (SNI, certificate) use the URL's
name, so the name is never resolved a second time between the check and the connection.

Asynchronous (asyncio), so that the worker delivers to hundreds of endpoints at once from one
thread, and with connections kept open between deliveries (HTTP/1.1 keep-alive): a receiver that
keeps its connection open gets its next delivery without a new TCP (and TLS) handshake. A kept
connection is reused only for the same URL host, port and checked address; one the receiver
closed meanwhile is replaced by a new one and the request sent once more (a delivery is at least
once anyway, with the same `webhook-id`).
"""

import asyncio
import concurrent.futures
import ssl
import time
from dataclasses import dataclass

from .addresses import Refused, Target, check

USER_AGENT = "HCoC-Exchange-Webhooks/1"
MAX_ANSWER_BYTES = 64 * 1024  # what a receiver answers is logged, not kept
MAX_HEADER_LINES = 100
TLS = ssl.create_default_context()
# Kept connections: at most this many idle per (host, port, address), each at most this long.
IDLE_PER_TARGET = 4
IDLE_SECONDS = 30.0


@dataclass(frozen=True)
class ReceiverAnswer:
    status: int | None  # None: no HTTP answer (refused address, connection, timeout)
    error: str = ""


class _Closed(Exception):
    """A kept connection the receiver had closed before it answered anything."""


@dataclass
class _Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = 0.0

    def close(self) -> None:
        self.writer.close()


Key = tuple[str, str, int, str]  # scheme, host, port, address


class Pool:
    """Connections kept open between deliveries; one per event loop (the worker's)."""

    def __init__(self) -> None:
        self._idle: dict[Key, list[_Conn]] = {}

    def _take(self, key: Key) -> _Conn | None:
        now = time.monotonic()
        kept = self._idle.get(key, [])
        while kept:
            conn = kept.pop()
            if now - conn.idle_since < IDLE_SECONDS and not conn.reader.at_eof():
                return conn
            conn.close()
        return None

    def _give_back(self, key: Key, conn: _Conn) -> None:
        kept = self._idle.setdefault(key, [])
        if len(kept) >= IDLE_PER_TARGET:
            conn.close()
            return
        conn.idle_since = time.monotonic()
        kept.append(conn)

    def close(self) -> None:
        for kept in self._idle.values():
            for conn in kept:
                conn.close()
        self._idle.clear()

    async def post(
        self, url: str, body: bytes, headers: dict[str, str], *, allowed, timeout: float
    ) -> ReceiverAnswer:
        """POST `body`; never follows a redirect (a 3xx is a failure like any non-2xx)."""
        try:
            # The check resolves the name: in a thread, so that the loop's other deliveries go on.
            target = await asyncio.to_thread(check, url, allowed=allowed)
        except Refused as e:
            return ReceiverAnswer(None, f"refused: the URL {e}")
        key = (target.scheme, target.host, target.port, target.addresses[0])
        conn = None
        try:
            async with asyncio.timeout(timeout):
                conn = self._take(key)
                if conn is not None:
                    try:
                        status, reusable = await _exchange(conn, target, body, headers)
                    except (_Closed, ConnectionError):
                        conn.close()  # closed by the receiver while kept: a new one
                        conn = None
                if conn is None:
                    conn = await _connect(target)
                    status, reusable = await _exchange(conn, target, body, headers)
        except BaseException as e:
            if conn is not None:
                conn.close()
            if isinstance(e, TimeoutError):
                return ReceiverAnswer(None, f"TimeoutError: no answer within {timeout:g} s")
            if isinstance(e, _Closed):
                return ReceiverAnswer(
                    None, "RemoteDisconnected: the receiver closed the connection"
                )
            if isinstance(e, OSError | ValueError | asyncio.IncompleteReadError):
                return ReceiverAnswer(None, f"{type(e).__name__}: {e}"[:500])
            raise
        if reusable:
            self._give_back(key, conn)
        else:
            conn.close()
        if 200 <= status < 300:
            return ReceiverAnswer(status)
        return ReceiverAnswer(status, f"answered HTTP {status}")


async def _connect(target: Target) -> _Conn:
    tls = target.scheme == "https"
    reader, writer = await asyncio.open_connection(
        target.addresses[0],
        target.port,
        ssl=TLS if tls else None,
        server_hostname=target.host if tls else None,
    )
    return _Conn(reader, writer)


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


async def _exchange(
    conn: _Conn, target: Target, body: bytes, headers: dict[str, str]
) -> tuple[int, bool]:
    """Send the request and read the answer: (status, whether the connection may be reused)."""
    lines = [
        f"POST {target.path} HTTP/1.1",
        f"Host: {_host_header(target)}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        f"User-Agent: {USER_AGENT}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    conn.writer.write(head + body)
    await conn.writer.drain()
    status_line = await conn.reader.readline()
    if not status_line:
        raise _Closed
    version, _, rest = status_line.decode("latin-1").partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise ValueError(f"not an HTTP answer: {status_line[:80]!r}")
    status = int(code)
    fields: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        line = await conn.reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        fields[name.strip().lower()] = value.strip()
    else:
        raise ValueError(f"more than {MAX_HEADER_LINES} header lines")
    reusable = version == "HTTP/1.1" and "close" not in fields.get("connection", "").lower()
    if status in (204, 304) or 100 <= status < 200:
        return status, reusable
    if "chunked" in fields.get("transfer-encoding", "").lower():
        read = 0
        while True:
            size_line = await conn.reader.readline()
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await conn.reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return status, reusable
            read += size
            if read > MAX_ANSWER_BYTES:
                return status, False  # not read to its end: the connection is not reused
            await conn.reader.readexactly(size + 2)  # the chunk and its CRLF
    if "content-length" in fields:
        length = int(fields["content-length"])
        if length > MAX_ANSWER_BYTES:
            return status, False
        await conn.reader.readexactly(length)
        return status, reusable
    # No length: the answer ends when the receiver closes the connection.
    await conn.reader.read(MAX_ANSWER_BYTES)
    return status, False


def run_apart(coroutine):
    """`asyncio.run(coroutine)` from synchronous code, also where this thread already runs an
    event loop (a page's live stream under ASGI, Playwright's sync API in a test process): then
    on a short-lived thread of its own, whose loop is its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as apart:
        return apart.submit(asyncio.run, coroutine).result()
