"""The HCoC-Signature header means one thing only: each of keyid, created and sig exactly once,
in one header. Before (issue 22), a repeated parameter was accepted with the last one winning
(`keyid=A; keyid=B`), and two headers, which every server joins with a comma, passed when the
first ended in a parameter of no meaning."""

import json

import pytest
from support.bodies import pln
from support.ledger import register_key
from support.stored import stored

from hcoc.ledger import client

GOOD = "keyid=FRA-2026-1; created=1795813625; sig=" + client.b64(bytes(64))


def test_a_well_formed_header_parses_in_any_order_with_any_spaces():
    parsed = client.signature_parse(" sig=" + client.b64(bytes(64)) + ";created=1 ;keyid=K-1")
    assert (parsed.key_id, parsed.created, parsed.sig) == ("K-1", 1, bytes(64))


@pytest.mark.parametrize(
    ("header", "said"),
    [
        ("keyid=A; " + GOOD, "keyid is given more than once"),
        (GOOD + "; created=1", "created is given more than once"),
        (GOOD + "; SIG=" + client.b64(bytes(64)), "sig is given more than once"),
        (GOOD + ", " + GOOD, "one HCoC-Signature header"),
        (GOOD + "; note=1, keyid=B", "one HCoC-Signature header"),
        (GOOD + "; note=1", "unknown parameter 'note'"),
    ],
)
def test_a_repeated_parameter_a_second_header_or_an_unknown_parameter_is_refused(header, said):
    with pytest.raises(ValueError, match=said):
        client.signature_parse(header)


def _signed(api, personas):
    key = register_key(api, personas, "FRA", "FRA-2026-1")
    raw = json.dumps(pln()).encode()
    header = client.sign_request(key, "FRA-2026-1", "POST", "/api/v1/notifications", raw)
    return raw, header["HCoC-Signature"]


def _post(api, personas, raw, *signature_headers):
    headers = [
        *personas["fra_submitter"].headers.items(),
        ("Content-Type", "application/json"),
        *(("HCoC-Signature", h) for h in signature_headers),
    ]
    return api.http.request("POST", "/notifications", content=raw, headers=headers)


def test_a_signature_whose_key_id_is_given_twice_is_refused_and_nothing_is_stored(api, personas):
    raw, header = _signed(api, personas)
    before = stored()
    r = _post(api, personas, raw, "keyid=JPN-0000-9; " + header)  # the last would have won
    assert r.status_code == 401, r.text
    assert "more than once" in r.json()["detail"]
    assert stored() == before


def test_two_signature_headers_are_refused_and_nothing_is_stored(api, personas):
    raw, header = _signed(api, personas)
    before = stored()
    r = _post(api, personas, raw, header + "; note=1", "keyid=FRA-2026-9")
    assert r.status_code == 401, r.text
    assert "one HCoC-Signature header" in r.json()["detail"]
    assert stored() == before
    # The same signature, sent alone, is accepted: it was not spent by the refusal.
    assert _post(api, personas, raw, header).status_code == 201
