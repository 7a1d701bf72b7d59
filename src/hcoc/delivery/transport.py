"""One POST of a signed delivery, to an address checked just before (delivery.addresses): the
connection goes to that address, while the Host header and TLS (SNI, certificate) use the URL's
name, so the name is never resolved a second time between the check and the connection."""

import http.client
import socket
import ssl
from dataclasses import dataclass

from .addresses import Refused, check

USER_AGENT = "HCoC-Exchange-Webhooks/1"
MAX_ANSWER_BYTES = 64 * 1024  # what a receiver answers is logged, not kept
TLS = ssl.create_default_context()


class _Pinned(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=TLS)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (refused address, connection, timeout)
    error: str = ""


def post(url: str, body: bytes, headers: dict[str, str], *, allowed, timeout: float) -> Answer:
    """POST `body`; never follows a redirect (a 3xx is a failure like any non-2xx)."""
    try:
        target = check(url, allowed=allowed)
    except Refused as e:
        return Answer(None, f"refused: the URL {e}")
    kind = _PinnedTLS if target.scheme == "https" else _Pinned
    conn = kind(target.host, target.port, address=target.addresses[0], timeout=timeout)
    try:
        conn.request(
            "POST",
            target.path,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Connection": "close",
            },
        )
        answer = conn.getresponse()
        answer.read(MAX_ANSWER_BYTES)
        status = answer.status
    except (OSError, http.client.HTTPException) as e:
        return Answer(None, f"{type(e).__name__}: {e}"[:500])
    finally:
        conn.close()
    if 200 <= status < 300:
        return Answer(status)
    return Answer(status, f"answered HTTP {status}")
