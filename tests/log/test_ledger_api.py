"""The transparency log through the API: receipts, proofs, entries, state keys and signed
requests, custodial signatures, witnesses' cosignatures (issue 6)."""

import json
import time

import pytest
from support.bodies import pln
from support.ledger import (
    b64d,
    certify,
    check_receipt,
    give_root,
    log_vkey,
    page_signature,
    register_browser_key,
    register_key,
    revoke_key,
    signed_form,
    signed_post,
)
from support.stored import stored

from hcoc.ledger import client
from hcoc.ledger.models import LogEntry, StateKey
from hcoc.ledger.tlog import merkle, note


def test_every_post_that_records_something_answers_with_a_receipt_that_proves_inclusion(
    api, personas
):
    fra, jpn = personas["fra_submitter"], personas["jpn_submitter"]
    first = api.post("/notifications", fra, json=pln())
    assert first.status_code == 201, first.text
    second = api.post("/notifications", fra, json=pln(remarks="Second."))
    ack = api.post("/acknowledgements", jpn, json={"up_to": second.json()["seq"]})
    assert ack.status_code == 201, ack.text
    vkey = log_vkey(api, jpn)
    for response, index in ((first, 0), (second, 1), (ack, 2)):
        [receipt] = response.json()["receipts"]
        assert receipt["index"] == index
        cp = check_receipt(receipt, vkey)
        assert cp.size > index
    assert first.json()["receipts"][0]["seq"] == first.json()["seq"]
    leaf = json.loads(LogEntry.objects.get(index=2).leaf)
    assert leaf["type"] == "acknowledgement"
    assert leaf["acknowledgement"] == {"up_to": 2, "newly_acknowledged": 2}
    assert leaf["actor"] == {"role": "submitter", "state": "JPN"}


def test_a_receipt_forged_by_changing_its_leaf_hash_does_not_verify(api, personas):
    r = api.post("/notifications", personas["fra_submitter"], json=pln())
    receipt = r.json()["receipts"][0]
    receipt["leaf_hash"] = client.b64(merkle.leaf_hash(b"something else"))
    with pytest.raises(merkle.ProofError):
        check_receipt(receipt, log_vkey(api, personas["fra_reader"]))


def test_entries_are_the_feed_items_and_their_hashes_rebuild_the_signed_root(api, personas):
    fra = personas["fra_submitter"]
    for i in range(5):
        assert api.post("/notifications", fra, json=pln(remarks=f"n{i}")).status_code == 201
    reader = personas["jpn_reader"]
    checkpoint = api.get("/log/checkpoint", reader)
    assert checkpoint.headers["content-type"].startswith("text/plain")
    body, _ = note.note_open(checkpoint.text, [note.Verifier.from_vkey(log_vkey(api, reader))])
    cp = note.checkpoint_parse(body)
    assert cp.size == 5
    entries = api.get("/log/entries", reader, params={"start": 0, "end": 99}).json()["entries"]
    assert [e["index"] for e in entries] == [0, 1, 2, 3, 4]
    tree = merkle.MemoryTree()
    feed = api.get("/feed", reader).json()["items"]
    for e, item in zip(entries, feed, strict=True):
        assert b64d(e["leaf_hash"]) == merkle.leaf_hash(e["leaf"].encode())
        assert json.loads(e["leaf"])["event"] == item
        assert e["seq"] == item["seq"]
        tree.append(merkle.leaf_hash(e["leaf"].encode()))
    assert tree.root() == cp.root


def test_inclusion_and_consistency_proofs_from_the_api_verify(api, personas):
    fra, reader = personas["fra_submitter"], personas["jpn_reader"]
    for i in range(7):
        api.post("/notifications", fra, json=pln(remarks=f"n{i}"))
    entries = api.get("/log/entries", reader, params={"start": 0, "end": 6}).json()["entries"]
    hashes = [b64d(e["leaf_hash"]) for e in entries]
    for size in range(1, 8):
        root = merkle.MemoryTree()
        root.extend(hashes[:size])
        for index in range(size):
            proof = api.get(
                "/log/proof/inclusion", reader, params={"index": index, "size": size}
            ).json()
            assert proof["index"] == index and proof["size"] == size
            merkle.verify_inclusion(
                index, size, hashes[index], [b64d(h) for h in proof["hashes"]], root.root()
            )
    full = merkle.MemoryTree()
    full.extend(hashes)
    for old in range(1, 8):
        proof = api.get("/log/proof/consistency", reader, params={"from": old, "to": 7}).json()
        assert proof["from"] == old and proof["to"] == 7
        merkle.verify_consistency(
            old, 7, full.root(old), full.root(), [b64d(h) for h in proof["hashes"]]
        )


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/log/proof/inclusion", {"index": 3, "size": 3}, "index"),
        ("/log/proof/inclusion", {"index": 0, "size": 99}, "size"),
        ("/log/proof/consistency", {"from": 3, "to": 2}, "from"),
        ("/log/proof/consistency", {"from": 1, "to": 99}, "to"),
        ("/log/entries", {"start": 2, "end": 1}, "end"),
    ],
)
def test_a_proof_or_range_outside_the_tree_is_refused_naming_the_parameter(
    api, personas, path, params, field
):
    for i in range(3):
        api.post("/notifications", personas["fra_submitter"], json=pln(remarks=f"n{i}"))
    r = api.get(path, personas["fra_reader"], params=params)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field]


def test_entries_come_at_most_a_thousand_at_a_time(api, personas):
    """docs/api.md: `start..end` inclusive, at most 1,000 (the range is cut to `start+999` and
    to the tree)."""
    api.post("/notifications", personas["fra_submitter"], json=pln())
    r = api.get("/log/entries", personas["fra_reader"], params={"start": 0, "end": 5000})
    assert [e["index"] for e in r.json()["entries"]] == [0]  # cut to the tree
    # A log of 1,200 entries: the one above and 1,199 more, stored as an exchange would have
    # (the range's cut does not depend on what the leaves say).
    first = LogEntry.objects.get()
    LogEntry.objects.bulk_create(
        LogEntry(
            index=i, type=first.type, at=first.at, state="FRA", leaf=f"{i}", leaf_hash=bytes(32)
        )
        for i in range(1, 1200)
    )
    reader = personas["fra_reader"]
    for start, end, served in [(0, 5000, range(0, 1000)), (150, 1199, range(150, 1150))]:
        r = api.get("/log/entries", reader, params={"start": start, "end": end})
        assert r.status_code == 200, r.text
        assert [e["index"] for e in r.json()["entries"]] == list(served), (start, end)
    r = api.get("/log/entries", reader, params={"start": 1100, "end": 5000})
    assert [e["index"] for e in r.json()["entries"]] == list(range(1100, 1200))


# ---- state keys and signed requests ---------------------------------------------------------


def test_a_signed_submission_is_stored_with_the_states_signature_in_its_leaf(api, personas):
    key = register_key(api, personas, "FRA", "FRA-2026-1")
    body = pln()
    r = signed_post(api, personas["fra_submitter"], "/notifications", body, key, "FRA-2026-1")
    assert r.status_code == 201, r.text
    entry = LogEntry.objects.get(seq=r.json()["seq"])
    leaf = json.loads(entry.leaf)
    assert leaf["signature"]["kind"] == "state"
    assert leaf["signature"]["key_id"] == "FRA-2026-1"
    assert leaf["request"] == {"method": "POST", "path": "/api/v1/notifications", "body": body}
    assert entry.key_id == "FRA-2026-1"
    # The signature in the leaf verifies offline, over the request the state sent.
    from hcoc.ledger.verifier import KeyRecord, leaf_signature_problem

    key = StateKey.objects.get(key_id="FRA-2026-1")
    assert leaf_signature_problem(leaf, KeyRecord.from_model(key)) is None


def test_the_root_and_the_key_registrations_are_log_entries_with_their_signatures(api, personas):
    register_key(api, personas, "FRA", "FRA-2026-1")
    root, key = (json.loads(e.leaf) for e in LogEntry.objects.order_by("index")[:2])
    assert root["type"] == key["type"] == "key.registered"
    assert root["key"]["kind"] == "root" and root["key"]["proof"]
    assert key["key"]["key_id"] == "FRA-2026-1"
    assert key["key"]["certified_by"] == "FRA-root-1" and key["key"]["certificate"]
    keys = api.get("/log/keys", personas["jpn_reader"]).json()
    assert [k["key_id"] for k in keys["keys"]] == ["FRA-2026-1", "FRA-root-1"]
    assert [k["registered_index"] for k in keys["keys"]] == [1, 0]
    assert keys["keys"][0]["certified_by"] == "FRA-root-1"
    assert keys["vkey"].startswith(keys["origin"] + "+")


def _refused(r, status: int, field: str = "HCoC-Signature") -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in r.json()["errors"]}


def test_once_a_state_has_a_key_its_unsigned_requests_are_refused_and_nothing_is_stored(
    api, personas
):
    register_key(api, personas, "FRA", "FRA-2026-1")
    before = stored()
    _refused(api.post("/notifications", personas["fra_submitter"], json=pln()), 401)
    assert stored() == before
    # Another state, without keys, still submits unsigned.
    jpn = api.post(
        "/notifications",
        personas["jpn_submitter"],
        json=pln(launch_area={"site_id": "JPN-TANEGASHIMA"}),
    )
    assert jpn.status_code == 201, jpn.text


@pytest.mark.parametrize(
    "forgery",
    ["wrong key", "another state's key", "other body", "other path", "bit flipped", "stale"],
)
def test_a_forged_signature_is_refused_and_nothing_is_stored(api, personas, forgery):
    fra = personas["fra_submitter"]
    key = register_key(api, personas, "FRA", "FRA-2026-1")
    jpn_key = register_key(api, personas, "JPN", "JPN-2026-1")
    body = pln()
    raw = json.dumps(body).encode()
    path = "/api/v1/notifications"
    key_id, signing_key, signed_body, signed_path, created = "FRA-2026-1", key, raw, path, None
    if forgery == "wrong key":
        signing_key = client.key_generate()[0]
    elif forgery == "another state's key":
        key_id, signing_key = "JPN-2026-1", jpn_key
    elif forgery == "other body":
        signed_body = json.dumps(pln(remarks="What France really said.")).encode()
    elif forgery == "other path":
        signed_path = "/api/v1/unnotified-launches"
    elif forgery == "stale":
        created = int(time.time()) - 3600
    headers = client.sign_request(
        signing_key, key_id, "POST", signed_path, signed_body, created=created
    )
    if forgery == "bit flipped":
        sig = bytearray(b64d(headers["HCoC-Signature"].rsplit("sig=", 1)[1]))
        sig[10] ^= 1
        headers["HCoC-Signature"] = headers["HCoC-Signature"].rsplit("sig=", 1)[0] + (
            "sig=" + client.b64(bytes(sig))
        )
    before = stored()
    r = api.post(
        "/notifications",
        fra,
        content=raw,
        headers={**headers, "Content-Type": "application/json"},
    )
    _refused(r, 403 if forgery == "another state's key" else 401)
    assert stored() == before


def test_a_replayed_signed_request_is_refused(api, personas):
    key = register_key(api, personas, "FRA", "FRA-2026-1")
    raw = json.dumps(pln()).encode()
    headers = {
        **client.sign_request(key, "FRA-2026-1", "POST", "/api/v1/notifications", raw),
        "Content-Type": "application/json",
    }
    fra = personas["fra_submitter"]
    assert api.post("/notifications", fra, content=raw, headers=headers).status_code == 201
    before = stored()
    _refused(api.post("/notifications", fra, content=raw, headers=headers), 409)
    assert stored() == before


def test_a_revoked_key_no_longer_signs_and_the_revocation_is_logged(api, personas):
    fra = personas["fra_submitter"]
    key = register_key(api, personas, "FRA", "FRA-2026-1")
    assert signed_post(api, fra, "/notifications", pln(), key, "FRA-2026-1").status_code == 201
    r = revoke_key(api, personas, "FRA", "FRA-2026-1", "Compromised.")
    assert r.status_code == 200, r.text
    assert r.json()["revoked_at"] is not None
    before = stored()
    _refused(signed_post(api, fra, "/notifications", pln(), key, "FRA-2026-1"), 401)
    assert stored() == before
    last = LogEntry.objects.order_by("-index").first()
    assert json.loads(last.leaf)["type"] == "key.revoked"
    # France registers a new key and carries on.
    new = register_key(api, personas, "FRA", "FRA-2026-2")
    assert signed_post(api, fra, "/notifications", pln(), new, "FRA-2026-2").status_code == 201


def _certified(root, key_id="FRA-1", public=None, **changes) -> dict:
    public = public or client.key_generate()[1]
    body = {
        "key_id": key_id,
        "public_key": public,
        "certified_by": "FRA-root-1",
        "certificate": certify(root, "FRA", key_id, public),
    }
    return {**body, **changes}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"key_id": "DEU-1"}, "key_id"),
        ({"key_id": "FRA 1"}, "key_id"),
        ({"public_key": "not base64!"}, "public_key"),
        ({"public_key": client.b64(b"short")}, "public_key"),
        ({"certified_by": "FRA-other"}, "certified_by"),
        ({"certificate": client.b64(bytes(64))}, "certificate"),
        ({"kind": "browser", "user": "fra_reader"}, "user"),
        ({"kind": "root"}, "kind"),
    ],
)
def test_a_bad_key_registration_names_the_field_and_stores_nothing(api, personas, change, field):
    root, _ = give_root(api, personas, "FRA")
    before = stored()
    r = api.post("/states/FRA/keys", personas["fra_submitter"], json=_certified(root, **change))
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}
    assert stored() == before


def test_a_key_id_is_never_reused(api, personas):
    register_key(api, personas, "FRA", "FRA-2026-1")
    root, _ = give_root(api, personas, "FRA")
    r = api.post("/states/FRA/keys", personas["fra_submitter"], json=_certified(root, "FRA-2026-1"))
    assert r.status_code == 409, r.text


def test_a_signed_acknowledgement_is_a_receipt_the_state_cannot_deny(api, personas):
    fra = personas["fra_submitter"]
    seq = api.post("/notifications", fra, json=pln()).json()["seq"]
    key = register_key(api, personas, "JPN", "JPN-2026-1")
    r = signed_post(
        api, personas["jpn_reader"], "/acknowledgements", {"seqs": [seq]}, key, "JPN-2026-1"
    )
    assert r.status_code == 201, r.text
    [receipt] = r.json()["receipts"]
    leaf = json.loads(LogEntry.objects.get(index=receipt["index"]).leaf)
    assert leaf["acknowledgement"]["seqs"] == [seq]
    assert leaf["signature"]["key_id"] == "JPN-2026-1"
    assert leaf["request"]["body"] == {"seqs": [seq]}


def test_a_page_signed_in_the_browser_counts_and_an_unsigned_or_forged_one_is_refused(
    api, personas
):
    """JPN has a root: its reader's acknowledgement from the inbox page counts only with a
    signature made by the reader's own browser key (as static/hcoc/sign.js makes it)."""
    from support.people import web_client

    from hcoc.exchange.shown import shown_mark

    seq = api.post("/notifications", personas["fra_submitter"], json=pln()).json()["seq"]
    key, key_id = register_browser_key(api, personas, "jpn_reader")
    fields = {"seqs": [str(seq)], "shown": [shown_mark("JPN", seq)], "next": ["/inbox"]}
    before = stored()
    web = web_client("jpn_reader")
    unsigned = web.post("/inbox/acknowledge", fields, follow=True)
    assert b"signs everything done in its name" in unsigned.content
    assert stored() == before
    forged = web.post(
        "/inbox/acknowledge",
        {
            **fields,
            **page_signature("/inbox/acknowledge", {**fields, "seqs": ["1", "2"]}, key, key_id),
        },
    )
    assert forged.status_code == 403 and b"does not verify" in forged.content
    # Another user's key of the same state is refused too.
    other, other_id = register_browser_key(api, personas, "jpn_submitter")
    before = stored()
    assert signed_form(web, "/inbox/acknowledge", fields, other, other_id).status_code == 403
    assert stored() == before
    signature = page_signature("/inbox/acknowledge", fields, key, key_id)
    page = web.post("/inbox/acknowledge", {**fields, **signature})
    assert page.status_code in (302, 303), page.content[:500]
    leaf = json.loads(LogEntry.objects.order_by("-index").first().leaf)
    assert leaf["type"] == "acknowledgement"
    assert leaf["signature"]["kind"] == "browser" and leaf["signature"]["key_id"] == key_id
    assert leaf["request"] == {"method": "POST", "path": "/inbox/acknowledge", "body": fields}
    from hcoc.ledger.verifier import KeyRecord, leaf_signature_problem

    record = KeyRecord.from_model(StateKey.objects.get(key_id=key_id))
    assert leaf_signature_problem(leaf, record) is None
    # The same signed form sent again is a replay: refused, nothing stored.
    before = stored()
    again = web.post("/inbox/acknowledge", {**fields, **signature})
    assert again.status_code == 403 and b"already used" in again.content
    assert stored() == before


# ---- witnesses ------------------------------------------------------------------------------


def test_a_states_witness_checks_consistency_cosigns_and_the_checkpoint_carries_it(
    api, live_server, personas, tmp_path
):
    from hcoc.ledger import offline

    fra = personas["fra_submitter"]
    key = register_key(api, personas, "JPN", "JPN-2026-1")
    key_file = tmp_path / "jpn.pem"
    client.private_key_save(key, key_file)
    state = tmp_path / "witness.json"
    args = [
        "witness",
        "--url",
        live_server.url,
        "--token",
        personas["jpn_reader"].token,
        "--key",
        str(key_file),
        "--key-id",
        "JPN-2026-1",
        "--state",
        str(state),
    ]
    api.post("/notifications", fra, json=pln())
    assert offline.main(args) == 0
    api.post("/notifications", fra, json=pln(remarks="More."))
    assert offline.main(args) == 0  # the second run checks consistency with the first
    text = api.get("/log/checkpoint", personas["fra_reader"]).text
    keys = api.get("/log/keys", fra).json()
    witness = note.CosignatureVerifier.from_vkey(keys["keys"][0]["cosignature_vkey"])
    log = note.Verifier.from_vkey(keys["vkey"])
    body, signatures = note.note_open(text, [log, witness])
    assert [s.name for s in signatures if s.verified] == [log.name, "JPN-2026-1"]


def test_a_cosignature_by_another_states_key_or_a_custodial_key_is_refused(api, personas):
    icc = personas["icc"]
    key = register_key(api, personas, "JPN", "JPN-2026-1")
    api.post("/notifications", personas["fra_submitter"], json=pln())
    text = api.get("/log/checkpoint", icc).text
    body, _ = note.note_open(text, [note.Verifier.from_vkey(log_vkey(api, icc))])
    line = note.CosignatureSigner("JPN-2026-1", key).cosign(body, int(time.time()))
    r = api.post(
        "/log/cosignatures",
        personas["fra_reader"],
        json={"checkpoint": body, "cosignature": line},
    )
    assert r.status_code == 403, r.text
    # A cosignature over another root for the same size: the witness saw another log.
    forged = body.replace(body.splitlines()[2], client.b64(b"\x00" * 32))
    line = note.CosignatureSigner("JPN-2026-1", key).cosign(forged, int(time.time()))
    r = signed_post(
        api,
        personas["jpn_reader"],
        "/log/cosignatures",
        {"checkpoint": forged, "cosignature": line},
        key,
        "JPN-2026-1",
    )
    assert r.status_code == 409, r.text


def test_the_log_is_closed_to_non_subscribers(api, personas):
    for path in ("/log/checkpoint", "/log/keys", "/log/entries?start=0&end=1"):
        assert api.get(path, personas["prk_user"]).status_code == 403
        assert api.get(path, personas["anonymous"]).status_code == 401


def test_a_witness_may_post_the_whole_signed_note_it_cosigned(api, personas):
    key = register_key(api, personas, "JPN", "JPN-2026-1")
    api.post("/notifications", personas["fra_submitter"], json=pln())
    text = api.get("/log/checkpoint", personas["jpn_reader"]).text
    body = note.note_parse(text)[0]
    line = note.CosignatureSigner("JPN-2026-1", key).cosign(body, int(time.time()))
    r = signed_post(
        api,
        personas["jpn_reader"],
        "/log/cosignatures",
        {"checkpoint": text, "cosignature": line},
        key,
        "JPN-2026-1",
    )
    assert r.status_code == 201, r.text
    assert r.json()["key_id"] == "JPN-2026-1"


def test_the_openapi_document_shows_the_signature_header_and_the_receipts(api):
    schema = api.get("/openapi.json").json()
    post = schema["paths"]["/api/v1/notifications"]["post"]
    assert "HCoC-Signature" in [p["name"] for p in post["parameters"]]
    created = post["responses"]["201"]["content"]["application/json"]["schema"]["allOf"]
    assert created[1]["properties"]["receipts"]["items"] == {"$ref": "#/components/schemas/Receipt"}
    assert "inclusion_proof" in schema["components"]["schemas"]["Receipt"]["properties"]


def test_signatures_too_old_to_be_accepted_are_forgotten(api, personas, settings):
    from hcoc.ledger.models import SeenSignature

    SeenSignature.objects.create(digest="0" * 64, key_id="FRA-2026-1", created=1)
    key = register_key(api, personas, "FRA", "FRA-2026-1")
    r = signed_post(api, personas["fra_submitter"], "/notifications", pln(), key, "FRA-2026-1")
    assert r.status_code == 201, r.text
    assert list(SeenSignature.objects.values_list("key_id", flat=True)) == ["FRA-2026-1"]
    assert SeenSignature.objects.get().created > 1


def test_a_root_is_replaced_by_one_it_endorses_never_revoked(api, personas, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from hcoc.exchange.management.commands.export_bundle import bundle_write
    from hcoc.ledger import trust
    from hcoc.ledger.keys import log_signer
    from hcoc.ledger.verifier import BundleSource, verify

    old, old_id = give_root(api, personas, "FRA")
    r = revoke_key(api, personas, "FRA", old_id, "Lost.")
    assert r.status_code == 422 and "hcoc key rotate" in r.text
    new = Ed25519PrivateKey.generate()
    public = trust.public_bytes(new)
    message = trust.credential_message(
        trust.credential(state="FRA", key_id="FRA-root-2", kind="root", public_key=public)
    )
    body = {
        "key_id": "FRA-root-2",
        "public_key": client.b64(public),
        "proof": trust.sign(new, message),
        "endorsed_by": old_id,
        "endorsement": trust.sign(new, message),  # not the old root's: refused
    }
    fra = personas["fra_submitter"]
    r = api.post("/states/FRA/roots", fra, json=body)
    assert r.status_code == 422 and "endorsement" in r.text
    r = api.post("/states/FRA/roots", fra, json={**body, "endorsement": trust.sign(old, message)})
    assert r.status_code == 201, r.text
    assert StateKey.objects.get(key_id=old_id).revoked_at is not None
    # Keys are certified by the new root from now on, and the log verifies.
    api.__dict__["roots"]["FRA"] = (new, "FRA-root-2")
    key = register_key(api, personas, "FRA", "FRA-2026-1")
    assert signed_post(api, fra, "/notifications", pln(), key, "FRA-2026-1").status_code == 201
    bundle_write(str(tmp_path / "b.jsonl"))
    report = verify(BundleSource(str(tmp_path / "b.jsonl")), vkey=log_signer().vkey())
    assert report.ok, report.problems
    assert any("root FRA-root-1 of FRA (retired)" in line for line in report.checked)
