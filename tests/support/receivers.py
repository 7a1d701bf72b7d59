"""Webhook receivers for the tests: real HTTP servers (http.server, each in a thread) on
loopback, recording every POST they get and answering with the status a test sets; a test may
hold the answers back (`hold()`, then `release()`) to catch a sender with a delivery in flight."""

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = ["127.0.0.0/8", "::1/128"]  # HCOC_WEBHOOK_ALLOWED_NETWORKS for receivers here


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int


class Receiver:
    def __init__(self, status: int = 200):
        self.status = status
        self.then: list[int] = []  # statuses to answer first, one per POST, before `status`
        self.received: list[Received] = []
        self.answer = threading.Event()  # set: answer at once; cleared by hold()
        self.answer.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.then.pop(0) if receiver.then else receiver.status
                receiver.received.append(
                    Received({k.lower(): v for k, v in self.headers.items()}, body, status)
                )
                receiver.answer.wait(60)  # bounded: a test that forgets release() goes on
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.answered < 300]

    def hold(self) -> None:
        """Record each POST as it comes, but answer none until `release()`."""
        self.answer.clear()

    def release(self) -> None:
        self.answer.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
