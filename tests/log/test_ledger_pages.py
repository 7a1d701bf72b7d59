"""The log on the pages: /log (checkpoint, cosigners, keys, how to verify) and each
notification's place in the log with its verified status (issue 6)."""

import json
import time

from support.bodies import pln
from support.ledger import register_key
from support.people import web_client

from hcoc.ledger.keys import log_signer
from hcoc.ledger.models import LogEntry
from hcoc.ledger.services import checkpoint_current, cosignature_add
from hcoc.ledger.tlog import note


def test_the_log_page_shows_the_checkpoint_its_cosigners_and_how_to_verify(api, personas):
    key = register_key(api, personas, "JPN", "JPN-2026-1")
    api.post("/notifications", personas["fra_submitter"], json=pln())
    cp = checkpoint_current()
    body = note.note_parse(cp.note)[0]
    from hcoc.accounts.models import User

    cosignature_add(
        actor=User.objects.get(username="jpn_reader"),
        checkpoint=body,
        cosignature=note.CosignatureSigner("JPN-2026-1", key).cosign(body, int(time.time())),
    )
    html = web_client("fra_reader").get("/log/").content.decode()
    assert f'<dd class="tree-size">{cp.size}</dd>' in html
    assert log_signer().vkey() in html
    assert "JPN-2026-1 (JPN)" in html
    assert "hcoc verify --url" in html and "hcoc witness" in html
    assert "key.registered" in html and "event" in html


def test_a_notification_page_shows_its_log_index_and_that_it_verifies(api, personas):
    r = api.post("/notifications", personas["fra_submitter"], json=pln())
    ref, seq = r.json()["reference"], r.json()["seq"]
    index = LogEntry.objects.get(seq=seq).index
    html = web_client("jpn_reader").get(f"/notifications/{ref}").content.decode()
    assert f'<dd class="log-index">{index}</dd>' in html
    assert '<strong class="ok">verified</strong>' in html
    # A leaf changed behind the log's back no longer verifies, and the page says so.
    entry = LogEntry.objects.get(seq=seq)
    LogEntry.objects.filter(seq=seq).update(leaf=entry.leaf.replace("Ariane", "Arianf"))
    html = web_client("jpn_reader").get(f"/notifications/{ref}").content.decode()
    assert '<strong class="bad">NOT verified</strong>' in html


def test_the_icc_registers_revokes_and_creates_custodial_keys_from_its_console(personas):
    from hcoc.ledger.client import key_generate
    from hcoc.ledger.models import StateKey

    icc = web_client("icc")
    public = key_generate()[1]
    bad = icc.post("/log/keys", {"state": "FRA", "key_id": "JPN-1", "public_key": public})
    assert bad.status_code == 422
    assert "must start with FRA-" in bad.content.decode()
    assert not StateKey.objects.exists()
    ok = icc.post("/log/keys", {"state": "FRA", "key_id": "FRA-2026-1", "public_key": public})
    assert ok.status_code == 302
    icc.post("/log/keys/FRA-2026-1/revoke", {"reason": "Rotation."})
    icc.post("/log/keys/custodial", {"state": "JPN"})
    keys = {k.key_id: k for k in StateKey.objects.all()}
    assert keys["FRA-2026-1"].revocation_reason == "Rotation."
    assert keys["JPN-custodial-1"].kind == "custodial"
    types = [json.loads(e.leaf)["type"] for e in LogEntry.objects.order_by("index")]
    assert types == ["key.registered", "key.revoked", "key.registered"]
    page = icc.get("/log/keys").content.decode()
    assert "FRA-2026-1" in page and "JPN-custodial-1" in page
