"""The relay cannot act as a state (issue 22): tried as the ICC and as whoever runs the server
would try it. Each way ends refused, or, where the operator writes the database itself, with
`hcoc verify` failing and naming the entry "not signed by <state>"."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction
from support.bodies import pln
from support.ledger import give_root, register_key, signed_post
from support.people import Persona, web_client
from support.stored import stored

from hcoc.accounts.models import Role, User
from hcoc.accounts.services import token_create, user_create
from hcoc.exchange.management.commands.export_bundle import bundle_write
from hcoc.ledger import client, services, trust
from hcoc.ledger.keys import log_signer
from hcoc.ledger.models import KeyKind, LeafType, StateKey
from hcoc.ledger.verifier import BundleSource, verify
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit


def problems(tmp_path, **kw) -> list[str]:
    path = tmp_path / "bundle.jsonl"
    bundle_write(str(path))
    return verify(BundleSource(str(path)), vkey=log_signer().vkey(), **kw).problems


def ghost(state: str) -> Persona:
    """A user the ICC (or the server's operator) made for `state`, with a token of its own."""
    user = user_create(
        username=f"{state.lower()}_ghost", password=None, role=Role.SUBMITTER, state_iso3=state
    )
    _, raw = token_create(user=user, name="ghost")
    return Persona(user.username, user.username, raw, state, Role.SUBMITTER)


def forge_key(key_id: str, kind: str, public: bytes, *, actor, **fields) -> StateKey:
    """A key and its registration leaf written straight into the database, as the server's
    operator can: no root's certificate, no service's checks."""
    with transaction.atomic():
        now = services.sequence_lock()
        key = StateKey(
            key_id=key_id,
            state_id=key_id[:3],
            kind=kind,
            public_key=public,
            valid_from=now,
            registered_index=0,
            **fields,
        )
        entry = services._key_leaf(
            key, actor=actor, type=LeafType.KEY_REGISTERED, now=now, extra={}
        )
        key.registered_index = entry.index
        key.save()
    return key


def test_a_user_of_the_relays_making_cannot_act_for_a_state_with_a_root(api, personas):
    register_key(api, personas, "FRA", "FRA-2026-1")
    fra_ghost = ghost("FRA")
    before = stored()
    r = api.post("/notifications", fra_ghost, json=pln())
    assert r.status_code == 401 and "sign every request" in r.text
    # Signed with a key of its own making: not a key France's root certified.
    key, _ = client.key_generate()
    assert (
        signed_post(api, fra_ghost, "/notifications", pln(), key, "FRA-ghost-1").status_code == 401
    )
    assert stored() == before


def test_the_icc_cannot_register_or_revoke_a_states_key_nor_give_it_a_root(api, personas):
    root, root_id = give_root(api, personas, "FRA")
    key, public = client.key_generate()
    fra_ghost = ghost("FRA")
    before = stored()
    body = {
        "key_id": "FRA-icc-1",
        "public_key": public,
        "certified_by": root_id,
        "certificate": client.b64(bytes(64)),
    }
    assert api.post("/states/FRA/keys", personas["icc"], json=body).status_code == 403
    # Its ghost user can ask, but has no certificate France's root made.
    assert api.post("/states/FRA/keys", fra_ghost, json=body).status_code == 422
    assert (
        api.post(
            "/states/FRA/keys/FRA-root-1/revoke",
            personas["icc"],
            json={"reason": "x", "revoked_by": root_id, "revocation": client.b64(bytes(64))},
        ).status_code
        == 403
    )
    # A new root, for a state that has one, needs the current root's endorsement.
    other = Ed25519PrivateKey.generate()
    statement = trust.credential(
        state="FRA", key_id="FRA-root-2", kind="root", public_key=trust.public_bytes(other)
    )
    new_root = {
        "key_id": "FRA-root-2",
        "public_key": client.b64(trust.public_bytes(other)),
        "proof": trust.sign(other, trust.credential_message(statement)),
    }
    assert api.post("/states/FRA/roots", personas["icc"], json=new_root).status_code == 403
    r = api.post("/states/JPN/roots", personas["icc"], json=new_root)
    assert r.status_code == 403
    r = api.post("/states/FRA/roots", fra_ghost, json=new_root)
    assert r.status_code == 422 and "endorsed_by" in r.text
    assert stored() == before
    assert StateKey.objects.filter(state_id="FRA").count() == 1


def test_an_act_the_operator_writes_into_the_database_fails_verification_naming_it(
    api, personas, tmp_path, monkeypatch
):
    """Whoever runs the server can write its database: here, code patched to skip the rule
    (what an operator with the database can do anyway) publishes a notification in France's
    name. Every verifier names it."""
    key = register_key(api, personas, "FRA", "FRA-2026-1")
    ok = signed_post(api, personas["fra_submitter"], "/notifications", pln(), key, "FRA-2026-1")
    assert ok.status_code == 201
    assert problems(tmp_path) == []
    monkeypatch.setattr(services, "_signature_for", lambda leaf, rooted: ("", None))
    forged = notification_submit(
        actor=User.objects.get(username="fra_submitter"),
        data=PLNIn.model_validate(pln(remarks="forged")),
    )
    found = problems(tmp_path)
    assert any("not signed by FRA" in p and "carries no signature" in p for p in found), found
    # And the notification's page says so to every reader.
    monkeypatch.undo()
    page = web_client("jpn_reader").get(f"/notifications/{forged.reference}").content.decode()
    assert "NOT verified" in page and "not signed by France" in page


def test_a_key_or_a_root_the_operator_writes_into_the_database_fails_verification(
    api, personas, tmp_path
):
    give_root(api, personas, "FRA")
    fra = User.objects.get(username="fra_submitter")
    key, public = client.key_generate()
    forge_key("FRA-forged-1", KeyKind.STATE, client.unb64(public), actor=fra)
    other = Ed25519PrivateKey.generate()
    statement = trust.credential(
        state="FRA", key_id="FRA-root-9", kind="root", public_key=trust.public_bytes(other)
    )
    proof = trust.sign(other, trust.credential_message(statement))
    forge_key("FRA-root-9", KeyKind.ROOT, trust.public_bytes(other), actor=fra, proof=proof)
    found = problems(tmp_path)
    assert any("key FRA-forged-1 of FRA is not certified by FRA's root" in p for p in found), found
    assert any(
        "a new root FRA-root-9 for FRA, not endorsed by its root FRA-root-1" in p for p in found
    ), found


def test_a_states_own_run_pins_its_root_and_fails_on_any_other(api, personas, tmp_path):
    root, _ = give_root(api, personas, "FRA")
    mine = trust.fingerprint_normal(trust.fingerprint(trust.public_bytes(root)))
    assert problems(tmp_path, roots={"FRA": mine}) == []
    wrong = trust.fingerprint_normal(trust.fingerprint(bytes(32)))
    found = problems(tmp_path, roots={"FRA": wrong})
    assert any(
        "FRA's root FRA-root-1 has the fingerprint" in p and "not the pinned one" in p
        for p in found
    )
    found = problems(tmp_path, roots={"JPN": wrong})
    assert found == ["JPN's pinned root is not in the log"]


@pytest.mark.parametrize("fingerprint", ["00" * 31, "zz" * 32])
def test_a_malformed_pin_is_refused_by_the_command(fingerprint, capsys):
    from hcoc.ledger import offline

    with pytest.raises(SystemExit) as e:
        offline.main(["verify", "--bundle", "x", "--root", f"FRA={fingerprint}"])
    assert "64 hexadecimal digits" in str(e.value)


def test_what_a_custodial_key_signed_counts_as_not_signed_by_the_state(
    api, personas, tmp_path, monkeypatch
):
    """Custodial keys (the exchange signing for a state's people, before roots) are no longer
    made; one left from before signs nothing a verifier counts as the state's."""
    from hcoc.ledger.client import custodial_message

    give_root(api, personas, "FRA")
    private = Ed25519PrivateKey.generate()
    # a custodial key as the exchange made them before issue 22
    icc = User.objects.get(username="icc")
    old = forge_key("FRA-custodial-1", KeyKind.CUSTODIAL, trust.public_bytes(private), actor=icc)

    def custodial(leaf, rooted):  # what leaf_append did for a state that had opted in
        sig = private.sign(custodial_message(leaf))
        return old.key_id, {"kind": "custodial", "key_id": old.key_id, "sig": client.b64(sig)}

    monkeypatch.setattr(services, "_signature_for", custodial)
    notification_submit(
        actor=User.objects.get(username="fra_submitter"), data=PLNIn.model_validate(pln())
    )
    found = problems(tmp_path)
    assert any("not signed by FRA" in p and "(custodial)" in p for p in found), found
    # The exchange offers no way to make one any more.
    assert api.post("/states/JPN/custodial-key", personas["jpn_submitter"]).status_code == 404
