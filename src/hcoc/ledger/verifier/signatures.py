"""Checking the signatures in leaves: here, or in worker processes (the costly part)."""

import hashlib
from collections import deque
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..client import canonical_bytes, custodial_message, signing_input

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; json is the fallback
    orjson = None

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from .common import KeyRecord, _b64, _loads, _time

CHUNK = 256  # signatures per job sent to a worker process


def _signature_precheck(leaf: dict, key: KeyRecord, at: datetime) -> str | None:
    """The cheap part: is this the right kind of key, of the leaf's author, valid at its time?"""
    sig = leaf["signature"]
    if sig.get("kind") != key.kind:
        return f"signed as {sig.get('kind')} with {key.kind} key {key.key_id}"
    actor_state = (leaf.get("actor") or {}).get("state")
    if key.state != actor_state:
        return f"key {key.key_id} belongs to {key.state}, the leaf was written by {actor_state}"
    if not key.valid_at(at):
        return f"key {key.key_id} was not valid at {leaf['at']}"
    return None


_public_keys: dict[bytes, Ed25519PublicKey] = {}


def _signature_check(leaf: dict, kind: str, key_id: str, public_key: bytes) -> str | None:
    """The costly part: the signed message (RFC 8785) and the Ed25519 verification."""
    sig = leaf["signature"]
    if kind != "custodial":  # a system's or a browser's key: the request it signed
        request = leaf.get("request") or {}
        if "body" in request:
            digest = hashlib.sha256(canonical_bytes(request["body"])).hexdigest()
        else:
            digest = request.get("body_sha256", "")
        message = signing_input(
            request.get("method", ""), request.get("path", ""), sig.get("created", 0), digest
        )
    else:
        message = custodial_message(leaf)
    try:
        public = _public_keys.get(public_key)
        if public is None:
            public = _public_keys[public_key] = Ed25519PublicKey.from_public_bytes(public_key)
        public.verify(_b64(sig["sig"]), message)
    except (InvalidSignature, ValueError):
        return f"the {kind} signature by {key_id} does not verify"
    return None


def leaf_signature_problem(leaf: dict, key: KeyRecord) -> str | None:
    """Why the leaf's signature is not good (None when it is)."""
    return _signature_precheck(leaf, key, _time(leaf["at"])) or _signature_check(
        leaf, key.kind, key.key_id, key.public_key
    )


MALFORMED = (ValueError, KeyError, TypeError, AttributeError)


def _malformed(e: Exception) -> str:
    return f"a malformed leaf ({type(e).__name__}: {e})"


def _check_signatures(jobs: list[tuple]) -> list[tuple[int, int, str]]:
    """A worker's task: (position, order, where, leaf text, kind, key id, public key) each;
    returns the problems as (position, order, text)."""
    found = []
    for position, order, where, text, kind, key_id, public_key in jobs:
        try:
            problem = _signature_check(_loads(text), kind, key_id, public_key)
        except MALFORMED as e:
            problem = _malformed(e)
        if problem:
            found.append((position, order, f"{where}: {problem}"))
    return found


class _Signatures:
    """Signature checks, in this process (jobs=1) or in a pool of worker processes fed in
    chunks, with a bounded number of chunks in flight (memory stays flat)."""

    def __init__(self, jobs: int, sink):
        self.sink = sink
        self.batch: list[tuple] = []
        self.pending: deque = deque()
        self.pool = None
        self.jobs = max(1, jobs)

    def _start(self) -> None:
        """The pool, started at the first full chunk (a small log never waits for it)."""

        # spawn: a fresh interpreter, safe whatever threads the caller runs (a server, tests)
        context = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(self.jobs, mp_context=context)

    def add(self, job: tuple) -> None:
        if self.jobs == 1:
            for found in _check_signatures([job]):
                self.sink(*found)
            return
        self.batch.append(job)
        if len(self.batch) >= CHUNK:
            self._submit()

    def _submit(self) -> None:
        if self.pool is None:
            self._start()
        self.pending.append(self.pool.submit(_check_signatures, self.batch))
        self.batch = []
        while len(self.pending) > 4 * self.jobs:
            self._collect(self.pending.popleft())

    def _collect(self, future) -> None:
        for found in future.result():
            self.sink(*found)

    def finish(self) -> None:
        if self.pool is None:  # fewer signatures than a chunk (or jobs=1): checked here
            for found in _check_signatures(self.batch):
                self.sink(*found)
            self.batch = []
            return
        if self.batch:
            self._submit()
        while self.pending:
            self._collect(self.pending.popleft())

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
