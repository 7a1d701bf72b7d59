"""Helpers for the transparency-log tests: a state's key, signed requests, proof checking."""

import base64
import hashlib
import json
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hcoc.ledger import client, trust
from hcoc.ledger.tlog import merkle, note


def b64d(text: str) -> bytes:
    return base64.b64decode(text)


def give_root(api, personas, state: str):
    """`state` makes its root, as its key custodian does (`hcoc key init`), and its submitter
    registers it over the API; returns (root private key, key id). Once per state and test:
    the root is kept on `api`."""
    roots = api.__dict__.setdefault("roots", {})
    if state in roots:
        return roots[state]
    root = Ed25519PrivateKey.generate()
    key_id = f"{state}-root-1"
    public = trust.public_bytes(root)
    statement = trust.credential(state=state, key_id=key_id, kind=trust.ROOT, public_key=public)
    r = api.post(
        f"/states/{state}/roots",
        personas[f"{state.lower()}_submitter"],
        json={
            "key_id": key_id,
            "public_key": client.b64(public),
            "proof": trust.sign(root, trust.credential_message(statement)),
        },
    )
    assert r.status_code == 201, r.text
    roots[state] = (root, key_id)
    return roots[state]


def certify(root, state: str, key_id: str, public: str, kind: str = "state", user=None) -> str:
    """The root's certificate of a key (what `hcoc key certify` signs)."""
    statement = trust.credential(
        state=state, key_id=key_id, kind=kind, public_key=client.unb64(public), user=user
    )
    return trust.sign(root, trust.credential_message(statement))


def register_key(api, personas, state: str, key_id: str):
    """`state` (given a root first, if it has none) registers a new system key its root
    certified, over the API as its submitter; returns the private key."""
    root, root_id = give_root(api, personas, state)
    key, public = client.key_generate()
    r = api.post(
        f"/states/{state}/keys",
        personas[f"{state.lower()}_submitter"],
        json={
            "key_id": key_id,
            "public_key": public,
            "certified_by": root_id,
            "certificate": certify(root, state, key_id, public),
        },
    )
    assert r.status_code == 201, r.text
    return key


def revoke_key(api, personas, state: str, key_id: str, reason: str):
    """`state` revokes its key with its root's signature (`hcoc key revoke`)."""
    root, root_id = give_root(api, personas, state)
    statement = trust.revocation(state=state, key_id=key_id, reason=reason)
    return api.post(
        f"/states/{state}/keys/{key_id}/revoke",
        personas[f"{state.lower()}_submitter"],
        json={
            "reason": reason,
            "revoked_by": root_id,
            "revocation": trust.sign(root, trust.revocation_message(statement)),
        },
    )


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


def register_browser_key(api, personas, username: str):
    """`username`'s browser key (made here as the browser would make it), certified by the
    state's root and registered over the API as that user; returns (private key, key id)."""
    persona = personas[username]
    root, root_id = give_root(api, personas, persona.state)
    key, public = client.key_generate()
    key_id = f"{persona.state}-browser-{username}-1"
    r = api.post(
        f"/states/{persona.state}/keys",
        persona,
        json={
            "key_id": key_id,
            "kind": "browser",
            "user": username,
            "public_key": public,
            "certified_by": root_id,
            "certificate": certify(root, persona.state, key_id, public, "browser", username),
        },
    )
    assert r.status_code == 201, r.text
    return key, key_id


def page_signature(path: str, fields: dict[str, list[str]], key, key_id: str, created=None):
    """The three fields static/hcoc/sign.js adds to a form: its fields (name -> values) as
    RFC 8785 JSON, hashed, under the request signing input, signed with the browser's key."""
    created = int(time.time()) if created is None else created
    digest = hashlib.sha256(client.canonical_bytes(fields)).hexdigest()
    sig = key.sign(client.signing_input("POST", path, created, digest))
    return {"hcoc_sig_keyid": key_id, "hcoc_sig_created": str(created), "hcoc_sig": client.b64(sig)}


def signed_form(web, path: str, fields: dict[str, list[str]], key, key_id: str):
    """POST a page's form as a browser that signs it does (Django's test client)."""
    return web.post(path, {**fields, **page_signature(path, fields, key, key_id)})


def state_key(state: str, key_id: str):
    """The same as `register_key`, through the services (no server): `state`'s submitter
    registers a root made here and a system key it certifies; returns the key's private half."""
    from hcoc.accounts.models import User
    from hcoc.ledger.services import credential_register, root_register

    submitter = User.objects.get(username=f"{state.lower()}_submitter")
    root = Ed25519PrivateKey.generate()
    public = trust.public_bytes(root)
    statement = trust.credential(
        state=state, key_id=f"{state}-root-1", kind="root", public_key=public
    )
    root_register(
        actor=submitter,
        state_iso3=state,
        key_id=f"{state}-root-1",
        public_key=client.b64(public),
        proof=trust.sign(root, trust.credential_message(statement)),
    )
    key, key_public = client.key_generate()
    credential_register(
        actor=submitter,
        state_iso3=state,
        key_id=key_id,
        public_key=key_public,
        certified_by=f"{state}-root-1",
        certificate=certify(root, state, key_id, key_public),
    )
    return key
