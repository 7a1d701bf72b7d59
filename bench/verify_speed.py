#!/usr/bin/env python
"""How fast `hcoc verify` checks a large log (issue 6: "1,000,000 entries: goal < 10 s").

    .venv/bin/python bench/verify_speed.py [--sizes 100000,1000000] [--fractions 0,0.25,1]
        [--rounds 1] [--jobs N] [--skip 1000000:1] [--growth 0.01] [--dir DIR] [--smoke]

No Django, no database. It writes synthetic but well-formed bundles ("hcoc-log-bundle/1") of N
entries, in the exact leaf format of hcoc.ledger.services.leaf_append: a key.registered leaf of
the state key "FRA-2026-1" at index 0, then event leaves (seq 1..N-1) carrying a PLN
notification as the feed serves it, a fraction of them signed with that key as
client.sign_request/signing_input define (request = method/path/body), the rest unsigned;
checkpoints signed by a note.Signer every 1,000 entries and at the end; the feed equal to the
leaves' events. Leaves are RFC 8785 canonical: one leaf is canonicalised with rfc8785, and the
others are that text with their own values put in (all of them ASCII strings and integers, whose
canonical form does not depend on the rest), which keeps writing a million leaves to seconds.

For each size and fraction it times verify() (in a child process, so that each peak RSS, from
getrusage ru_maxrss, is the run's own: the verifying process and, separately, its largest
signature worker), with --jobs worker processes (default: one per CPU) and, for comparison, with
jobs=1 for the smaller sizes. Then the incremental run: verify a log of the largest size, save
its Resume, grow the log by --growth (1 %) and verify again from the saved state. Medians over
--rounds. `--skip SIZE:FRACTION` leaves a combination out (1M fully signed takes minutes).
It prints figures and asserts only that every honest bundle verifies.
"""

import argparse
import base64
import hashlib
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from hcoc.ledger import verifier  # noqa: E402
from hcoc.ledger.client import signing_input  # noqa: E402
from hcoc.ledger.tlog import merkle, note  # noqa: E402

ORIGIN = "bench.example/hcoc-exchange"
KEY_ID = "FRA-2026-1"
PATH = "/api/v1/notifications"
CHECKPOINT_EVERY = 1000
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
# Markers put into the leaf made by rfc8785, then replaced by each leaf's own values.
MARK = {k: f"@@{k}@@" for k in ("index", "seq", "at", "ref", "remarks", "created", "sig")}


def rfc3339(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def pln_body(remarks: str) -> dict:
    """What the state sends (the shape of tests/support/bodies.py pln())."""
    return {
        "category": "SLV",
        "generic_class": "SLV-medium",
        "vehicle_name": "Ariane 6",
        "test_flight": False,
        "window": {"opens": "2026-03-01T06:00:00Z", "closes": "2026-03-01T12:00:00Z"},
        "launch_area": {"site_id": "FRA-KOUROU"},
        "planned_direction": {"azimuth_deg": 90.0},
        "impact_areas": [
            {"kind": "stage", "center": {"lat": 10.0, "lon": -40.0}, "radius_km": 100}
        ],
        "range_km": 3000,
        "apogee_km": 200,
        "remarks": remarks,
    }


def feed_item(seq: str, at: str, ref: str, remarks: str) -> dict:
    """The feed item of a submission (hcoc.exchange.selectors.event_as_item)."""
    payload = {
        **pln_body(remarks),
        "cancellation": None,
        "entered_by_icc": False,
        "first_submitted_at": at,
        "import_source": None,
        "imported": False,
        "late": False,
        "launch_report": None,
        "lead_time_hours": 72,
        "prior_notice": True,
        "reference": ref,
        "seq": seq,
        "state": "FRA",
        "status": "notified",
        "submitted_at": at,
        "version": 1,
    }
    # as event_as_item returns it: the payload read back from its canonical text
    payload = json.loads(rfc8785.dumps(payload))
    return {
        "seq": seq,
        "kind": "notification.submitted",
        "at": at,
        "state": "FRA",
        "subject": ref,
        "version": 1,
        "payload": payload,
    }


class Templates:
    """Canonical texts with markers: the leaf (signed, unsigned), the signed body, the feed line."""

    def __init__(self):
        m = MARK
        event = feed_item(m["seq"], m["at"], m["ref"], m["remarks"])
        base = {
            "v": 1,
            "index": m["index"],
            "type": "event",
            "at": m["at"],
            "state": "FRA",
            "actor": {"role": "submitter", "state": "FRA"},
            "event": event,
            "signature": None,
        }
        signed = {
            **base,
            "request": {"method": "POST", "path": PATH, "body": pln_body(m["remarks"])},
            "signature": {
                "kind": "state",
                "key_id": KEY_ID,
                "created": m["created"],
                "sig": m["sig"],
            },
        }
        self.unsigned = self._unquote(rfc8785.dumps(base).decode())
        self.signed = self._unquote(rfc8785.dumps(signed).decode())
        self.body = rfc8785.dumps(pln_body(m["remarks"])).decode()
        feed = json.dumps({"feed": event})
        self.feed = self._unquote(feed)

    @staticmethod
    def _unquote(text: str) -> str:
        for k in ("index", "seq", "created"):  # integers: no quotes around them
            text = text.replace(f'"{MARK[k]}"', MARK[k])
        return text

    @staticmethod
    def fill(text: str, values: dict) -> str:
        for k, v in values.items():
            text = text.replace(MARK[k], str(v))
        return text


def write_bundle(path: str, n: int, fraction: float, state_key, log_signer) -> dict:
    """A bundle of n entries; every 1/fraction-th event signed. Returns counts."""
    t = Templates()
    public = state_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    frontier = merkle.Frontier()
    checkpoints = []
    entries_path, feed_path = path + ".entries", path + ".feed"
    signed = 0
    credit = 0.0
    with open(entries_path, "w") as entries, open(feed_path, "w") as feed:
        key_leaf = {
            "v": 1,
            "index": 0,
            "type": "key.registered",
            "at": rfc3339(T0),
            "state": "FRA",
            "actor": {"role": "icc", "state": None},
            "key": {
                "key_id": KEY_ID,
                "state": "FRA",
                "kind": "state",
                "public_key": b64(public),
                "valid_from": rfc3339(T0),
            },
            "signature": None,
        }
        leaves = [(rfc8785.dumps(key_leaf).decode(), None)]
        for index in range(n):
            if index:
                seq = index
                at = T0 + timedelta(milliseconds=10 * index)
                values = {
                    "index": index,
                    "seq": seq,
                    "at": rfc3339(at),
                    "ref": f"FRA-2026-{seq:07d}",
                    "remarks": f"Synthetic notification {seq}.",
                }
                credit += fraction
                if credit >= 1 - 1e-9:
                    credit -= 1
                    created = int(at.timestamp())
                    digest = hashlib.sha256(t.fill(t.body, values).encode()).hexdigest()
                    sig = state_key.sign(signing_input("POST", PATH, created, digest))
                    values.update(created=created, sig=b64(sig))
                    text = t.fill(t.signed, values)
                    signed += 1
                else:
                    text = t.fill(t.unsigned, values)
                leaves = [(text, seq)]
                feed.write(t.fill(t.feed, values) + "\n")
            text, seq = leaves[0]
            digest = merkle.leaf_hash(text.encode())
            frontier.append(digest)
            record = {"index": index, "seq": seq, "leaf": text, "leaf_hash": b64(digest)}
            entries.write(json.dumps({"entry": record}) + "\n")
            if frontier.size % CHECKPOINT_EVERY == 0 or frontier.size == n:
                body = note.Checkpoint(ORIGIN, frontier.size, frontier.root(), []).body()
                checkpoints.append(log_signer.sign(body))
    header = {
        "format": verifier.BUNDLE_FORMAT,
        "origin": ORIGIN,
        "vkey": log_signer.vkey(),
        "keys": [
            {
                "key_id": KEY_ID,
                "state": "FRA",
                "kind": "state",
                "public_key": b64(public),
                "valid_from": rfc3339(T0),
                "revoked_at": None,
                "registered_index": 0,
                "revoked_index": None,
                "cosignature_vkey": None,
            }
        ],
    }
    with open(path, "w") as out:
        out.write(json.dumps(header) + "\n")
        for cp in checkpoints:
            out.write(json.dumps({"checkpoint": cp}) + "\n")
        for part in (entries_path, feed_path):
            with open(part) as f:
                shutil.copyfileobj(f, out, 1 << 20)
            os.unlink(part)
    return {"entries": n, "signed": signed, "bytes": os.path.getsize(path)}


def _child(conn, path: str, vkey: str, jobs: int, resume_in: str | None, resume_out: str | None):
    resume = None
    if resume_in:
        resume = verifier.Resume.from_json(json.loads(Path(resume_in).read_text()))
    started = time.perf_counter()
    report = verifier.verify(verifier.BundleSource(path), vkey=vkey, jobs=jobs, resume=resume)
    elapsed = time.perf_counter() - started
    if resume_out and report.resume:
        Path(resume_out).write_text(json.dumps(report.resume.to_json()))
    conn.send(
        {
            "seconds": elapsed,
            "ok": report.ok,
            "problems": report.problems[:5],
            "size": report.size,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        }
    )


def timed(path, vkey, jobs, resume_in=None, resume_out=None) -> dict:
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe()
    p = ctx.Process(target=_child, args=(there, path, vkey, jobs, resume_in, resume_out))
    p.start()
    result = here.recv()
    p.join()
    if not result["ok"]:
        raise SystemExit(f"an honest bundle did not verify: {result['problems']}")
    return result


def _floor_worker(barrier, results, count: int, seed: int) -> None:
    """`count` Ed25519 verifications of distinct signed inputs, made before the barrier and
    timed after it: the work a signature costs at the least, with nothing else."""
    key = Ed25519PrivateKey.from_private_bytes(bytes([seed + 3]) * 32)
    public = key.public_key()
    digest = hashlib.sha256(b"body").hexdigest()
    pairs = []
    for i in range(count):
        message = signing_input("POST", PATH, 1_767_600_000 + i, digest)
        pairs.append((key.sign(message), message))
    barrier.wait()
    started = time.perf_counter()
    for sig, message in pairs:
        public.verify(sig, message)
    results.put(time.perf_counter() - started)


def ed25519_floor(jobs: int, sample: int) -> float:
    """Seconds a signature costs at the least on `jobs` processes working at once: `sample`
    verifications shared among `jobs` spawned processes, started together; the slowest
    process's time divided by `sample`. Times the signatures of a bundle, it is the floor
    `hcoc verify` of that bundle is compared with (issue 24: at most 1.3 times it)."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(jobs), ctx.Queue()
    share = -(-sample // jobs)
    procs = [
        ctx.Process(target=_floor_worker, args=(barrier, results, share, i)) for i in range(jobs)
    ]
    for proc in procs:
        proc.start()
    slowest = max(results.get() for _ in procs)
    for proc in procs:
        proc.join()
    return slowest / (share * jobs)


def line(label: str, runs: list[dict], n: int) -> None:
    secs = statistics.median(r["seconds"] for r in runs)
    rss = max(r["rss_mb"] for r in runs)
    wrss = max(r["worker_rss_mb"] for r in runs)
    print(
        f"  {label:<44} {secs:8.2f} s  {n / secs / 1000:8.1f} k entries/s  "
        f"{secs / n * 1e6:7.1f} µs/entry  peak RSS {rss:6.0f} MB (worker {wrss:.0f} MB)"
        + (f"  [median of {len(runs)}]" if len(runs) > 1 else ""),
        flush=True,
    )


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="100000,1000000")
    p.add_argument("--fractions", default="0,0.25,1")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--skip", default="", help="SIZE:FRACTION,... combinations to leave out")
    p.add_argument("--growth", type=float, default=0.01)
    p.add_argument(
        "--floor-sample",
        type=int,
        default=50_000,
        help="signatures verified to measure the Ed25519 floor (scaled to the bundle's)",
    )
    p.add_argument("--dir", help="where to write the bundles (default: a temporary directory)")
    p.add_argument(
        "--smoke",
        action="store_true",
        help="2,000 entries, unsigned and 25 %% signed, and the resumed run: that it runs",
    )
    args = p.parse_args(argv)
    if args.smoke:
        args.sizes, args.fractions, args.rounds = "2000", "0,0.25", 1
    sizes = [int(s) for s in args.sizes.split(",")]
    fractions = [float(f) for f in args.fractions.split(",")]
    skip = {(int(a), float(b)) for a, b in (s.split(":") for s in args.skip.split(",") if s)}
    work = Path(args.dir or tempfile.mkdtemp(prefix="verify-speed-"))
    work.mkdir(parents=True, exist_ok=True)
    state_key = Ed25519PrivateKey.from_private_bytes(b"\x01" * 32)
    log_signer = note.Signer(ORIGIN, Ed25519PrivateKey.from_private_bytes(b"\x02" * 32))
    vkey = log_signer.vkey()
    print(f"machine: {os.cpu_count()} CPU(s); verify jobs={args.jobs}; bundles in {work}")
    for n in sizes:
        for fraction in fractions:
            if (n, fraction) in skip:
                print(f"  N={n:,} signed {fraction:.0%}: skipped (--skip)")
                continue
            path = str(work / f"bundle-{n}-{fraction}.jsonl")
            started = time.perf_counter()
            counts = write_bundle(path, n, fraction, state_key, log_signer)
            print(
                f"N={n:,}, {counts['signed']:,} signed ({fraction:.0%}): bundle of "
                f"{counts['bytes'] / 1e6:,.0f} MB written in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            runs, floors = [], []
            for _ in range(args.rounds):  # the floor beside each run, in the same minutes
                runs.append(timed(path, vkey, args.jobs))
                if counts["signed"]:
                    floors.append(
                        ed25519_floor(args.jobs, min(counts["signed"], args.floor_sample))
                    )
            line(f"verify, jobs={args.jobs}", runs, n)
            if floors:
                floor = statistics.median(floors) * counts["signed"]
                ratio = statistics.median(
                    r["seconds"] / (f * counts["signed"]) for r, f in zip(runs, floors, strict=True)
                )
                print(
                    f"  {'Ed25519 floor: ' + format(counts['signed'], ',') + ' verifications':<44} "
                    f"{floor:8.2f} s  (jobs={args.jobs}, sampled on {min(counts['signed'], args.floor_sample):,}); "
                    f"verify / floor {ratio:.2f}"
                    + (
                        f" [median of {len(runs)} runs, each with its own floor]"
                        if len(runs) > 1
                        else ""
                    ),
                    flush=True,
                )
            if args.jobs != 1 and fraction > 0 and n <= 100_000:
                line("verify, jobs=1", [timed(path, vkey, 1)], n)
            os.unlink(path)
    # Incremental: a verified log of the largest size grows by --growth.
    n = max(sizes)
    fraction = 0.25 if 0.25 in fractions else fractions[0]
    grown = n + int(n * args.growth)
    print(f"incremental: N={n:,} verified, then {grown - n:,} more (signed {fraction:.0%})")
    first, second = str(work / "first.jsonl"), str(work / "grown.jsonl")
    write_bundle(first, n, fraction, state_key, log_signer)
    write_bundle(second, grown, fraction, state_key, log_signer)
    state = str(work / "state.json")
    line(f"full run of N={n:,}, saving the state", [timed(first, vkey, args.jobs, None, state)], n)
    print(f"  state file: {os.path.getsize(state)} bytes")
    runs = [timed(second, vkey, args.jobs, state) for _ in range(args.rounds)]
    line(f"resumed run over the grown bundle ({grown - n:,} new)", runs, grown - n)
    for f in (first, second, state):
        os.unlink(f)


if __name__ == "__main__":
    main()
