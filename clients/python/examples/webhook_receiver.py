"""A receiver of the exchange's webhooks that accepts only what the exchange signed.

    HCOC_WEBHOOK_SECRET=whsec_... python webhook_receiver.py 8080

Answers 204 to a delivery whose Standard Webhooks signature verifies (and prints it), 400 to
anything else; a delivery it already has (the same webhook-id) is answered 204 and not kept
twice. Register its URL with POST /api/v1/webhooks (the answer carries the secret, once)."""

import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hcoc_client import VerificationError, verify_webhook

SECRET = os.environ["HCOC_WEBHOOK_SECRET"]
seen: set[str] = set()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            item = verify_webhook(SECRET, dict(self.headers), body)
        except VerificationError as e:
            print(f"refused: {e}", flush=True)
            self.send_response(400)
            self.end_headers()
            return
        msg_id = self.headers["webhook-id"]
        if msg_id not in seen:
            seen.add(msg_id)
            print(f"accepted {msg_id}: item {item.seq} {item.kind} {item.subject}", flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Receiver)
print(f"listening on http://127.0.0.1:{server.server_port}/", flush=True)
server.serve_forever()
