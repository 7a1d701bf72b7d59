"""`hcoc serve` as an operator runs it, attacked as issue 22 found it: a client that sends its
request a byte at a time is cut off after the read deadlines; two servers on one host each keep
their own gunicorn control socket; the links the server's worker mails carry the port served.

Real servers on loopback; every wait is bounded."""

import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from gunicorn.ctl.client import ControlClient
from support import free_port
from support.bodies import pln
from support.serve import database_url, serve

from hcoc.accounts.models import User
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = [pytest.mark.slow, pytest.mark.process, pytest.mark.timeout(300)]

DEADLINE = "2"  # seconds, for the headers and for the body
DRIPS, PAUSE = 40, 0.5  # a client still dripping after 20 s was never cut off


def drip(port: int, first: bytes, more: bytes) -> tuple[bytes, int]:
    """Send `first`, then `more` every PAUSE seconds until the server ends the connection or
    DRIPS are sent; what the server answered and how many drips were sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(first)
        for sent in range(DRIPS):
            readable, _, _ = select.select([s], [], [], PAUSE)
            if readable:
                answer = b""
                while chunk := s.recv(4096):
                    answer += chunk
                return answer, sent
            try:
                s.sendall(more)
            except (BrokenPipeError, ConnectionResetError):
                return b"", sent
    return b"", DRIPS


@pytest.fixture(scope="module")
def impatient_server(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        server = serve(HCOC_HEADER_TIMEOUT_SECONDS=DEADLINE, HCOC_BODY_TIMEOUT_SECONDS=DEADLINE)
    yield server
    server.kill()


def test_a_client_sending_its_headers_a_line_at_a_time_is_cut_off(impatient_server):
    answer, sent = drip(
        impatient_server.port,
        b"GET /api/v1/states/AUT HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        b"X-Slow: 1\r\n",
    )
    assert sent < DRIPS, "the server kept a connection that never finished its headers"
    assert answer.startswith(b"HTTP/1.1 408 "), answer


def test_a_client_sending_its_body_a_byte_at_a_time_is_cut_off(impatient_server):
    head = (
        b"POST /api/v1/notifications HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    )
    answer, sent = drip(impatient_server.port, head, b" ")
    assert sent < DRIPS, "the server kept a connection that never finished its body"
    assert answer.startswith(b"HTTP/1.1 408 "), answer


def test_a_client_that_sends_in_time_is_answered_also_after_a_pause_within_the_deadline(
    impatient_server,
):
    with socket.create_connection(("127.0.0.1", impatient_server.port), timeout=10) as s:
        s.sendall(b"GET /api/v1/states/AUT HTTP/1.1\r\n")
        time.sleep(0.5)
        s.sendall(b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]


# ---- two servers on one host -----------------------------------------------------------------


def control_socket(port: int) -> str:
    return str(settings.VAR_DIR / "run" / f"gunicorn-127.0.0.1-{port}.ctl")


def test_each_server_keeps_its_own_control_socket_when_another_on_the_host_stops(
    django_db_setup, django_db_blocker
):
    with django_db_blocker.unblock():
        first, second = serve(), serve()
    try:
        for server in (first, second):
            with ControlClient(control_socket(server.port), timeout=10) as client:
                listeners = client.send_command("show listeners")
            assert str(server.port) in str(listeners)
        os.killpg(first.proc.pid, signal.SIGTERM)  # a clean stop: it removes its own socket
        first.proc.wait(timeout=60)
        assert not os.path.exists(control_socket(first.port))
        with ControlClient(control_socket(second.port), timeout=10) as client:
            assert str(second.port) in str(client.send_command("show listeners"))
    finally:
        first.kill()
        second.kill()


# ---- links carry the port served on -----------------------------------------------------------


def test_the_link_mailed_by_the_servers_worker_carries_the_port_it_serves_on(
    transactional_db, personas
):
    User.objects.filter(username="jpn_reader").update(email="jpn_reader@example.org")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "HCOC_SITE_URL")}
    env["DATABASE_URL"] = database_url()
    server = subprocess.Popen(
        [sys.executable, "-m", "hcoc.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    said: list[str] = []
    reader = threading.Thread(
        target=lambda: said.extend(line.decode() for line in server.stdout), daemon=True
    )
    reader.start()
    try:
        fra = User.objects.get(username="fra_submitter")
        n = notification_submit(actor=fra, data=PLNIn.model_validate(pln()))
        link = f"/notifications/{n.reference}"
        for _ in range(600):  # bounded: 60 s at most for the worker's e-mail alert
            if any(link in line for line in said):
                break
            assert server.poll() is None, "".join(said)
            time.sleep(0.1)
        mailed = [line.strip() for line in said if link in line]
        assert mailed, "".join(said)
        assert all(f"http://127.0.0.1:{port}{link}" in line for line in mailed), mailed
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
