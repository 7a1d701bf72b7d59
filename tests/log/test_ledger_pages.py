"""The log on the pages: /log (checkpoint, cosigners, keys, how to verify) and each
notification's place in the log with its verified status (issue 6)."""

import json
import re
import time

from support.bodies import pln
from support.ledger import certify, give_root, register_key
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
    # The key id isolated (hcoc.ui.bidi), its state by name, the time in minutes and UTC.
    [cosigner] = re.findall(r'<ul class="cosigners"><li>(.*?)</li>', html)
    assert re.fullmatch(
        r'<bdi dir="ltr">JPN-2026-1</bdi> \(Japan\) · <bdi dir="ltr">\d{4}-\d\d-\d\d \d\d:\d\d UTC</bdi>',
        cosigner,
    ), cosigner
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


def test_the_icc_only_records_the_note_confirming_a_root_and_cannot_make_a_key(api, personas):
    from hcoc.ledger import trust
    from hcoc.ledger.models import StateKey

    root, root_id = give_root(api, personas, "FRA")
    icc = web_client("icc")
    page = icc.get("/log/keys").content.decode()
    assert "FRA-root-1" in page and trust.fingerprint(trust.public_bytes(root)) in page
    assert "Register" not in page and "Revoke" not in page
    bad = icc.post(
        "/log/keys", {"key_id": root_id, "fingerprint": "00" * 32, "note_reference": "NV 1/2026"}
    )
    assert bad.status_code == 422 and "is not FRA-root-1" in bad.content.decode()
    ok = icc.post(
        "/log/keys",
        {
            "key_id": root_id,
            "fingerprint": trust.fingerprint(trust.public_bytes(root)).upper(),
            "note_reference": "NV 1/2026",
        },
    )
    assert ok.status_code == 302
    assert StateKey.objects.get(key_id=root_id).note_reference == "NV 1/2026"
    types = [json.loads(e.leaf)["type"] for e in LogEntry.objects.order_by("index")]
    assert types == ["key.registered", "key.confirmed"]
    # The console's old doors (register, revoke, custodial keys) are gone.
    assert icc.post("/log/keys/FRA-root-1/revoke", {"reason": "x"}).status_code == 404
    assert icc.post("/log/keys/custodial", {"state": "JPN"}).status_code == 404


def test_a_states_user_registers_a_browser_key_from_the_signing_page(api, personas):
    from hcoc.ledger import client, trust
    from hcoc.ledger.models import StateKey

    root, root_id = give_root(api, personas, "JPN")
    web = web_client("jpn_reader")
    page = web.get("/log/signing").content.decode()
    key_id = "JPN-browser-jpn_reader-1"
    assert key_id in page and trust.fingerprint(trust.public_bytes(root)) in page
    public = client.key_generate()[1]
    certified = {
        "key_id": key_id,
        "kind": "browser",
        "public_key": public,
        "user": "jpn_reader",
        "certified_by": root_id,
        "certificate": certify(root, "JPN", key_id, public, "browser", "jpn_reader"),
    }
    for wrong in ({"user": "jpn_submitter"}, {"certificate": client.b64(bytes(64))}):
        bad = web.post("/log/signing", {"certified": json.dumps({**certified, **wrong})})
        assert bad.status_code == 422, wrong
    assert web.post("/log/signing", {"certified": "not json"}).status_code == 422
    assert not StateKey.objects.filter(key_id=key_id).exists()
    ok = web.post("/log/signing", {"certified": json.dumps(certified)})
    assert ok.status_code == 302
    assert StateKey.objects.get(key_id=key_id).user.username == "jpn_reader"
    assert key_id in web.get("/log/signing").content.decode()
