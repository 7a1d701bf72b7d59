"""`hcoc verify` on an honest exchange passes; on every kind of tampering it fails, naming the
entry (issue 6). The run of activity goes through the real API over HTTP; tampering is done to
the database (what a dishonest or broken exchange serves) or to an exported bundle."""

import copy
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from support.bodies import iso, pln
from support.database import flush
from support.ledger import (
    register_browser_key,
    register_key,
    revoke_key,
    signed_form,
    signed_post,
)
from support.people import Api, make_personas, web_client

from hcoc.exchange.management.commands.export_bundle import bundle_write
from hcoc.exchange.models import Event
from hcoc.exchange.shown import shown_mark
from hcoc.ledger import client, offline
from hcoc.ledger.keys import log_signer
from hcoc.ledger.models import LogEntry
from hcoc.ledger.tlog import merkle, note
from hcoc.ledger.verifier import BundleSource, HttpSource, verify


@pytest.fixture
def activity(api, personas):
    return run_activity(api, personas)


def run_activity(api, personas) -> dict:
    """A season in miniature: submissions signed by a state's system key, acknowledgements
    signed in a browser (by a key the state's root certified) and unsigned ones (of a state
    with no root), amendments, a launch report, a cancellation, a key revocation signed by the
    root. Every step must succeed; each one that enters the log is recorded with how its leaf is
    signed ("state", "browser" or "none") and whether it is a feed item, for the verifier's
    report to be checked against."""
    fra, jpn = personas["fra_submitter"], personas["jpn_submitter"]
    leaves: list[tuple[str, str, bool]] = []  # (what, signed by, a feed item)

    def done(r, what: str, signed: str, feed: bool, status: int = 201):
        assert r.status_code == status, (what, r.status_code, r.text)
        leaves.append((what, signed, feed))
        return r

    key = register_key(api, personas, "FRA", "FRA-2026-1")
    leaves.append(("FRA-root-1 registered", "none", False))
    leaves.append(("FRA-2026-1 registered", "none", False))
    refs = []
    for i in range(4):
        r = signed_post(api, fra, "/notifications", pln(remarks=f"n{i}"), key, "FRA-2026-1")
        refs.append(done(r, f"notification {i}", "state", True).json()["reference"])
    r = signed_post(
        api, fra, f"/notifications/{refs[0]}/amendments", pln(remarks="amended"), key, "FRA-2026-1"
    )
    done(r, "amendment", "state", True)
    # Japan acts unsigned before it has a root: its entries stay unsigned, honestly reported.
    jpn_pln = pln(launch_area={"site_id": "JPN-TANEGASHIMA"})
    done(api.post("/notifications", jpn, json=jpn_pln), "JPN notification", "none", True)
    last = api.get("/feed", jpn).json()["last_seq"]
    r = api.post("/acknowledgements", jpn, json={"up_to": last})
    done(r, "JPN acknowledgement", "none", False)
    assert r.json()["acknowledged"] > 0
    # Japan's reader acknowledges on the inbox page, signing in the browser.
    browser_key = register_browser_key(api, personas, "jpn_reader")
    leaves.append(("JPN-root-1 registered", "none", False))
    leaves.append(("JPN browser key registered", "none", False))
    page = signed_form(
        web_client("jpn_reader"),
        "/inbox/acknowledge",
        {"seqs": ["1"], "shown": [shown_mark("JPN", 1)], "next": ["/inbox"]},
        *browser_key,
    )
    assert page.status_code == 302 and page["Location"] == "/inbox", page
    leaves.append(("JPN acknowledgement on the page", "browser", False))
    report = {
        "launched_at": iso(datetime.now(UTC) - timedelta(minutes=1)),
        "outcome": "success",
        "remarks": "Nominal.",
    }
    r = signed_post(api, fra, f"/notifications/{refs[2]}/launch-report", report, key, "FRA-2026-1")
    done(r, "launch report", "state", True)
    r = signed_post(
        api,
        fra,
        f"/notifications/{refs[1]}/cancellation",
        {"reason": "Weather."},
        key,
        "FRA-2026-1",
    )
    done(r, "cancellation", "state", True)
    r = revoke_key(api, personas, "FRA", "FRA-2026-1", "Rotation.")
    done(r, "FRA-2026-1 revoked", "none", False, status=200)
    new = register_key(api, personas, "FRA", "FRA-2026-2")
    leaves.append(("FRA-2026-2 registered", "none", False))
    r = signed_post(api, fra, "/acknowledgements", {"up_to": last}, new, "FRA-2026-2")
    done(r, "FRA acknowledgement with the new key", "state", False)
    assert r.json()["acknowledged"] > 0
    assert LogEntry.objects.count() == len(leaves), [e.type for e in LogEntry.objects.all()]
    return {"size": len(leaves), "leaves": leaves}


@pytest.fixture(scope="module")
def honest_bundle(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """One honest activity (`run_activity`, over HTTP to the live server) and the bundle the
    exchange exports of it, made once for the tests that only verify or tamper with a bundle:
    each gets a byte-identical copy (`honest_copy`), as if the activity had been run for it alone,
    and none reads the database. Then the database is flushed, as after a transactional test
    (support.database.restore_after_flush). The live server is asked for here, not named by the
    tests: pytest-django makes a test that names it transactional (a flush after each)."""
    live_server = request.getfixturevalue("live_server")
    path = tmp_path_factory.mktemp("honest") / "bundle.jsonl"
    with django_db_blocker.unblock():
        live_server._live_server_modified_settings.enable()
        api = Api(live_server.url)
        try:
            activity = run_activity(api, make_personas())
            bundle_write(str(path))
        finally:
            api.http.close()
            live_server._live_server_modified_settings.disable()
            flush()
    return activity, path.read_text()


@pytest.fixture
def honest_copy(honest_bundle, db, tmp_path) -> tuple[dict, list[dict]]:
    """The shared honest activity, and its bundle copied to this test's tmp_path/bundle.jsonl
    (what `bundle(tmp_path)` writes) and read from that copy: the test's own records. `db`:
    pytest-django sets up the test database only for a run with a test that asks for it, and
    the activity is built in it (the module fixture, set up before this test's transaction)."""
    activity, text = honest_bundle
    (tmp_path / "bundle.jsonl").write_text(text)
    return activity, [json.loads(line) for line in text.splitlines()]


def bundle(tmp_path, name="bundle.jsonl") -> list[dict]:
    path = tmp_path / name
    bundle_write(str(path))
    return [json.loads(line) for line in path.read_text().splitlines()]


def write(tmp_path, records, name="tampered.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def entry_lines(records):
    return [i for i, r in enumerate(records) if "entry" in r]


def problems_of(path: str, **kw) -> list[str]:
    report = verify(BundleSource(path), vkey=log_signer().vkey(), **kw)
    return report.problems


class WriteWhileReading(HttpSource):
    """The exchange's API, with one write landing just after the run has read the latest
    checkpoint (as a state's submission can at any moment while `hcoc verify --url` runs)."""

    def __init__(self, url, token, write):
        super().__init__(url, token)
        self.write = write

    def latest_checkpoint(self) -> str:
        text = super().latest_checkpoint()
        if self.write:
            self.write, write = None, self.write
            write()
        return text


def test_an_item_written_while_the_run_reads_is_left_to_the_next_run_not_reported(
    api, live_server, personas
):
    fra, jpn = personas["fra_submitter"], personas["jpn_submitter"]
    assert api.post("/notifications", fra, json=pln()).status_code == 201
    late = {}

    def submit():
        r = api.post("/notifications", jpn, json=pln(launch_area={"site_id": "JPN-TANEGASHIMA"}))
        assert r.status_code == 201, r.text
        late.update(r.json())

    token = personas["jpn_reader"].token
    report = verify(WriteWhileReading(live_server.url, token, submit), vkey=log_signer().vkey())
    assert late and report.ok, report.problems
    assert report.size == 1
    assert (
        "feed items from seq 2 on were written while this run read the log (its latest "
        "checkpoint grew from size 1 to 2): the next run checks them" in report.checked
    ), report.checked
    again = verify(HttpSource(live_server.url, token), vkey=log_signer().vkey())
    assert again.ok and again.size == 2, again.problems


def test_an_item_the_exchange_serves_but_never_logged_is_reported_online(
    api, live_server, personas
):
    """The operator adds an event to the database without a log entry: the feed serves it, the
    log does not grow, and the run names it."""
    fra = personas["fra_submitter"]
    assert api.post("/notifications", fra, json=pln()).status_code == 201
    forged = Event.objects.get(seq=1)
    item = json.loads(forged.item)
    forged.seq = item["seq"] = 2
    forged.item = json.dumps(item)
    forged.save(force_insert=True)
    token = personas["jpn_reader"].token
    report = verify(HttpSource(live_server.url, token), vkey=log_signer().vkey())
    assert report.problems == ["feed item seq 2 has no log entry"], report.problems


def test_an_honest_exchange_verifies_online_and_from_a_bundle(
    activity, api, live_server, personas, tmp_path, capsys
):
    token = personas["jpn_reader"].token
    report = verify(HttpSource(live_server.url, token), vkey=log_signer().vkey())
    assert report.ok, report.problems
    # Every step of the fixture is in what the verifier checked: each leaf, each feed item, each
    # signature by the key that made it, each key.
    leaves = activity["leaves"]
    assert report.size == activity["size"] == len(leaves)
    signed = Counter(by for _, by, _ in leaves)
    feed = sum(is_item for _, _, is_item in leaves)
    tree = next(line for line in report.checked if "rebuilt into the tree" in line)
    assert tree.startswith(f"{len(leaves)} entries rebuilt into the tree; its root matches "), tree
    assert (
        f"exchange sequence: seqs 1..{feed} in order, no gap; {feed} feed items equal their leaves"
        in report.checked
    ), report.checked
    assert (
        f"signatures: {signed['state']} by states' system keys, {signed['browser']} by users' "
        "browser keys, 0 relay-attested (custodial keys the exchange held: counted as "
        f"unsigned), {signed['none']} unsigned; keys as the log recorded them (5)" in report.checked
    ), (report.checked, leaves)
    # Every act in the name of a state with a root was checked signed (FRA's after its root,
    # JPN's page acknowledgement); the roots are listed, neither confirmed by a note.
    acts = sum(1 for what, by, _ in leaves if by != "none")
    assert (
        f"entries in the name of states with a root: {acts}, each checked for a signature by a "
        "key its root certified; entered by the ICC for such states: 0 (the ICC's acts, not the "
        "states')" in report.checked
    ), report.checked
    assert sum("not confirmed by a note yet" in line for line in report.checked) == 2
    records = bundle(tmp_path)
    assert problems_of(str(tmp_path / "bundle.jsonl")) == []
    # The command: exit 0, and what it checked is printed.
    state = tmp_path / "state.json"
    argv = ["verify", "--url", live_server.url, "--token", token, "--state", str(state)]
    assert offline.main([*argv, "--vkey", log_signer().vkey()]) == 0
    out = capsys.readouterr().out
    assert f"verified: {activity['size']} entries" in out
    # The next run starts from the saved checkpoint and checks consistency with it.
    grow(api, personas, n=1)
    assert offline.main(argv) == 0
    assert "consistent with the checkpoint saved earlier" in capsys.readouterr().out
    assert len(records) > activity["size"]


def test_a_changed_payload_in_the_feed_is_caught_naming_the_entry(
    activity, live_server, personas, capsys
):
    event = Event.objects.get(seq=3)
    Event.objects.filter(seq=3).update(
        payload=event.payload.replace("n2", "n9", 1), item=event.item.replace("n2", "n9", 1)
    )
    index = LogEntry.objects.get(seq=3).index
    argv = ["verify", "--url", live_server.url, "--token", personas["fra_reader"].token]
    assert offline.main([*argv, "--vkey", log_signer().vkey()]) == 1
    out = capsys.readouterr().out
    assert f"FAIL  entry {index}: the feed's item seq 3 differs from its leaf" in out


def test_a_changed_byte_in_a_stored_leaf_is_caught_naming_the_entry(activity, tmp_path):
    entry = LogEntry.objects.get(index=4)
    LogEntry.objects.filter(index=4).update(leaf=entry.leaf.replace("n", "m", 1))
    bundle(tmp_path)
    problems = problems_of(str(tmp_path / "bundle.jsonl"))
    assert any(p.startswith("entry 4: the served leaf hash") for p in problems), problems
    # Even with its hash recomputed to match, the signed checkpoints give it away.
    changed = LogEntry.objects.get(index=4).leaf
    LogEntry.objects.filter(index=4).update(leaf_hash=merkle.leaf_hash(changed.encode()))
    bundle(tmp_path, "again.jsonl")
    problems = problems_of(str(tmp_path / "again.jsonl"))
    assert any("checkpoint of size 5 does not match" in p and "entry 4" in p for p in problems), (
        problems
    )


def test_a_deleted_entry_is_caught_naming_it(honest_copy, tmp_path):
    _, records = honest_copy
    lines = entry_lines(records)
    del records[lines[3]]
    problems = problems_of(write(tmp_path, records))
    assert any(p.startswith("entry 4: found at position 3") for p in problems), problems


def test_two_swapped_entries_are_caught_naming_them(honest_copy, tmp_path):
    _, records = honest_copy
    a, b = entry_lines(records)[2], entry_lines(records)[5]
    records[a], records[b] = records[b], records[a]
    problems = problems_of(write(tmp_path, records))
    assert any(p.startswith("entry 5: found at position 2") for p in problems), problems
    assert any(p.startswith("entry 2: found at position 5") for p in problems), problems


def test_an_inserted_entry_is_caught_naming_it(honest_copy, tmp_path):
    _, records = honest_copy
    lines = entry_lines(records)
    forged = dict(records[lines[2]]["entry"])
    leaf = json.loads(forged["leaf"])
    leaf["event"]["payload"]["remarks"] = "never sent"
    forged["leaf"] = json.dumps(leaf)
    forged["leaf_hash"] = client.b64(merkle.leaf_hash(forged["leaf"].encode()))
    records.insert(lines[3], {"entry": forged})
    problems = problems_of(write(tmp_path, records))
    assert any(p.startswith("entry 2: found at position 3") for p in problems), problems


def test_a_rewritten_signature_is_caught_naming_the_entry(honest_copy, tmp_path):
    _, records = honest_copy
    for line in entry_lines(records):
        leaf = json.loads(records[line]["entry"]["leaf"])
        if leaf["signature"] and leaf["signature"]["kind"] == "state":
            break
    index = leaf["index"]
    sig = bytearray(client.unb64(leaf["signature"]["sig"]))
    sig[0] ^= 0xFF
    leaf["signature"]["sig"] = client.b64(bytes(sig))
    records[line]["entry"]["leaf"] = json.dumps(leaf)
    records[line]["entry"]["leaf_hash"] = client.b64(merkle.leaf_hash(json.dumps(leaf).encode()))
    problems = problems_of(write(tmp_path, records))
    assert f"entry {index}: the state signature by FRA-2026-1 does not verify" in problems, problems


def test_a_truncated_log_is_caught_against_its_own_checkpoints_and_a_saved_one(
    honest_copy, tmp_path
):
    activity, records = honest_copy
    honest = verify(BundleSource(str(tmp_path / "bundle.jsonl")), vkey=log_signer().vkey())
    assert honest.ok
    size = activity["size"]
    keep = size - 3
    cut = [r for r in records if "entry" not in r or r["entry"]["index"] < keep]
    problems = problems_of(write(tmp_path, cut))
    assert any(
        f"truncated: a checkpoint signed for size {size}, only {keep}" in p for p in problems
    )
    # A careful liar drops the later checkpoints too, and from the key list the key whose
    # registration was among the dropped entries: alone, the bundle is then consistent...
    cut = copy.deepcopy(
        [r for r in cut if "checkpoint" not in r or int(r["checkpoint"].splitlines()[1]) <= keep]
    )
    header = next(r for r in cut if "keys" in r)
    header["keys"] = [k for k in header["keys"] if k["key_id"] != "FRA-2026-2"]
    assert problems_of(write(tmp_path, cut, "cut2.jsonl")) == []
    # ...and the checkpoint saved earlier catches it.
    problems = problems_of(str(tmp_path / "cut2.jsonl"), trusted=honest.latest_checkpoint)
    assert any(f"saved earlier has size {size}" in p for p in problems), problems


def test_two_checkpoints_of_one_size_with_different_roots_are_reported_as_a_split_view(
    honest_copy, tmp_path
):
    activity, records = honest_copy
    size = activity["size"]
    other = note.Checkpoint(log_signer().name, size, b"\x07" * 32, []).body()
    records.append({"checkpoint": log_signer().sign(other)})
    problems = problems_of(write(tmp_path, records))
    assert any(p.startswith(f"split view: two checkpoints of size {size}") for p in problems)


def test_a_checkpoint_not_signed_by_the_pinned_log_key_is_refused(honest_copy, tmp_path):
    _, records = honest_copy
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    impostor = note.Signer(log_signer().name, Ed25519PrivateKey.generate())
    records.append(
        {
            "checkpoint": impostor.sign(
                note.Checkpoint(log_signer().name, 1, b"\x01" * 32, []).body()
            )
        }
    )
    problems = problems_of(write(tmp_path, records))
    assert any("no signature by a known key" in p or "invalid signature" in p for p in problems), (
        problems
    )


def test_a_feed_item_without_a_log_entry_is_reported(honest_copy, tmp_path):
    _, records = honest_copy
    feed = [r for r in records if "feed" in r]
    extra = dict(feed[-1]["feed"], seq=feed[-1]["feed"]["seq"] + 1)
    records.append({"feed": extra})
    problems = problems_of(write(tmp_path, records))
    assert problems == [f"feed item seq {extra['seq']} has no log entry"]


@pytest.mark.process
def test_the_hcoc_command_verifies_a_bundle_offline_and_fails_on_a_tampered_one(
    honest_copy, tmp_path
):
    import subprocess
    import sys
    from pathlib import Path

    hcoc = str(Path(sys.executable).parent / "hcoc")
    _, records = honest_copy
    vkey = log_signer().vkey()
    # No database, no settings: what a state runs on its own machine.
    env = {"PATH": "/usr/bin:/bin"}
    ok = subprocess.run(
        [hcoc, "verify", "--bundle", str(tmp_path / "bundle.jsonl"), "--vkey", vkey],
        capture_output=True,
        text=True,
        env=env,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "verified:" in ok.stdout
    line = entry_lines(records)[1]
    leaf = json.loads(records[line]["entry"]["leaf"])
    leaf["at"] = "2001-01-01T00:00:00Z"
    records[line]["entry"]["leaf"] = json.dumps(leaf)
    bad = subprocess.run(
        [hcoc, "verify", "--bundle", write(tmp_path, records), "--vkey", vkey],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 1
    assert "FAIL  entry 1: dated 2001-01-01T00:00:00Z, before the entry before it" in bad.stdout


def test_hcoc_export_bundle_writes_what_hcoc_verify_checks(activity, tmp_path, monkeypatch):
    import sys

    from hcoc import cli

    path = tmp_path / "exported.jsonl.gz"
    monkeypatch.setattr(sys, "argv", ["hcoc", "export-bundle", str(path)])
    cli.main()
    assert problems_of(str(path)) == []


# ---- speed: incremental runs and signatures in worker processes (issue 6) -----------------


def grow(api, personas, n=2):
    """Honest growth: more submissions through the API, signed by France's system (France has
    a root: a new key of its root's, then its notifications)."""
    key_id = f"FRA-grow-{len(api.__dict__.get('grown', []))}"
    api.__dict__.setdefault("grown", []).append(key_id)
    key = register_key(api, personas, "FRA", key_id)
    for i in range(n):
        r = signed_post(
            api, personas["fra_submitter"], "/notifications", pln(remarks=f"later {i}"), key, key_id
        )
        assert r.status_code == 201, r.text


def rewrite_history(index: int) -> None:
    """What a dishonest exchange does to change an entry it has already published: rewrite the
    leaf (and its feed item), rebuild its tree and sign fresh checkpoints over it."""
    from hcoc.ledger import services
    from hcoc.ledger.models import Checkpoint, Cosignature, LogHead, LogNode
    from hcoc.lib.canonical import canonical_dumps

    entry = LogEntry.objects.get(index=index)
    leaf = json.loads(entry.leaf)
    leaf["event"]["payload"]["remarks"] = "never sent"
    text = canonical_dumps(leaf)
    LogEntry.objects.filter(index=index).update(
        leaf=text, leaf_hash=merkle.leaf_hash(text.encode())
    )
    event = Event.objects.get(seq=leaf["event"]["seq"])
    payload = json.loads(event.payload)
    payload["remarks"] = "never sent"
    Event.objects.filter(seq=event.seq).update(
        payload=canonical_dumps(payload), item=canonical_dumps(leaf["event"])
    )
    LogNode.objects.all().delete()
    frontier = merkle.Frontier()
    for e in LogEntry.objects.order_by("index"):
        LogNode.objects.bulk_create(
            [
                LogNode(key=services.node_key(level, i), hash=h)
                for level, i, h in frontier.append(bytes(e.leaf_hash))
            ]
        )
    LogHead.objects.filter(id=1).update(size=frontier.size, frontier=frontier.to_bytes())
    Cosignature.objects.all().delete()
    Checkpoint.objects.all().delete()
    services.checkpoint_current()


def test_a_resumed_run_reads_only_the_new_entries_and_passes_on_honest_growth(
    activity, api, live_server, personas, tmp_path, capsys
):
    vkey = log_signer().vkey()
    bundle(tmp_path, "first.jsonl")
    first = verify(BundleSource(str(tmp_path / "first.jsonl")), vkey=vkey)
    assert first.ok and first.resume is not None
    assert first.resume.size == activity["size"]
    grow(api, personas, 3)
    bundle(tmp_path, "grown.jsonl")
    again = verify(BundleSource(str(tmp_path / "grown.jsonl")), vkey=vkey, resume=first.resume)
    assert again.ok, again.problems
    assert again.size == activity["size"] + 4  # a new key of France's, then 3 notifications
    text = "\n".join(again.checked)
    assert f"4 new since the state saved at size {activity['size']}" in text
    assert "consistent with the checkpoint saved earlier" in text
    assert again.resume.next_seq == first.resume.next_seq + 3
    # The same tree as a full run's: same root, same edge.
    full = verify(BundleSource(str(tmp_path / "grown.jsonl")), vkey=vkey)
    assert full.ok and full.root == again.root and full.resume.frontier == again.resume.frontier
    # Online with --state: the second run fetches from the saved size on, and says so.
    state = tmp_path / "state.json"
    token = personas["fra_reader"].token
    argv = ["verify", "--url", live_server.url, "--token", token, "--state", str(state)]
    assert offline.main([*argv, "--vkey", vkey]) == 0
    saved = json.loads(state.read_text())
    assert saved["size"] == activity["size"] + 4 and saved["frontier"] and saved["keys"]
    grow(api, personas, 2)
    capsys.readouterr()
    assert offline.main(argv) == 0
    out = capsys.readouterr().out
    assert f"verified: {activity['size'] + 7} entries (3 new since the last run)" in out
    assert offline.main([*argv, "--full"]) == 0
    assert f"verified: {activity['size'] + 7} entries in" in capsys.readouterr().out


def test_a_resumed_run_catches_a_rewrite_of_an_entry_it_had_already_verified(
    activity, api, live_server, personas, tmp_path, capsys
):
    vkey = log_signer().vkey()
    bundle(tmp_path, "first.jsonl")
    first = verify(BundleSource(str(tmp_path / "first.jsonl")), vkey=vkey)
    assert first.ok
    state = tmp_path / "state.json"
    token = personas["fra_reader"].token
    argv = ["verify", "--url", live_server.url, "--token", token, "--state", str(state)]
    assert offline.main([*argv, "--vkey", vkey]) == 0
    rewrite_history(2)
    grow(api, personas, 2)
    # The resumed run never reads entry 2 again: the saved tree edge gives the rewrite away.
    bundle(tmp_path, "rewritten.jsonl")
    problems = problems_of(str(tmp_path / "rewritten.jsonl"), resume=first.resume)
    size = activity["size"]
    assert any(p.startswith(f"split view: two checkpoints of size {size}") for p in problems), (
        problems
    )
    assert any(f"checkpoint of size {size + 2} does not match the entries" in p for p in problems)
    # Online, the exchange's consistency proof cannot bridge the saved root to its new one.
    capsys.readouterr()
    assert offline.main(argv) == 1
    out = capsys.readouterr().out
    assert f"FAIL  checkpoint of size {size + 2} does not match the entries" in out
    # Without what the earlier run saved, a rewrite re-signed throughout is self-consistent:
    # keeping the state (or a cosigning witness) is what catches it.
    assert problems_of(str(tmp_path / "rewritten.jsonl")) == []


def truncate_log(keep: int) -> None:
    """What a dishonest exchange does to take back entries: delete them, set its tree back and
    drop the checkpoints that covered them."""
    from hcoc.ledger.models import Checkpoint, Cosignature, LogHead

    LogEntry.objects.filter(index__gte=keep).delete()
    frontier = merkle.Frontier()
    for e in LogEntry.objects.order_by("index"):
        frontier.append(bytes(e.leaf_hash))
    LogHead.objects.filter(id=1).update(size=frontier.size, frontier=frontier.to_bytes())
    Cosignature.objects.filter(checkpoint__size__gt=keep).delete()
    Checkpoint.objects.filter(size__gt=keep).delete()


def test_a_resumed_run_catches_truncation_and_entries_removed_below_the_saved_size(
    activity, live_server, personas, tmp_path, capsys
):
    records = bundle(tmp_path)
    first = verify(BundleSource(str(tmp_path / "bundle.jsonl")), vkey=log_signer().vkey())
    size = activity["size"]
    keep = size - 3
    cut = [r for r in records if "entry" not in r or r["entry"]["index"] < keep]
    cut = [r for r in cut if "checkpoint" not in r or int(r["checkpoint"].splitlines()[1]) <= keep]
    problems = problems_of(write(tmp_path, cut), resume=first.resume)
    assert any(f"truncated: the checkpoint saved earlier has size {size}" in p for p in problems), (
        problems
    )
    # Entries below the saved size are not checked again, but they are counted.
    lines = entry_lines(records)
    del records[lines[3]]
    problems = problems_of(write(tmp_path, records, "deleted.jsonl"), resume=first.resume)
    assert any(p.startswith("entry 4: found at position 3") for p in problems), problems
    # Online: the exchange's latest checkpoint is older than the one saved.
    state = tmp_path / "state.json"
    token = personas["fra_reader"].token
    argv = ["verify", "--url", live_server.url, "--token", token, "--state", str(state)]
    assert offline.main([*argv, "--vkey", log_signer().vkey()]) == 0
    truncate_log(keep)
    capsys.readouterr()
    assert offline.main(argv) == 1
    out = capsys.readouterr().out
    assert f"truncated: the checkpoint saved earlier has size {size}, the log's latest" in out


@pytest.mark.process
def test_signatures_checked_in_worker_processes_give_the_same_report_as_in_process(
    honest_copy, tmp_path, monkeypatch
):
    from hcoc.ledger.verifier import signatures

    monkeypatch.setattr(signatures, "CHUNK", 2)  # so that this small log uses the pool
    _, records = honest_copy
    tampered = 0
    for line in entry_lines(records):
        leaf = json.loads(records[line]["entry"]["leaf"])
        if leaf["signature"] and tampered < 3:
            sig = bytearray(client.unb64(leaf["signature"]["sig"]))
            sig[5] ^= 0x01
            leaf["signature"]["sig"] = client.b64(bytes(sig))
            tampered += 1
        elif leaf["index"] == 9:
            leaf["at"] = "2001-01-01T00:00:00Z"
        else:
            continue
        text = json.dumps(leaf)
        records[line]["entry"].update(
            leaf=text, leaf_hash=client.b64(merkle.leaf_hash(text.encode()))
        )
    path = write(tmp_path, records)
    alone = problems_of(path, jobs=1)
    pooled = problems_of(path, jobs=2)
    assert tampered == 3
    assert sum("signature by" in p and "does not verify" in p for p in alone) == 3, alone
    assert pooled == alone
    entries = [int(p.split(":")[0].split()[1]) for p in alone if p.startswith("entry ")]
    assert entries == sorted(entries)


def test_bundle_lines_spelled_otherwise_are_still_read(honest_copy, tmp_path):
    activity, records = honest_copy
    path = tmp_path / "spelled.jsonl"
    lines = [json.dumps(records[0])]
    for r in records[1:]:
        inner = next(iter(r.values()))
        if isinstance(inner, dict):  # keys in another order, and a space after the brace
            inner = dict(reversed(list(inner.items())))
        lines.append("{ " + json.dumps({next(iter(r)): inner})[1:])
    path.write_text("\n".join(lines) + "\n")
    first = verify(BundleSource(str(path)), vkey=log_signer().vkey())
    assert first.ok, first.problems
    assert first.size == activity["size"]
    again = verify(BundleSource(str(path)), vkey=log_signer().vkey(), resume=first.resume)
    assert again.ok, again.problems
