"""`hcoc verify`, `hcoc witness` and `hcoc keygen`: the commands a state runs on its own machine,
against the exchange's API or an exported bundle. No Django, no database."""

import argparse
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

from . import client, verifier
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


def cmd_verify(args) -> int:
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
    print(f"public key (give it to the ICC to register as {args.key_id or 'your key id'}):")
    print(public)
    return 0


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
    return p


COMMANDS = {"verify", "witness", "keygen"}


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
