"""What the current request brings to the log, carried beside the call chain.

The API's middleware verifies a request's signature before any service runs and puts it here;
`leaf_append` puts it into every leaf the request writes and notes their indexes, so the
middleware can answer with receipts. Outside a request (commands, tasks) both are empty.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class SignedRequest:
    key_id: str
    created: int
    sig: bytes
    method: str
    path: str
    body: object | None  # the JSON body (as parsed), or None when the body is not JSON
    body_sha256: str
    kind: str = "state"  # the key's kind: "state" (a system's API key) or "browser" (a page)


signed_request: ContextVar[SignedRequest | None] = ContextVar("signed_request", default=None)
appended: ContextVar[list[int] | None] = ContextVar("appended", default=None)
