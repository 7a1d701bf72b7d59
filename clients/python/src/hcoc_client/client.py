"""The client: bearer token, signed and idempotent writes, retries, typed answers and errors."""

from __future__ import annotations

import email.utils
import json
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from .errors import RateLimited, TransportFailed, problem_from_response
from .models import (
    PLN,
    Acknowledgement,
    AcknowledgementResult,
    AcknowledgementStatus,
    Amendment,
    Cancellation,
    Declaration,
    DeclarationRecord,
    FeedItem,
    FeedPage,
    InboxPage,
    LaunchReport,
    LogEntry,
    LogKeys,
    Model,
    Notification,
    Receipt,
)
from .proofs import Checkpoint, verify_receipt
from .signing import SIGNATURE_HEADER, SigningKey, body_digest_bytes, body_digest_json

RETRY_STATUSES = (429, 503)

# What each method calls: (method, path, operation id in the OpenAPI document). The exchange's
# test suite checks each against the document.
OPERATIONS = {
    "notification_submit": ("POST", "/notifications", "notification_submit"),
    "notification_amend": (
        "POST",
        "/notifications/{reference}/amendments",
        "notification_amend",
    ),
    "notification_cancel": (
        "POST",
        "/notifications/{reference}/cancellation",
        "notification_cancel",
    ),
    "notification_report": (
        "POST",
        "/notifications/{reference}/launch-report",
        "notification_report_launch",
    ),
    "notification_get": ("GET", "/notifications/{reference}", "notification_get"),
    "feed_page": ("GET", "/feed", "feed_list"),
    "feed_stream": ("GET", "/feed/stream", "feed_stream"),
    "inbox_page": ("GET", "/inbox", "inbox_list"),
    "acknowledge": ("POST", "/acknowledgements", "acknowledgement_create"),
    "acknowledgement_status": (
        "GET",
        "/acknowledgements",
        "acknowledgement_status_get",
    ),
    "declaration_submit": ("POST", "/declarations", "declaration_submit"),
    "declaration_get": ("GET", "/declarations/{state}/{year}", "declaration_get"),
    "log_keys": ("GET", "/log/keys", "key_list"),
    "log_entries": ("GET", "/log/entries", "entry_list"),
    "log_receipt": ("GET", "/log/receipts/{index}", "receipt_get"),
}


class FileCursor:
    """The last seq processed, kept in a file (written atomically): a feed iterator or stream
    follower given the same cursor after a restart goes on where it stopped."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def load(self) -> int:
        try:
            return int(self.path.read_text().strip() or 0)
        except FileNotFoundError:
            return 0

    def save(self, seq: int) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".")
        with os.fdopen(fd, "w") as f:
            f.write(f"{seq}\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


class MemoryCursor:
    def __init__(self, seq: int = 0):
        self.seq = seq

    def load(self) -> int:
        return self.seq

    def save(self, seq: int) -> None:
        self.seq = seq


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Client:
    """A client of one exchange's `/api/v1`, speaking as the owner of `token`.

    - `key`: the state's system key (`SigningKey.from_file(path, key_id)`); every POST is then
      signed with `HCoC-Signature` (a state with a root must sign every act).
    - Every POST carries an `Idempotency-Key` (a new UUID, or the one you pass), the same on each
      retry: a write is applied once however often it is sent.
    - Connection errors, 429 and 503 are retried up to `retries` times, waiting `Retry-After`
      when the exchange says (at most `max_wait` s), else exponential backoff with full jitter
      from `backoff` s. Other errors raise at once, as the class of their problem `type`.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        key: SigningKey | None = None,
        retries: int = 4,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        timeout: float = 30.0,
        http: httpx.Client | None = None,
    ):
        base = base_url.rstrip("/")
        self.api_root = base if base.endswith("/api/v1") else base + "/api/v1"
        self.path_prefix = httpx.URL(self.api_root).path.rstrip("/")
        self.token = token
        self.key = key
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.http = http or httpx.Client(timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- the transport -----------------------------------------------------------------------

    def _wait(self, attempt: int, response: httpx.Response | None) -> float:
        said = _retry_after(response) if response is not None else None
        if said is not None:
            return min(said, self.max_wait)
        return random.uniform(0, min(self.max_wait, self.backoff * 2**attempt))  # noqa: S311

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """One operation: the parsed JSON answer (the text of a text answer, such as
        `GET /log/checkpoint`), or the problem raised as its class."""
        method = method.upper()
        params = {k: v for k, v in (params or {}).items() if v is not None}
        url = httpx.URL(self.api_root + path, params=params or None)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        content = b""
        if json_body is not None:
            content = json.dumps(json_body, separators=(",", ":"), ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if method == "POST":
            idempotency_key = idempotency_key or str(uuid.uuid4())
            headers["Idempotency-Key"] = idempotency_key
        target = url.raw_path.decode("ascii")
        digest = body_digest_json(json_body) if json_body is not None else body_digest_bytes(b"")
        for attempt in range(self.retries + 1):
            if self.key is not None and method != "GET":
                # Signed again on each attempt: the exchange refuses a signature it has seen.
                headers[SIGNATURE_HEADER] = self.key.header(method, target, digest)
            try:
                response = self.http.request(method, url, content=content, headers=headers)
            except httpx.TransportError as e:
                if attempt == self.retries:
                    raise TransportFailed(
                        f"{method} {target}: {type(e).__name__}: {e}", idempotency_key
                    ) from e
                time.sleep(self._wait(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.retries:
                time.sleep(self._wait(attempt, response))
                continue
            if response.is_success:
                if not response.content:
                    return None
                media = response.headers.get("Content-Type", "").split(";")[0].strip()
                return response.json() if media.endswith("json") else response.text
            try:
                body = response.json()
            except ValueError:
                body = response.text
            error = problem_from_response(response.status_code, body)
            if isinstance(error, RateLimited):
                error.retry_after = _retry_after(response)
            raise error
        raise AssertionError("unreachable")

    def _post(self, name: str, model: Model, idempotency_key: str | None, **path) -> Any:
        _, template, _ = OPERATIONS[name]
        return self.request(
            "POST",
            template.format(**path),
            json_body=model.to_dict(),
            idempotency_key=idempotency_key,
        )

    # ---- notifications -----------------------------------------------------------------------

    def notification_submit(self, pln: PLN, *, idempotency_key: str | None = None) -> Notification:
        return Notification.from_dict(self._post("notification_submit", pln, idempotency_key))

    def notification_amend(
        self, reference: str, amendment: Amendment, *, idempotency_key: str | None = None
    ) -> Notification:
        answer = self._post("notification_amend", amendment, idempotency_key, reference=reference)
        return Notification.from_dict(answer)

    def notification_cancel(
        self, reference: str, reason: str, *, idempotency_key: str | None = None
    ) -> Notification:
        body = Cancellation(reason=reason)
        answer = self._post("notification_cancel", body, idempotency_key, reference=reference)
        return Notification.from_dict(answer)

    def notification_report(
        self, reference: str, report: LaunchReport, *, idempotency_key: str | None = None
    ) -> Notification:
        answer = self._post("notification_report", report, idempotency_key, reference=reference)
        return Notification.from_dict(answer)

    def notification_get(self, reference: str) -> Notification:
        return Notification.from_dict(self.request("GET", f"/notifications/{reference}"))

    # ---- the feed, the inbox, acknowledgements -----------------------------------------------

    def feed_page(self, after: int = 0, limit: int | None = None) -> FeedPage:
        return FeedPage.from_dict(
            self.request("GET", "/feed", params={"after": after, "limit": limit})
        )

    def inbox_page(self, after: int = 0, limit: int | None = None) -> InboxPage:
        answer = self.request("GET", "/inbox", params={"after": after, "limit": limit})
        return InboxPage.from_dict(answer)

    def feed(
        self, cursor: FileCursor | MemoryCursor, *, limit: int | None = None
    ) -> Iterator[FeedItem]:
        """Every feed item after the cursor, page after page, until the feed's end. The cursor
        moves past an item once you ask for the next one (or the loop ends), so an item you
        were processing when the program stopped comes again: at least once, in seq order."""
        after = cursor.load()
        while True:
            page = self.feed_page(after, limit)
            for item in page.items:
                yield item
                cursor.save(item.seq)
                after = item.seq
            if not page.more or not page.items:
                return

    def acknowledge(
        self,
        *,
        up_to: int | None = None,
        seqs: list[int] | None = None,
        idempotency_key: str | None = None,
    ) -> AcknowledgementResult:
        body = Acknowledgement(up_to=up_to, seqs=seqs)
        return AcknowledgementResult.from_dict(self._post("acknowledge", body, idempotency_key))

    def acknowledgement_status(self, seq: int) -> AcknowledgementStatus:
        answer = self.request("GET", "/acknowledgements", params={"seq": seq})
        return AcknowledgementStatus.from_dict(answer)

    def follow(
        self,
        cursor: FileCursor | MemoryCursor,
        *,
        reconnect_delay: float | None = None,
        read_timeout: float = 60.0,
    ) -> Iterator[FeedItem]:
        """The live stream (`GET /feed/stream`), forever: reconnects with `Last-Event-ID` (the
        last item you processed) whenever the connection ends or fails, after the `retry:` the
        exchange asked for (or `reconnect_delay`). Break out of the loop to stop. The cursor
        moves as in `feed`: nothing missed, nothing repeated across reconnects."""
        last = cursor.load()
        delay = 2.0 if reconnect_delay is None else reconnect_delay
        attempt = 0
        while True:
            headers = {
                "Authorization": f"Bearer {self.token}",
                "Accept": "text/event-stream",
                "Last-Event-ID": str(last),
            }
            timeout = httpx.Timeout(30.0, read=read_timeout)
            try:
                with self.http.stream(
                    "GET", self.api_root + "/feed/stream", headers=headers, timeout=timeout
                ) as response:
                    if response.status_code in RETRY_STATUSES:
                        time.sleep(self._wait(attempt, response))
                        attempt += 1
                        continue
                    if not response.is_success:
                        response.read()
                        try:
                            body = response.json()
                        except ValueError:
                            body = response.text
                        raise problem_from_response(response.status_code, body)
                    attempt = 0
                    for event in _sse_events(response.iter_lines()):
                        retry = event.get("retry", "")
                        if reconnect_delay is None and retry.isdigit():
                            delay = int(retry) / 1000
                        if "data" not in event:
                            continue
                        item = FeedItem.from_dict(json.loads(event["data"]))
                        if item.seq <= last:
                            continue
                        yield item
                        last = item.seq
                        cursor.save(last)
            except httpx.TransportError:
                time.sleep(self._wait(attempt, None))
                attempt += 1
                continue
            time.sleep(delay)

    # ---- declarations ------------------------------------------------------------------------

    def declaration_submit(
        self, declaration: Declaration, *, idempotency_key: str | None = None
    ) -> DeclarationRecord:
        answer = self._post("declaration_submit", declaration, idempotency_key)
        return DeclarationRecord.from_dict(answer)

    def declaration_get(self, state: str, year: int) -> DeclarationRecord:
        return DeclarationRecord.from_dict(self.request("GET", f"/declarations/{state}/{year}"))

    # ---- the transparency log ----------------------------------------------------------------

    def log_keys(self) -> LogKeys:
        return LogKeys.from_dict(self.request("GET", "/log/keys"))

    def log_entries(self, start: int, end: int) -> list[LogEntry]:
        """Entries `start` to `end`, both included (at most 1,000, and no further than the tree)."""
        answer = self.request("GET", "/log/entries", params={"start": start, "end": end})
        return [LogEntry.from_dict(e) for e in answer["entries"]]

    def log_receipt(self, index: int) -> Receipt:
        return Receipt.from_dict(self.request("GET", f"/log/receipts/{index}"))

    def verify_receipt(
        self, receipt: Receipt, vkey: str, *, check_entry: bool = True
    ) -> Checkpoint:
        """Check a receipt against the log's pinned verifier key; with `check_entry`, also that
        the entry the log serves at its index is the one the receipt is for."""
        leaf = None
        if check_entry:
            [entry] = self.log_entries(receipt.index, receipt.index)
            leaf = entry.leaf
        return verify_receipt(receipt, vkey, leaf)


def _sse_events(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Server-sent events (the WHATWG format): fields of one event until a blank line."""
    event: dict[str, str] = {}
    for line in lines:
        line = line.rstrip("\r")
        if not line:
            if event:
                yield event
            event = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        event[name] = event[name] + "\n" + value if name == "data" and name in event else value
    if event:
        yield event
