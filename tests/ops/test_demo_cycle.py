"""From nothing: `hcoc demo` then `hcoc serve` (gunicorn), and a client that knows only
docs/formats.md and the demo credentials does the whole cycle over HTTP."""

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from support import answers, free_port

pytestmark = [pytest.mark.process, pytest.mark.slow, pytest.mark.together, pytest.mark.timeout(600)]


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


HCOC = [sys.executable, "-m", "hcoc.cli"]


def demo_env(var: Path) -> dict[str, str]:
    # The demo is the embedded default: always SQLite, whatever database the suite runs on.
    return {**os.environ, "HCOC_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var}/hcoc.sqlite3"}


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory, worker_id) -> tuple[Path, str]:
    """`hcoc demo` from nothing, and again (it must say it is already set up): once for the whole
    run. The suite's workers share it: the first to come builds it under a lock, the others wait
    and find it built (the run's common temporary folder), so the 10 s build is not repeated.
    Its outcome is kept with it, for each worker's tests to check."""
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent  # shared by the workers of this run
    built, outcome = root / "demo-built", root / "demo-built.json"
    with open(root / "demo-built.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not outcome.exists():
            built.mkdir()
            first = subprocess.run(
                [*HCOC, "demo"], env=demo_env(built), capture_output=True, text=True, timeout=300
            )
            again = subprocess.run(
                [*HCOC, "demo"], env=demo_env(built), capture_output=True, text=True, timeout=300
            )
            outcome.write_text(
                json.dumps(
                    {
                        "first": [first.returncode, first.stdout, first.stderr],
                        "again": [again.returncode, again.stdout, again.stderr],
                    }
                )
            )
    runs = json.loads(outcome.read_text())
    code, printed, errors = runs["first"]
    assert code == 0, errors
    code, again, errors = runs["again"]
    assert code == 0 and "already set up" in again, again + errors
    return built, printed


@pytest.fixture(scope="module")
def demo_server(demo_built, tmp_path_factory):
    """The demo served from a copy of its own (the tests change it)."""
    built, printed = demo_built
    var = tmp_path_factory.mktemp("demo-var") / "var"
    shutil.copytree(built, var)
    env = demo_env(var)
    port = free_port()
    server = subprocess.Popen(
        [*HCOC, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    if not answers(base + "/api/v1/states/AUT", within=10, proc=server):
        pytest.fail("the demo server did not start")
    yield base, json.loads((var / "demo-credentials.json").read_text()), printed
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=20)


def test_the_demo_prints_and_saves_a_login_and_token_for_the_icc_and_each_demo_state(demo_server):
    _, creds, printed = demo_server
    assert set(creds) == {"ICC", "USA", "FRA", "IND", "JPN", "RUS", "GBR", "DEU", "KOR", "PRK"}
    for c in creds.values():
        assert c["username"] and c["password"] and c["token"]
        assert c["token"] in printed
    assert creds["ICC"]["totp_secret"] in printed  # the ICC needs its second factor in the pages


def test_the_home_page_asks_to_log_in_and_the_public_registry_is_served(demo_server):
    base, _, _ = demo_server
    r = httpx.get(base + "/", follow_redirects=True)
    assert (
        r.status_code == 200
        and "Log in" in r.text
        and str(r.url).endswith("/accounts/login/?next=/")
    )
    registry = httpx.get(base + "/registry")
    assert registry.status_code == 200 and "Registry of subscribing states" in registry.text


def test_a_client_following_formats_md_does_the_whole_cycle_with_demo_tokens(demo_server):
    base, creds, _ = demo_server

    def client(who):
        return httpx.Client(
            base_url=base + "/api/v1", headers={"Authorization": f"Bearer {creds[who]['token']}"}
        )

    usa, jpn, icc, prk = client("USA"), client("JPN"), client("ICC"), client("PRK")
    now = datetime.now(UTC).replace(microsecond=0)
    year = now.year - 1
    body = {
        "category": "BM",
        "generic_class": "ICBM",
        "vehicle_name": "Minuteman III",
        "test_flight": True,
        "window": {
            "opens": iso(now + timedelta(days=5)),
            "closes": iso(now + timedelta(days=5, hours=6)),
        },
        "launch_area": {"site_id": "USA-VANDENBERG"},
        "planned_direction": {"azimuth_deg": 250.0},
        "impact_areas": [
            {"kind": "payload", "center": {"lat": 9.4, "lon": 167.5}, "radius_km": 50}
        ],
        "range_km": 6750,
        "apogee_km": 1100,
        "remarks": "Operational test.",
    }
    # submit (retried once with the same Idempotency-Key), amend, cancel
    r = usa.post("/notifications", json=body, headers={"Idempotency-Key": "cycle-1"})
    assert r.status_code == 201, r.text
    assert (
        usa.post("/notifications", json=body, headers={"Idempotency-Key": "cycle-1"}).json()
        == r.json()
    )
    ref = r.json()["reference"]
    assert (
        usa.post(
            f"/notifications/{ref}/amendments", json={**body, "remarks": "Window confirmed."}
        ).json()["version"]
        == 2
    )
    second = usa.post("/notifications", json=body).json()["reference"]
    assert (
        usa.post(
            f"/notifications/{second}/cancellation", json={"reason": "Test postponed."}
        ).json()["status"]
        == "cancelled"
    )
    # report a launch (of a notification imported as history), and an unnotified one
    past = datetime(year, 6, 1, 12, tzinfo=UTC)
    hist = icc.post(
        "/imports/notifications",
        json={
            "state": "USA",
            "first_submitted_at": iso(past - timedelta(days=3)),
            "notification": {
                **body,
                "window": {"opens": iso(past), "closes": iso(past + timedelta(hours=6))},
            },
            "launch_report": None,
            "source": "test: ICC archive",
        },
    ).json()
    assert hist["imported"] is True and hist["status"] == "unreported"
    rep = usa.post(
        f"/notifications/{hist['reference']}/launch-report",
        json={"launched_at": iso(past + timedelta(hours=2)), "outcome": "success"},
    )
    assert rep.status_code == 201 and rep.json()["launch_report"]["outside_window"] is False
    # declare, read the crosscheck
    decl = usa.post(
        "/declarations",
        json={
            "year": year,
            "ballistic_missiles": {
                "policy": "Outline.",
                "launches": [{"generic_class": "ICBM", "count": 1}],
            },
        },
    )
    assert decl.status_code == 201, decl.text
    icbm = next(row for row in decl.json()["crosscheck"] if row["generic_class"] == "ICBM")
    assert icbm["declared"] == 1 and icbm["difference"] == icbm["declared"] - icbm["reported"]
    assert jpn.get(f"/declarations/USA/{year}/versions").status_code == 200
    # follow the feed from the start, then acknowledge everything
    after, seen = 0, []
    for _ in range(1000):  # bounded: a feed that does not move on fails instead of hanging
        page = jpn.get("/feed", params={"after": after, "limit": 50}).json()
        seen += [i["seq"] for i in page["items"]]
        if not page["more"]:
            break
        assert page["last_seq"] > after, page
        after = page["last_seq"]
    else:
        pytest.fail("the feed did not end within 1,000 pages")
    assert seen == list(range(1, len(seen) + 1))
    assert ref in {i["subject"] for i in jpn.get("/inbox", params={"limit": 1000}).json()["items"]}
    assert jpn.post("/acknowledgements", json={"up_to": seen[-1]}).status_code == 201
    assert jpn.get("/inbox").json()["unacknowledged"] == 0
    status = usa.get("/acknowledgements", params={"seq": seen[-1]}).json()
    assert "JPN" in {a["state"] for a in status["acknowledged"]}
    # and a non-subscriber sees none of it
    assert prk.get("/feed").status_code == 403


def test_the_demo_has_a_regular_meeting_with_an_adopted_and_a_blocked_decision_in_the_feed(
    demo_server,
):
    base, creds, _ = demo_server
    kor = httpx.Client(
        base_url=base + "/api/v1", headers={"Authorization": f"Bearer {creds['KOR']['token']}"}
    )
    meeting = kor.get("/meetings").json()[0]
    decisions = kor.get(f"/meetings/{meeting['number']}/decisions").json()
    assert [d["outcome"] for d in decisions] == ["adopted", "not_adopted"]
    blocked = decisions[1]
    assert [x["state"] for x in blocked["positions"] if x["position"] == "object"] == [
        "DEU",
        "IND",
    ]
    assert "DEU" not in blocked["present"]  # it objected, then left: only India blocked it
    silence = [p for p in kor.get(f"/meetings/{meeting['number']}/proposals").json()][-1]
    assert (silence["procedure"], silence["status"]) == ("silence", "open")
    kinds = [i["kind"] for i in kor.get("/feed", params={"limit": 1000}).json()["items"]]
    assert kinds.count("meeting.decision") == 2 and "meeting.proposal_circulated" in kinds


def test_the_demo_log_verifies_with_the_command_a_state_runs_and_gbr_signs_with_its_key(
    demo_server, tmp_path
):
    """What the README shows: `hcoc verify` against the running demo, then GBR (which has a key)
    acknowledging with a signed request and getting a receipt that proves inclusion."""
    import re

    from support.ledger import check_receipt

    from hcoc.ledger import client

    base, creds, printed = demo_server
    token = creds["GBR"]["token"]
    run = subprocess.run(
        [*HCOC, "verify", "--url", base, "--token", token, "--state", str(tmp_path / "s.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "witness GBR-demo-1 cosigned" in run.stdout
    # France and the United Kingdom have roots, confirmed by note; GBR's system signed its
    # acknowledgement, and every act in their names since their roots was checked signed.
    assert "by states' system keys" in run.stdout and "1 by states' system keys" in run.stdout
    for root in ("FRA-root-1", "GBR-root-1"):
        assert re.search(rf"root {root} of [A-Z]{{3}} \(current\).*confirmed by note", run.stdout)
    gbr = httpx.Client(base_url=base + "/api/v1", headers={"Authorization": f"Bearer {token}"})
    last = gbr.get("/feed", params={"limit": 1000}).json()["last_seq"]
    body = json.dumps({"up_to": last}).encode()
    json_type = {"Content-Type": "application/json"}
    assert gbr.post("/acknowledgements", content=body, headers=json_type).status_code == 401
    key_file = re.search(r"GBR-demo-1 \((\S+\.pem)\)", printed).group(1)
    signature = client.sign_request(
        client.private_key_load(key_file), "GBR-demo-1", "POST", "/api/v1/acknowledgements", body
    )
    signed = gbr.post("/acknowledgements", content=body, headers={**json_type, **signature})
    assert signed.status_code == 201, signed.text
    [receipt] = signed.json()["receipts"]
    check_receipt(receipt, gbr.get("/log/keys").json()["vkey"])


def test_the_demo_history_is_old_enough_for_the_icc_to_chase_and_today_is_today(demo_server):
    """The illustrative history entered the exchange more than HCOC_CHASE_AFTER_HOURS ago, so
    the ICC can try the chase on it; what the demo does today (the meeting) is dated today."""
    base, creds, _ = demo_server
    icc = httpx.Client(
        base_url=base + "/api/v1", headers={"Authorization": f"Bearer {creds['ICC']['token']}"}
    )
    items = icc.get("/feed", params={"limit": 1000}).json()["items"]
    now = datetime.now(UTC)
    at = {i["seq"]: datetime.fromisoformat(i["at"].replace("Z", "+00:00")) for i in items}
    old = [
        i
        for i in items
        if i["kind"].startswith("notification.") and at[i["seq"]] < now - timedelta(hours=48)
    ]
    assert old, "no notification of the demo is old enough to chase"
    owed = icc.get("/acknowledgements", params={"seq": old[-1]["seq"]}).json()
    assert owed["not_acknowledged"], owed
    meeting = [i for i in items if i["kind"].startswith("meeting.")]
    assert meeting and all(at[i["seq"]] > now - timedelta(hours=1) for i in meeting)
    assert [at[i["seq"]] for i in items] == sorted(at[i["seq"]] for i in items)
