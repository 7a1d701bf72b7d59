"""Helpers for the transparency-log tests: a state's key, signed requests, proof checking."""

import base64
import json

from hcoc.ledger import client
from hcoc.ledger.tlog import merkle, note


def b64d(text: str) -> bytes:
    return base64.b64decode(text)


def register_key(api, icc, state: str, key_id: str):
    """The ICC registers a new key of `state` over the API; returns the private key."""
    key, public = client.key_generate()
    r = api.post(f"/states/{state}/keys", icc, json={"key_id": key_id, "public_key": public})
    assert r.status_code == 201, r.text
    return key


def signed_post(api, who, path: str, body: dict | None, key, key_id: str, **sign_kw):
    """POST `body` as `who`, signed with `key` the way a state's system does."""
    raw = json.dumps(body).encode() if body is not None else b""
    headers = client.sign_request(key, key_id, "POST", "/api/v1" + path, raw, **sign_kw)
    if body is not None:
        headers["Content-Type"] = "application/json"
    return api.post(path, who, content=raw, headers=headers)


def log_vkey(api, who) -> str:
    return api.get("/log/keys", who).json()["vkey"]


def check_receipt(receipt: dict, vkey: str) -> note.Checkpoint:
    """A receipt proves inclusion: its checkpoint is signed by the log, and the audit path leads
    from the leaf hash to that checkpoint's root."""
    body, _ = note.note_open(receipt["checkpoint"], [note.Verifier.from_vkey(vkey)])
    cp = note.checkpoint_parse(body)
    merkle.verify_inclusion(
        receipt["index"],
        cp.size,
        b64d(receipt["leaf_hash"]),
        [b64d(h) for h in receipt["inclusion_proof"]],
        cp.root,
    )
    return cp
