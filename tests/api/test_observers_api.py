"""Observer invitations through the published API: issue, reply, confirm, withdraw; the access
rules (a restricted invitation is invisible to the states it does not name); the feed, which
carries only a commitment for a restricted invitation (docs/decisions/0003)."""

import hashlib
from datetime import UTC, date, datetime, time, timedelta

import rfc8785
import time_machine
from support.bodies import invitation
from support.stored import stored

from hcoc.exchange.models import Event
from hcoc.observers.models import Invitation

PROBLEM_JSON = "application/problem+json"
# The issued part of a restricted invitation that its commitment covers, as documented (docs/api.md,
# "Restricted invitations"; docs/decisions/0003), not as the code happens to define it.
ISSUED_FIELDS = (
    "reference",
    "state",
    "site_id",
    "site_name",
    "opens",
    "closes",
    "access",
    "audience",
    "named_states",
    "places",
    "reply_by",
    "remarks",
    "issued_at",
    "entered_by_icc",
)


def restricted(**overrides) -> dict:
    return invitation(**{"audience": "named", "named_states": ["JPN"], **overrides})


def problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    return r.json()


def fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def issue(api, who, body) -> dict:
    r = api.post("/invitations", who, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_an_invitation_open_to_all_enters_the_feed_with_its_details(api, personas):
    fra, jpn = personas["fra_submitter"], personas["jpn_reader"]
    inv = issue(api, fra, invitation())
    assert inv["reference"] == f"FRA-INV-{datetime.now(UTC).year}-001"
    assert (inv["state"], inv["site_id"], inv["audience"], inv["status"]) == (
        "FRA",
        "FRA-KOUROU",
        "all",
        "open",
    )
    assert inv["salt"] is None and inv["commitment"] is None
    assert inv["places_left"] == 3
    feed = api.get("/feed", jpn).json()["items"]
    item = next(i for i in feed if i["kind"] == "invitation.issued")
    assert (item["state"], item["subject"], item["seq"]) == ("FRA", inv["reference"], inv["seq"])
    assert item["payload"]["site_id"] == "FRA-KOUROU"
    assert item["payload"]["access"] == inv["access"]
    assert api.get(f"/invitations/{inv['reference']}", jpn).json()["opens"] == inv["opens"]
    second = issue(api, fra, invitation())
    assert second["reference"].endswith("-002")


def test_invitations_restricted_to_named_states_are_invisible_to_others(api, personas):
    inv = issue(api, personas["fra_submitter"], restricted(remarks="Secret remarks"))
    ref = inv["reference"]
    for who in ("fra_submitter", "fra_reader", "jpn_submitter", "jpn_reader", "icc"):
        r = api.get(f"/invitations/{ref}", personas[who])
        assert r.status_code == 200, (who, r.text)
        assert r.json()["named_states"] == ["JPN"]
        listed = api.get("/invitations", personas[who]).json()["items"]
        assert [i["reference"] for i in listed] == [ref], who
    # A subscribing state it does not name: as if it did not exist.
    from hcoc.accounts.models import Role
    from hcoc.accounts.services import token_create, user_create

    user = user_create(username="deu", password=None, role=Role.SUBMITTER, state_iso3="DEU")
    _, raw = token_create(user=user, name="t")
    deu = {"Authorization": f"Bearer {raw}"}
    r = api.get(f"/invitations/{ref}", headers=deu)
    problem(r, 404)
    assert api.get("/invitations", headers=deu).json()["items"] == []
    assert api.get("/invitations?state=FRA", headers=deu).json()["items"] == []
    before = stored()
    problem(
        api.post(
            f"/invitations/{ref}/replies",
            headers=deu,
            json={"answer": "accept", "observers": ["X"]},
        ),
        404,
    )
    problem(api.post(f"/invitations/{ref}/confirmations", headers=deu, json={"state": "DEU"}), 404)
    assert stored() == before
    # An unknown reference answers the same, so nobody can probe for restricted ones.
    assert (
        api.get("/invitations/FRA-INV-2002-999", headers=deu)
        .json()["detail"]
        .startswith("No invitation")
    )
    # Non-subscribers and anonymous callers see nothing at all.
    problem(api.get(f"/invitations/{ref}", personas["prk_user"]), 403)
    problem(api.get(f"/invitations/{ref}"), 401)
    # The feed, which every subscriber reads, carries no detail of it.
    feed = api.get("/feed", headers=deu).json()["items"]
    item = next(i for i in feed if i["subject"] == ref)
    assert item["kind"] == "invitation.issued" and item["state"] == "FRA"
    assert set(item["payload"]) == {"reference", "audience", "commitment"}
    text = Event.objects.get(seq=item["seq"]).payload
    for secret in ("KOUROU", "JPN", "Secret remarks", inv["opens"], inv["access"], inv["salt"]):
        assert secret not in text


def test_an_addressee_can_check_the_commitment_published_in_the_feed(api, personas):
    inv = issue(api, personas["fra_submitter"], restricted())
    seen = api.get(f"/invitations/{inv['reference']}", personas["jpn_reader"]).json()
    issued = {k: seen[k] for k in ISSUED_FIELDS}
    digest = hashlib.sha256(rfc8785.dumps({"invitation": issued, "salt": seen["salt"]}))
    feed = api.get("/feed", personas["jpn_reader"]).json()["items"]
    item = next(i for i in feed if i["subject"] == inv["reference"])
    assert item["payload"]["commitment"] == "sha256:" + digest.hexdigest()
    assert len(bytes.fromhex(seen["salt"])) == 32
    # Any change to what was issued gives another commitment.
    issued["places"] += 1
    other = hashlib.sha256(rfc8785.dumps({"invitation": issued, "salt": seen["salt"]}))
    assert item["payload"]["commitment"] != "sha256:" + other.hexdigest()


def test_invited_states_reply_and_the_inviting_state_confirms(api, personas):
    inv = issue(api, personas["fra_submitter"], invitation())
    ref = inv["reference"]
    r = api.post(
        f"/invitations/{ref}/replies",
        personas["jpn_submitter"],
        json={"answer": "accept", "observers": ["A. Tanaka", " B. Sato "]},
    )
    assert r.status_code == 201, r.text
    assert [(x["state"], x["observers"]) for x in r.json()["replies"]] == [
        ("JPN", ["A. Tanaka", "B. Sato"])
    ]
    r = api.post(
        f"/invitations/{ref}/replies",
        personas["icc"],
        json={"answer": "decline", "on_behalf_of": "USA"},
    )
    assert r.status_code == 201, r.text
    # The inviter sees every reply; another state only its own, and the counts.
    mine = api.get(f"/invitations/{ref}", personas["fra_reader"]).json()
    assert {(x["state"], x["answer"], x["entered_by_icc"]) for x in mine["replies"]} == {
        ("JPN", "accept", False),
        ("USA", "decline", True),
    }
    theirs = api.get(f"/invitations/{ref}", personas["jpn_reader"]).json()
    assert [x["state"] for x in theirs["replies"]] == ["JPN"]
    assert (theirs["accepted"], theirs["declined"]) == (1, 1)
    # Only the inviter confirms.
    before = stored()
    problem(
        api.post(
            f"/invitations/{ref}/confirmations", personas["jpn_submitter"], json={"state": "JPN"}
        ),
        403,
    )
    problem(
        api.post(
            f"/invitations/{ref}/confirmations", personas["fra_reader"], json={"state": "JPN"}
        ),
        403,
    )
    r = api.post(
        f"/invitations/{ref}/confirmations", personas["fra_submitter"], json={"state": "USA"}
    )
    assert "state" in fields(r) and r.status_code == 422
    assert stored() == before
    r = api.post(
        f"/invitations/{ref}/confirmations", personas["fra_submitter"], json={"state": "JPN"}
    )
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["confirmed_places"], out["places_left"]) == (2, 1)
    assert next(x for x in out["replies"] if x["state"] == "JPN")["confirmed_at"]
    problem(
        api.post(
            f"/invitations/{ref}/confirmations", personas["fra_submitter"], json={"state": "JPN"}
        ),
        409,
    )
    # A confirmed reply stands: Japan cannot change it any more.
    problem(
        api.post(
            f"/invitations/{ref}/replies", personas["jpn_submitter"], json={"answer": "decline"}
        ),
        409,
    )


def test_places_are_never_over_confirmed(api, personas):
    ref = issue(api, personas["fra_submitter"], invitation(places=2))["reference"]
    for who, on_behalf, names in (
        ("jpn_submitter", None, ["A", "B"]),
        ("icc", "USA", ["C"]),
    ):
        body = {"answer": "accept", "observers": names}
        if on_behalf:
            body["on_behalf_of"] = on_behalf
        assert api.post(f"/invitations/{ref}/replies", personas[who], json=body).status_code == 201
    fra = personas["fra_submitter"]
    assert (
        api.post(f"/invitations/{ref}/confirmations", fra, json={"state": "JPN"}).status_code == 201
    )
    before = stored()
    body = problem(api.post(f"/invitations/{ref}/confirmations", fra, json={"state": "USA"}), 409)
    assert "0 of 2 places are left" in body["detail"]
    assert stored() == before


def test_a_state_may_change_its_reply_until_reply_by_and_the_history_is_kept(api, personas):
    inv = issue(api, personas["fra_submitter"], invitation())
    ref, jpn = inv["reference"], personas["jpn_submitter"]
    assert (
        api.post(f"/invitations/{ref}/replies", jpn, json={"answer": "decline"}).status_code == 201
    )
    last_day = date.fromisoformat(inv["reply_by"])
    with time_machine.travel(datetime.combine(last_day, time(23, 0), tzinfo=UTC), tick=True):
        r = api.post(
            f"/invitations/{ref}/replies", jpn, json={"answer": "accept", "observers": ["A"]}
        )
        assert r.status_code == 201, r.text
    with time_machine.travel(
        datetime.combine(last_day + timedelta(days=1), time(0, 1), tzinfo=UTC), tick=True
    ):
        before = stored()
        body = problem(
            api.post(f"/invitations/{ref}/replies", jpn, json={"answer": "decline"}), 409
        )
        assert "closed" in body["detail"]
        assert stored() == before
    current = api.get(f"/invitations/{ref}", personas["jpn_reader"]).json()
    assert [(x["answer"], x["superseded_at"]) for x in current["replies"]] == [("accept", None)]
    history = api.get(f"/invitations/{ref}?history=true", personas["jpn_reader"]).json()
    assert [x["answer"] for x in history["replies"]] == ["decline", "accept"]
    assert history["replies"][0]["superseded_at"] is not None


def test_the_inviting_state_cannot_reply_to_its_own_invitation(api, personas):
    ref = issue(api, personas["fra_submitter"], invitation())["reference"]
    before = stored()
    problem(
        api.post(
            f"/invitations/{ref}/replies", personas["fra_submitter"], json={"answer": "decline"}
        ),
        403,
    )
    problem(
        api.post(f"/invitations/{ref}/replies", personas["jpn_reader"], json={"answer": "decline"}),
        403,
    )
    r = api.post(
        f"/invitations/{ref}/replies",
        personas["icc"],
        json={"answer": "decline", "on_behalf_of": "FRA"},
    )
    assert problem(r, 422) and "on_behalf_of" in fields(r)
    assert stored() == before


def test_a_bad_invitation_is_refused_with_every_field_named_and_nothing_stored(api, personas):
    today = datetime.now(UTC).date()
    before = stored()
    r = api.post(
        "/invitations",
        personas["fra_submitter"],
        json=invitation(
            site_id="ZZZ-NOWHERE",
            opens=(today - timedelta(days=1)).isoformat(),
            closes=(today - timedelta(days=3)).isoformat(),
            reply_by=(today + timedelta(days=1)).isoformat(),
            audience="named",
            named_states=["PRK", "JPN", "JPN", "XXX"],
            places=0,
            access="",
            extra="no",
        ),
    )
    problem(r, 422)
    assert fields(r) >= {
        "site_id",
        "opens",
        "closes",
        "reply_by",
        "named_states[0]",
        "named_states[2]",
        "named_states[3]",
        "places",
        "access",
        "extra",
    }
    r = api.post("/invitations", personas["fra_submitter"], json=invitation(named_states=["JPN"]))
    assert problem(r, 422) and fields(r) == {"named_states"}
    r = api.post("/invitations", personas["fra_submitter"], json=invitation(audience="named"))
    assert problem(r, 422) and fields(r) == {"named_states"}
    r = api.post("/invitations", personas["fra_submitter"], json=invitation(opens="2026-13-01"))
    assert problem(r, 422) and "opens" in fields(r)
    # The site must be the inviting state's own, and it cannot name itself.
    r = api.post(
        "/invitations",
        personas["fra_submitter"],
        json=restricted(site_id="JPN-KII", named_states=["JPN", "FRA"]),
    )
    assert problem(r, 422) and fields(r) == {"site_id", "named_states[1]"}
    assert stored() == before


def test_a_bad_reply_is_refused_with_its_field_named(api, personas):
    ref = issue(api, personas["fra_submitter"], invitation(places=2))["reference"]
    jpn = personas["jpn_submitter"]
    before = stored()
    for body, field in (
        ({"answer": "accept"}, "observers"),
        ({"answer": "accept", "observers": ["A", "  "]}, "observers[1]"),
        ({"answer": "decline", "observers": ["A"]}, "observers"),
        ({"answer": "accept", "observers": ["A", "B", "C"]}, "observers"),
        ({"answer": "maybe"}, "answer"),
        ({"answer": "decline", "on_behalf_of": "USA"}, None),
    ):
        r = api.post(f"/invitations/{ref}/replies", jpn, json=body)
        if field is None:
            problem(r, 403)  # a state never replies for another
        else:
            problem(r, 422)
            assert field in fields(r), (body, r.text)
    assert stored() == before


def test_a_withdrawn_invitation_takes_no_more_replies(api, personas):
    ref = issue(api, personas["fra_submitter"], invitation())["reference"]
    problem(api.post(f"/invitations/{ref}/withdraw", personas["jpn_submitter"], json={}), 403)
    r = api.post(
        f"/invitations/{ref}/withdraw", personas["fra_submitter"], json={"reason": "Launch moved."}
    )
    assert r.status_code == 201 and r.json()["status"] == "withdrawn"
    problem(api.post(f"/invitations/{ref}/withdraw", personas["fra_submitter"], json={}), 409)
    problem(
        api.post(
            f"/invitations/{ref}/replies", personas["jpn_submitter"], json={"answer": "decline"}
        ),
        409,
    )


def test_the_icc_issues_an_invitation_on_a_states_behalf(api, personas):
    r = api.post("/invitations", personas["icc"], json=invitation())
    assert problem(r, 422) and "on_behalf_of" in fields(r)
    inv = issue(api, personas["icc"], invitation(site_id="JPN-KII", on_behalf_of="JPN"))
    assert (inv["state"], inv["entered_by_icc"]) == ("JPN", True)
    assert inv["reference"].startswith("JPN-INV-")


def test_invitations_are_listed_by_the_year_they_open_and_by_state(api, personas):
    fra = issue(api, personas["fra_submitter"], invitation())
    jpn = issue(api, personas["jpn_submitter"], invitation(site_id="JPN-KII"))
    reader = personas["fra_reader"]
    year = date.fromisoformat(fra["opens"]).year
    assert {
        i["reference"] for i in api.get(f"/invitations?year={year}", reader).json()["items"]
    } >= {
        fra["reference"],
        jpn["reference"],
    }
    assert api.get(f"/invitations?year={year - 5}", reader).json()["items"] == []
    assert [i["reference"] for i in api.get("/invitations?state=JPN", reader).json()["items"]] == [
        jpn["reference"]
    ]
    page = api.get("/invitations?limit=1", reader).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = api.get(f"/invitations?limit=1&cursor={page['next_cursor']}", reader).json()
    assert rest["items"][0]["reference"] != page["items"][0]["reference"]


def test_issuing_twice_with_one_idempotency_key_creates_one_invitation(api, personas):
    body, key = invitation(), {"Idempotency-Key": "inv-1"}
    first = api.post("/invitations", personas["fra_submitter"], json=body, headers=key)
    again = api.post("/invitations", personas["fra_submitter"], json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["reference"] == again.json()["reference"]
    assert Invitation.objects.count() == 1


def test_a_reader_or_a_non_subscriber_is_refused_before_the_body_is_checked(api, personas):
    before = stored()
    for who in ("fra_reader", "prk_user"):
        problem(api.post("/invitations", personas[who], json=invitation(site_id="ZZZ")), 403)
    problem(api.post("/invitations", json=invitation()), 401)
    assert stored() == before
