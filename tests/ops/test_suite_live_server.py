"""The suite's own promise about its live server (support.live): a request counts as in flight
from the moment the server has read it until the server has answered and closed it, so a test
that has the live server ends only once the server is done with what the test sent."""

import json
import socket
import time
from urllib.parse import urlsplit

from support.bodies import pln
from support.live import LIVE_REQUESTS

from hcoc.notifications.models import Notification


def test_a_request_is_in_flight_until_the_server_has_answered_and_closed_it(live_server, personas):
    address = urlsplit(live_server.url)
    body = json.dumps(pln()).encode()
    head = (
        "POST /api/v1/notifications HTTP/1.1\r\n"
        f"Host: {address.netloc}\r\n"
        f"Authorization: Bearer {personas['fra_submitter'].token}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((address.hostname, address.port), timeout=30) as conn:
        conn.sendall(head + body[:20])  # the server reads the request, then waits for its body
        deadline = time.monotonic() + 10
        while LIVE_REQUESTS.wait_idle(0) == [] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert LIVE_REQUESTS.wait_idle(0.2) == ["/api/v1/notifications"]
        conn.sendall(body[20:])
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 201"), answer[:300]
    assert LIVE_REQUESTS.wait_idle(10) == []
    assert Notification.objects.count() == 1
