"""A state's user signs in the browser (issue 22): Japan has a root; its submitter makes a
WebCrypto Ed25519 key in Chromium (non-extractable: the private half never leaves the browser),
Japan's key custodian certifies it with `hcoc key certify`, the submitter registers it and sends a
PLN from the pages. Then a check that shares no code with the project's verifier (a few lines of
`cryptography` and `hashlib`) verifies, from the log entry and Japan's published root alone, that
Japan's own key signed exactly the statement that was published."""

import base64
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from playwright.sync_api import expect
from support.browser import log_in, watch_csp
from support.ledger import give_root
from support.people import set_password

from hcoc.ledger import client, offline
from hcoc.notifications.models import Notification

pytestmark = pytest.mark.slow


def independent_check(entry_leaf: str, keys: list[dict], root_fingerprint: str) -> dict:
    """Verify the leaf's signature and the key's certificate from first principles: the formats
    of docs/formats.md, no project code. Returns the signed form."""
    leaf = json.loads(entry_leaf)
    sig, request = leaf["signature"], leaf["request"]
    by_id = {k["key_id"]: k for k in keys}
    key = by_id[sig["key_id"]]
    root = by_id[key["certified_by"]]
    root_raw = base64.b64decode(root["public_key"])
    assert hashlib.sha256(root_raw).hexdigest() == root_fingerprint  # the root Japan confirmed
    # The root certified the browser key: "hcoc-credential/v1\n" + RFC 8785 of the statement.
    statement = {k: key[k] for k in ("state", "key_id", "kind", "public_key", "user")}
    Ed25519PublicKey.from_public_bytes(root_raw).verify(
        base64.b64decode(key["certificate"]),
        b"hcoc-credential/v1\n" + rfc8785.dumps(statement),
    )
    # The browser key signed the request: its form fields as RFC 8785 JSON, hashed.
    digest = hashlib.sha256(rfc8785.dumps(request["body"])).hexdigest()
    message = f"hcoc-request/v1\nPOST {request['path']}\n{sig['created']}\n{digest}\n".encode()
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"])).verify(
        base64.b64decode(sig["sig"]), message
    )
    return request["body"]


def test_a_pln_sent_from_the_pages_is_signed_by_the_users_own_browser_key(
    chromium, live_server, api, personas, tmp_path, capsys
):
    root, root_id = give_root(api, personas, "JPN")
    root_file = tmp_path / "jpn-root.pem"
    client.private_key_save(root, root_file)
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    try:
        page = watch_csp(context.new_page())
        log_in(page, "jpn_submitter", set_password("jpn_submitter"))
        # Japan signs everything: unsigned, the page says what to do.
        page.goto("/account")
        expect(page.get_by_text("set up signing in this browser before")).to_be_visible()
        page.goto("/log/signing")
        page.get_by_role("button", name="Make a signing key in this browser").click()
        expect(page.locator("#signing-status")).to_contain_text("is kept in this browser")
        request = json.loads(page.locator("#signing-request").input_value())
        assert request["user"] == "jpn_submitter" and request["kind"] == "browser"
        # The custodian certifies it offline with the root.
        request_file = tmp_path / "request.json"
        request_file.write_text(json.dumps(request))
        capsys.readouterr()
        argv = ["key", "certify", "--root", str(root_file), "--root-id", root_id]
        assert offline.main([*argv, "--request", str(request_file)]) == 0
        certified = capsys.readouterr().out
        page.locator("#id_certified").fill(certified)
        page.get_by_role("button", name="Register the key").click()
        expect(page.get_by_text("is registered")).to_be_visible()

        page.goto("/notifications/new")
        page.locator("#area_mode_site").check()
        page.locator("#id_site_id").fill("JPN-TANEGASHIMA")
        opens = datetime.now(UTC) + timedelta(days=4)
        page.locator("#id_window_opens").fill(opens.strftime("%Y-%m-%dT%H:%M"))
        page.locator("#id_window_closes").fill(
            (opens + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
        )
        page.locator("#id_category").select_option("SLV")
        page.locator("#id_generic_class").select_option("SLV-medium")
        page.locator("#direction_mode_azimuth").check()
        page.locator("#id_azimuth_deg").fill("100")
        page.get_by_role("button", name="Review before sending").click()
        try:
            expect(page.get_by_role("button", name="Confirm and send")).to_have_count(1)
        except AssertionError:
            raise AssertionError(page.locator("main, body").first.inner_text()[:1500]) from None
        page.get_by_role("button", name="Confirm and send").click()
        expect(page).to_have_url(re.compile(r"/notifications/JPN-"))
        assert page.csp_violations == [], page.csp_violations
    finally:
        context.close()
    n = Notification.objects.get()
    # What every state reads: the entry (over the API) and the keys the log recorded.
    seq = n.versions.get().seq
    entries = api.get("/log/entries?start=0&end=99", personas["fra_reader"]).json()["entries"]
    leaf = next(e["leaf"] for e in entries if e["seq"] == seq)
    # The keys as the log recorded them (their registrations carry the root's certificates).
    registered = [json.loads(e["leaf"]) for e in entries]
    keys = [r["key"] for r in registered if r["type"] == "key.registered"]
    # The fingerprint Japan confirmed out of band, from its own root file.
    fingerprint = hashlib.sha256(
        root.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    ).hexdigest()
    signed = independent_check(leaf, keys, fingerprint)
    # What Japan's key signed is the statement every state received.
    published = json.loads(leaf)["event"]["payload"]
    statement = json.loads(signed["payload"][0])
    for field in ("window", "launch_area", "planned_direction", "generic_class"):
        assert statement[field] == published[field], field
