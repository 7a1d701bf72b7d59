"""The examples of hcoc-client's README (clients/python/examples/) run, as a ministry's developer
runs them, against a live exchange: submit (signed) and check the receipt, read, follow the
stream from a saved cursor and acknowledge, receive a webhook (issue 26)."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from support.bodies import pln
from support.ledger import log_vkey, register_key, signed_post

from hcoc.delivery.webhooks import deliver_due

pytestmark = pytest.mark.process

EXAMPLES = Path(__file__).resolve().parents[2] / "clients" / "python" / "examples"


def key_file(tmp_path: Path, key, name: str) -> str:
    """The key as `hcoc keygen` writes it: PKCS#8 PEM, unencrypted."""
    path = tmp_path / f"{name}.pem"
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return str(path)


def run(example: str, env: dict[str, str], *args: str, timeout: float = 60) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / example), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def world(api, personas, live_server, tmp_path):
    """France and Japan with roots and certified system keys, as key files; the log's key."""
    fra_key = register_key(api, personas, "FRA", "FRA-sys-1")
    jpn_key = register_key(api, personas, "JPN", "JPN-sys-1")
    vkey = log_vkey(api, personas["jpn_reader"])
    base = {"HCOC_URL": live_server.url, "HCOC_LOG_VKEY": vkey}
    return {
        "fra": {
            **base,
            "HCOC_TOKEN": personas["fra_submitter"].token,
            "HCOC_KEY_FILE": key_file(tmp_path, fra_key, "fra"),
            "HCOC_KEY_ID": "FRA-sys-1",
        },
        "jpn": {
            **base,
            "HCOC_TOKEN": personas["jpn_submitter"].token,
            "HCOC_KEY_FILE": key_file(tmp_path, jpn_key, "jpn"),
            "HCOC_KEY_ID": "JPN-sys-1",
            "HCOC_CURSOR": str(tmp_path / "jpn.cursor"),
        },
        "jpn_reader": {**base, "HCOC_TOKEN": personas["jpn_reader"].token},
        "keys": {"FRA": (fra_key, "FRA-sys-1"), "JPN": (jpn_key, "JPN-sys-1")},
    }


def test_the_examples_submit_signed_read_follow_and_acknowledge(api, personas, world, tmp_path):
    submitted = json.loads(run("submit_signed.py", world["fra"]))
    reference, seq = submitted["reference"], submitted["seq"]
    assert submitted["checkpoint_size"] > 0
    # Stored as France's act, signed with its system key (the leaf carries the signature).
    entries = api.get("/log/entries", personas["jpn_reader"], params={"start": 0, "end": 99})
    [leaf] = [json.loads(e["leaf"]) for e in entries.json()["entries"] if e["seq"] == seq]
    assert leaf["signature"]["key_id"] == "FRA-sys-1"

    read = run("read.py", world["jpn_reader"], reference)
    assert f"{reference}: notified, SLV SLV-medium" in read
    assert "inbox: " in read and "not found: " in read

    followed = run("follow_and_acknowledge.py", world["jpn"], str(seq))
    assert f"item {seq}: notification.submitted {reference} from FRA" in followed
    assert f"acknowledged 1 item(s) up to {seq} as JPN" in followed
    status = api.get("/acknowledgements", personas["fra_reader"], params={"seq": seq}).json()
    assert [a["state"] for a in status["acknowledged"]] == ["JPN"]
    assert Path(world["jpn"]["HCOC_CURSOR"]).read_text().strip() == str(seq)

    # A second run with the same cursor goes on after it: the next item only, never the first.
    key, key_id = world["keys"]["FRA"]
    second = signed_post(api, personas["fra_submitter"], "/notifications", pln(), key, key_id)
    assert second.status_code == 201, second.text
    next_seq = second.json()["seq"]
    followed = run("follow_and_acknowledge.py", world["jpn"], str(next_seq))
    assert f"item {next_seq}: notification.submitted" in followed
    assert f"item {seq}:" not in followed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_webhook_receiver_example_accepts_the_exchanges_deliveries_and_refuses_others(
    api, personas, world, settings
):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    key, key_id = world["keys"]["JPN"]
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    r = signed_post(api, personas["jpn_submitter"], "/webhooks", {"url": url}, key, key_id)
    assert r.status_code == 201, r.text
    receiver = subprocess.Popen(
        [sys.executable, "-u", str(EXAMPLES / "webhook_receiver.py"), str(port)],
        env={**os.environ, "HCOC_WEBHOOK_SECRET": r.json()["secret"]},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert receiver.stdout.readline() == f"listening on {url}\n"
        fra_key, fra_id = world["keys"]["FRA"]
        sent = signed_post(api, personas["fra_submitter"], "/notifications", pln(), fra_key, fra_id)
        assert sent.status_code == 201, sent.text
        assert deliver_due() == 1
        line = receiver.stdout.readline()
        assert line.startswith(f"accepted msg_hcoc_{r.json()['id']}_{sent.json()['seq']}: ")
        assert "notification.submitted" in line

        forged = httpx.post(
            url,
            content=sent.content,
            headers={
                "webhook-id": "msg_x",
                "webhook-timestamp": "1",
                "webhook-signature": "v1,AAAA",
            },
        )
        assert forged.status_code == 400
        assert receiver.stdout.readline().startswith("refused: ")
    finally:
        receiver.terminate()
        receiver.wait(10)
