"""`hcoc verify`, `hcoc witness`, `hcoc keygen` and `hcoc key ...`: the commands a state runs on
its own machine, against the exchange's API or an exported bundle. No Django, no database.

`hcoc key` is the state's key custodian's tool (hcoc.ledger.trust): `init` makes the state's root
key and prints its fingerprint (for the diplomatic note) and its registration; `certify` signs a
credential (a system's API key, a user's browser key) with the root; `rotate` makes a new root
endorsed by the old one; `revoke` signs a revocation. Each prints the JSON to send to the
exchange, and sends it with --url and --token.
"""

import argparse
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import client, trust, verifier
from .tlog import merkle, note


def _load_state(path: str | None) -> dict:
    if path and Path(path).exists():
        return json.loads(Path(path).read_text())
    return {}


def _save_state(path: str | None, data: dict) -> None:
    if path:
        tmp = Path(path).with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        tmp.replace(path)


def _source(args):
    if args.bundle:
        return verifier.BundleSource(args.bundle)
    if not (args.url and args.token):
        raise SystemExit("give --bundle FILE, or --url and --token")
    return verifier.HttpSource(args.url, args.token)


def _resume(args, saved: dict, vkey: str | None) -> verifier.Resume | None:
    """The state saved by the last run, to go on from (None: a full run)."""
    if args.full or "size" not in saved:
        return None
    if saved.get("format") != verifier.STATE_FORMAT or saved.get("vkey") != vkey:
        print(f"  --  {args.state} is not a state of this log's verifier: a full run")
        return None
    try:
        return verifier.Resume.from_json(saved)
    except (ValueError, KeyError, TypeError) as e:
        print(f"  --  {args.state} cannot be read ({type(e).__name__}: {e}): a full run")
        return None


def _pins(values: list[str]) -> dict[str, str]:
    pins = {}
    for value in values:
        state, sep, text = value.partition("=")
        try:
            if not sep or len(state.strip()) != 3:
                raise ValueError("write it STATE=FINGERPRINT, e.g. FRA=3f2a9c1e...")
            pins[state.strip().upper()] = trust.fingerprint_normal(text)
        except ValueError as e:
            raise SystemExit(f"--root {value!r}: {e}") from None
    return pins


def cmd_verify(args) -> int:
    pins = _pins(args.root)  # a malformed pin stops the run before anything is read
    saved = _load_state(args.state)
    vkey = args.vkey or saved.get("vkey")
    resume = _resume(args, saved, vkey)
    started = time.perf_counter()
    report = verifier.verify(
        _source(args),
        vkey=vkey,
        trusted=saved.get("checkpoint"),
        jobs=args.jobs or os.cpu_count() or 1,
        resume=resume,
        roots=pins,
    )
    for line in report.checked:
        print(f"  ok  {line}")
    for line in report.problems:
        print(f"FAIL  {line}")
    elapsed = time.perf_counter() - started
    if report.ok:
        new = report.size - (resume.size if resume else 0)
        since = f" ({new} new since the last run)" if resume else ""
        print(f"verified: {report.size} entries{since} in {elapsed:.1f} s")
        if args.state and report.resume is not None:
            state = {"format": verifier.STATE_FORMAT, "vkey": report.vkey}
            _save_state(args.state, {**state, **report.resume.to_json()})
            print(f"saved the verified tree's edge to {args.state}: the next run goes on from it")
        return 0
    print(f"NOT verified: {len(report.problems)} problem(s)")
    return 1


def cmd_witness(args) -> int:
    """Fetch the latest checkpoint, check it extends the one saved last time (consistency
    proof), cosign it and post the cosignature."""
    saved = _load_state(args.state)
    source = verifier.HttpSource(args.url, args.token)
    vkey = args.vkey or saved.get("vkey") or source.keys()["vkey"]
    log = note.Verifier.from_vkey(vkey)
    latest = source.latest_checkpoint()
    try:
        body, _ = note.note_open(latest, [log])
        cp = note.checkpoint_parse(body)
    except note.NoteError as e:
        print(f"FAIL  the latest checkpoint: {e}")
        return 1
    old = saved.get("checkpoint")
    if old:
        old_body, _ = note.note_open(old, [log])
        old_cp = note.checkpoint_parse(old_body)
        if old_cp.size > cp.size:
            print(f"FAIL  the log shrank from {old_cp.size} to {cp.size} entries")
            return 1
        if old_cp.size == cp.size and old_cp.root != cp.root:
            print(f"FAIL  split view: two checkpoints of size {cp.size} with different roots")
            return 1
        if 0 < old_cp.size < cp.size:
            try:
                proof = source.consistency(old_cp.size, cp.size)
                merkle.verify_consistency(old_cp.size, cp.size, old_cp.root, cp.root, proof)
            except merkle.ProofError as e:
                print(f"FAIL  not consistent with the checkpoint saved earlier: {e}")
                return 1
        print(f"  ok  size {old_cp.size} -> {cp.size} consistent")
    key = client.private_key_load(args.key)
    line = note.CosignatureSigner(args.key_id, key).cosign(cp.body(), int(time.time()))
    payload = json.dumps({"checkpoint": cp.body(), "cosignature": line}).encode()
    path = "/api/v1/log/cosignatures"

    request = urllib.request.Request(  # noqa: S310 (http/https only: HttpSource checked it)
        args.url.rstrip("/") + path,
        data=payload,
        method="POST",
        headers={
            "Authorization": f"Bearer {args.token}",
            "Content-Type": "application/json",
            **client.sign_request(key, args.key_id, "POST", path, payload),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as e:
        print(f"FAIL  the exchange refused the cosignature: {e.code} {e.read().decode()[:500]}")
        return 1
    _save_state(args.state, {"vkey": vkey, "checkpoint": latest})
    print(f"cosigned checkpoint of size {cp.size} as {args.key_id}")
    return 0


def cmd_keygen(args) -> int:
    key, public = client.key_generate()
    client.private_key_save(key, args.out)
    print(f"private key written to {args.out} (keep it; never send it)")
    print(
        f"public key of {args.key_id or 'your key'} (certify it with your root: hcoc key certify "
        "--public-key ...):"
    )
    print(public)
    return 0


def _print_json(data: dict, args, path: str) -> int:
    """Print what to send; with --url and --token, send it too (the answer is printed)."""
    text = json.dumps(data, indent=2)
    print(text)
    if not (getattr(args, "url", None) and getattr(args, "token", None)):
        print(f"send it: POST {path} (or give --url and --token)", file=sys.stderr)
        return 0
    request = urllib.request.Request(  # noqa: S310 (the state's own exchange address)
        args.url.rstrip("/") + path,
        data=text.encode(),
        method="POST",
        headers={"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            print(response.read().decode(), file=sys.stderr)
    except urllib.error.HTTPError as e:
        print(
            f"FAIL  the exchange refused it: {e.code} {e.read().decode()[:1000]}", file=sys.stderr
        )
        return 1
    return 0


def cmd_key_init(args) -> int:
    state = args.state.upper()
    key_id = args.key_id or f"{state}-root-1"
    key = Ed25519PrivateKey.generate()
    client.private_key_save(key, args.out)
    public = trust.public_bytes(key)
    statement = trust.credential(state=state, key_id=key_id, kind=trust.ROOT, public_key=public)
    print(f"root key written to {args.out}: keep it offline; never send it", file=sys.stderr)
    print(
        f"fingerprint of {key_id} (quote it in the note to the ICC):\n  {trust.fingerprint(public)}",
        file=sys.stderr,
    )
    registration = {
        "key_id": key_id,
        "public_key": client.b64(public),
        "proof": trust.sign(key, trust.credential_message(statement)),
    }
    return _print_json(registration, args, f"/api/v1/states/{state}/roots")


def _root(args):
    return client.private_key_load(args.root)


def cmd_key_certify(args) -> int:
    root = _root(args)
    if args.request:
        raw = sys.stdin.read() if args.request == "-" else Path(args.request).read_text()
        request = json.loads(raw)
        state, key_id = request["state"], request["key_id"]
        kind, public_key, user = request["kind"], request["public_key"], request.get("user")
    else:
        if not (args.state and args.key_id and args.public_key):
            raise SystemExit("give --request FILE, or --state, --key-id and --public-key")
        state, key_id, kind = args.state.upper(), args.key_id, args.kind
        public_key, user = args.public_key, args.user
    if kind not in trust.CERTIFIED_KINDS:
        raise SystemExit(f"a root certifies keys of kind {' or '.join(trust.CERTIFIED_KINDS)}")
    statement = trust.credential(
        state=state, key_id=key_id, kind=kind, public_key=client.unb64(public_key), user=user
    )
    print(
        f"certifying {key_id} ({kind}{', for ' + user if user else ''}) of {state}, fingerprint "
        f"{trust.fingerprint(client.unb64(public_key))}",
        file=sys.stderr,
    )
    certified = {
        "key_id": key_id,
        "kind": kind,
        "public_key": public_key,
        **({"user": user} if user else {}),
        "certified_by": args.root_id,
        "certificate": trust.sign(root, trust.credential_message(statement)),
    }
    return _print_json(certified, args, f"/api/v1/states/{state}/keys")


def cmd_key_rotate(args) -> int:
    old = _root(args)
    state = args.state.upper()
    key = Ed25519PrivateKey.generate()
    client.private_key_save(key, args.out)
    public = trust.public_bytes(key)
    statement = trust.credential(
        state=state, key_id=args.key_id, kind=trust.ROOT, public_key=public
    )
    message = trust.credential_message(statement)
    print(
        f"new root written to {args.out}; fingerprint:\n  {trust.fingerprint(public)}",
        file=sys.stderr,
    )
    registration = {
        "key_id": args.key_id,
        "public_key": client.b64(public),
        "proof": trust.sign(key, message),
        "endorsed_by": args.root_id,
        "endorsement": trust.sign(old, message),
    }
    return _print_json(registration, args, f"/api/v1/states/{state}/roots")


def cmd_key_revoke(args) -> int:
    root = _root(args)
    state = args.state.upper()
    statement = trust.revocation(state=state, key_id=args.key_id, reason=args.reason)
    revocation = {
        "reason": args.reason,
        "revoked_by": args.root_id,
        "revocation": trust.sign(root, trust.revocation_message(statement)),
    }
    return _print_json(revocation, args, f"/api/v1/states/{state}/keys/{args.key_id}/revoke")


def _key_parser(sub) -> None:
    key = sub.add_parser("key", help="the state's root key: init, certify, rotate, revoke")
    actions = key.add_subparsers(dest="action", required=True)
    i = actions.add_parser("init", help="make the state's root key; print its fingerprint")
    i.add_argument("--state", required=True, help="the state's code, e.g. FRA")
    i.add_argument("--out", required=True, help="where to write the root key (PEM, mode 600)")
    i.add_argument("--key-id", help="default: STATE-root-1")
    i.set_defaults(run=cmd_key_init)
    c = actions.add_parser("certify", help="sign a system's or a browser's key with the root")
    c.add_argument(
        "--request", help="the key's request (JSON, as the account page shows it; - for stdin)"
    )
    c.add_argument("--state")
    c.add_argument("--key-id")
    c.add_argument("--kind", default=trust.SYSTEM, choices=trust.CERTIFIED_KINDS)
    c.add_argument("--public-key", help="base64 (from `hcoc keygen`)")
    c.add_argument("--user", help="for a browser key: the user it belongs to")
    r = actions.add_parser("rotate", help="make a new root, endorsed by the current one")
    r.add_argument("--state", required=True)
    r.add_argument("--out", required=True, help="where to write the new root key")
    r.add_argument("--key-id", required=True, help="the new root's key id, e.g. FRA-root-2")
    r.set_defaults(run=cmd_key_rotate)
    v = actions.add_parser("revoke", help="sign a revocation of one of the state's keys")
    v.add_argument("--state", required=True)
    v.add_argument("--key-id", required=True, help="the key to revoke")
    v.add_argument("--reason", required=True)
    v.set_defaults(run=cmd_key_revoke)
    c.set_defaults(run=cmd_key_certify)
    for p in (c, r, v):
        p.add_argument("--root", required=True, help="the state's current root key file")
        p.add_argument("--root-id", required=True, help="its key id, e.g. FRA-root-1")
    for p in (i, c, r, v):
        p.add_argument("--url", help="send it to this exchange (with --token)")
        p.add_argument("--token", help="an API token of one of the state's users")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hcoc")
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="verify the exchange's log, online or from a bundle")
    v.add_argument("--url", help="the exchange, e.g. https://exchange.example")
    v.add_argument("--token", help="a subscriber's API token")
    v.add_argument("--bundle", help="a file written by `hcoc export-bundle`")
    v.add_argument("--vkey", help="the log's key (pin it: from the ICC, out of band)")
    v.add_argument(
        "--state",
        help="file keeping what the last run verified (its checkpoint and tree edge): the next "
        "run checks only the entries added since",
    )
    v.add_argument("--full", action="store_true", help="verify every entry, even with --state")
    v.add_argument(
        "--root",
        action="append",
        default=[],
        metavar="STATE=FINGERPRINT",
        help="pin a state's root (from its diplomatic note); any key of that state not "
        "chaining to it fails the run. Repeat for each state you pin",
    )
    v.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="processes checking signatures (default: one per CPU; 1 = in this process)",
    )
    v.set_defaults(run=cmd_verify)
    w = sub.add_parser("witness", help="check and cosign the latest checkpoint")
    w.add_argument("--url", required=True)
    w.add_argument("--token", required=True)
    w.add_argument("--key", required=True, help="the state's private key file (PEM)")
    w.add_argument("--key-id", required=True)
    w.add_argument("--vkey")
    w.add_argument("--state", required=True, help="file keeping the last cosigned checkpoint")
    w.set_defaults(run=cmd_witness)
    k = sub.add_parser("keygen", help="make an Ed25519 key pair for a state")
    k.add_argument("--out", required=True, help="where to write the private key (PEM, mode 600)")
    k.add_argument("--key-id")
    k.set_defaults(run=cmd_keygen)
    _key_parser(sub)
    return p


COMMANDS = {"verify", "witness", "keygen", "key"}


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
