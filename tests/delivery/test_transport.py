"""The webhooks' transport (hcoc.delivery.transport) against real sockets on loopback: a
connection is kept open between deliveries and reused, a receiver may close it at any time, an
answer of any framing (length, chunks, until close) is read to its end, and TLS checks the
receiver's certificate against the URL's name."""

import asyncio
import datetime
import ipaddress
import ssl
import tempfile
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hcoc.delivery import transport

ALLOWED = ["127.0.0.0/8"]
BODY = b'{"seq": 1}'


class Receiver:
    """An HTTP/1.1 receiver on its own event loop (a thread): answers each request with
    `answer(n)` (n: the request's number, from 1), counts connections and requests, and closes a
    connection after its answer when `close_after(n)` says so."""

    def __init__(self, answer=None, close_after=None, tls: ssl.SSLContext | None = None):
        self.answer = answer or (lambda n: b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        self.close_after = close_after or (lambda n: False)
        self.connections = 0
        self.requests: list[bytes] = []
        self.loop = asyncio.new_event_loop()
        started = threading.Event()

        async def serve():
            self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=tls)
            self.port = self.server.sockets[0].getsockname()[1]
            started.set()

        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(serve(), self.loop)
        assert started.wait(10)

    async def _handle(self, reader, writer):
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                self.requests.append(head + await reader.readexactly(length))
                n = len(self.requests)
                writer.write(self.answer(n))
                await writer.drain()
                if self.close_after(n):
                    return
        finally:
            writer.close()

    def url(self, scheme="http", host="127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.port}/hook"

    def close(self):
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def receivers():
    made = []

    def make(**kw) -> Receiver:
        made.append(Receiver(**kw))
        return made[-1]

    yield make
    for r in made:
        r.close()


def posts(url: str, n: int) -> list[transport.ReceiverAnswer]:
    """`n` deliveries one after the other through one pool (as the worker makes them)."""

    async def run():
        pool = transport.Pool()
        try:
            return [
                await pool.post(url, BODY, {"webhook-id": f"m{i}"}, allowed=ALLOWED, timeout=5)
                for i in range(n)
            ]
        finally:
            pool.close()

    return transport.run_apart(run())


def test_one_connection_carries_every_delivery_to_a_receiver_that_keeps_it(receivers):
    r = receivers()
    assert [a.status for a in posts(r.url(), 3)] == [200, 200, 200]
    assert (r.connections, len(r.requests)) == (1, 3)
    first = r.requests[0].decode()
    assert first.startswith("POST /hook HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{r.port}\r\n" in first and "webhook-id: m0\r\n" in first
    assert first.endswith("\r\n\r\n" + BODY.decode())


def test_a_receiver_that_closes_after_each_answer_gets_every_delivery_on_new_connections(
    receivers,
):
    # Closed without saying so (no `Connection: close`): the kept connection is found closed at
    # the next delivery, which goes again on a new one.
    silent = receivers(close_after=lambda n: True)
    assert [a.status for a in posts(silent.url(), 3)] == [200, 200, 200]
    assert (silent.connections, len(silent.requests)) == (3, 3)
    said = receivers(
        answer=lambda n: b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        close_after=lambda n: True,
    )
    assert [a.status for a in posts(said.url(), 2)] == [200, 200]
    assert (said.connections, len(said.requests)) == (2, 2)


def test_answers_in_chunks_or_until_close_are_read_to_their_end(receivers):
    chunked = receivers(
        answer=lambda n: (
            b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        )
    )
    assert [a.status for a in posts(chunked.url(), 2)] == [202, 202]
    assert chunked.connections == 1  # read to its end, so the connection was reused
    unframed = receivers(
        answer=lambda n: b"HTTP/1.0 204 No Content\r\n\r\n", close_after=lambda n: True
    )
    assert [a.status for a in posts(unframed.url(), 2)] == [204, 204]
    refused = receivers(answer=lambda n: b"HTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\nbad")
    (answer,) = posts(refused.url(), 1)
    assert (answer.status, answer.error) == (500, "answered HTTP 500")


def test_no_answer_and_a_garbled_answer_are_failures_naming_what_happened(receivers):
    garbled = receivers(answer=lambda n: b"SMTP ready\r\n\r\n", close_after=lambda n: True)
    (answer,) = posts(garbled.url(), 1)
    assert answer.status is None and "not an HTTP answer" in answer.error
    silent = receivers(answer=lambda n: b"")  # reads the request, never answers

    async def one():
        pool = transport.Pool()
        try:
            return await pool.post(silent.url(), BODY, {}, allowed=ALLOWED, timeout=0.5)
        finally:
            pool.close()

    answer = transport.run_apart(one())
    assert answer.status is None and answer.error.startswith("TimeoutError")


def self_signed(name: str) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # The ssl module loads a key and certificate from a file only.
    with tempfile.NamedTemporaryFile(suffix=".pem") as pem:
        pem.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        pem.write(cert.public_bytes(serialization.Encoding.PEM))
        pem.flush()
        context.load_cert_chain(pem.name)
    return context


def test_tls_checks_the_receivers_certificate(receivers):
    r = receivers(tls=self_signed("127.0.0.1"))
    (answer,) = posts(r.url("https"), 1)
    assert answer.status is None
    assert "SSLCertVerificationError" in answer.error and "self-signed" in answer.error
    assert r.requests == []  # nothing was sent to a receiver that did not prove its name
