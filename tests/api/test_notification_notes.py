"""A state's own reference (its note number) and an amendment's reason (docs/formats.md, "Additions"):
optional, kept with their version, published in the read model and the feed only when given, so
a notification without them reads, and was published, exactly as before they existed."""

import pytest
from support.bodies import pln
from support.stored import nothing_stored

from hcoc.exchange.models import Event
from hcoc.ledger.keys import log_signer
from hcoc.ledger.verifier import HttpSource, verify

# Every key of a PLN's read model before national references and reasons existed.
READ_MODEL_KEYS = {
    "reference", "state", "version", "status", "submitted_at", "first_submitted_at",
    "lead_time_hours", "late", "entered_by_icc", "imported", "import_source", "prior_notice",
    "unnotified_reason", "category", "generic_class", "vehicle_name", "test_flight", "window",
    "launch_area", "planned_direction", "impact_areas", "range_km", "apogee_km", "remarks",
    "launch_report", "cancellation", "seq", "corridor", "affected_states", "flags",
}  # fmt: skip


def read_model(r) -> dict:
    """The answer's read model, without the log's receipts the ledger adds to every write."""
    assert r.status_code == 201, r.text
    return {k: v for k, v in r.json().items() if k != "receipts"}


def submit(api, who, **overrides) -> dict:
    return read_model(api.post("/notifications", who, json=pln(**overrides)))


def test_the_national_reference_and_the_amendment_reason_travel_with_their_version(api, personas):
    fra, jpn = personas["fra_submitter"], personas["jpn_reader"]
    first = submit(api, fra, national_reference="  Note 2026/118 ")
    assert first["national_reference"] == "Note 2026/118"
    assert "amendment_reason" not in first
    ref = first["reference"]
    r = api.post(
        f"/notifications/{ref}/amendments",
        fra,
        json={
            **pln(vehicle_name="Vega C"),
            "national_reference": "Note 2026/131",
            "reason": " Weather. ",
        },
    )
    amended = read_model(r)
    assert (amended["national_reference"], amended["amendment_reason"]) == (
        "Note 2026/131",
        "Weather.",
    )
    assert api.get(f"/notifications/{ref}", jpn).json() == {**amended, "status": "notified"}
    versions = api.get(f"/notifications/{ref}/versions", jpn).json()
    assert [(v.get("national_reference"), v.get("reason")) for v in versions] == [
        ("Note 2026/118", None),
        ("Note 2026/131", "Weather."),
    ]
    # The content stays the published PLN body: the notes sit beside it.
    assert "national_reference" not in versions[1]["content"]
    feed = api.get("/feed", jpn).json()["items"]
    assert feed[0]["payload"]["national_reference"] == "Note 2026/118"
    assert feed[1]["payload"]["national_reference"] == "Note 2026/131"
    assert feed[1]["payload"]["amendment_reason"] == "Weather."
    listed = api.get("/notifications", jpn).json()["items"]
    assert listed[0]["amendment_reason"] == "Weather."


def test_an_amendment_without_notes_carries_none_of_the_earlier_ones(api, personas):
    fra = personas["fra_submitter"]
    first = submit(api, fra, national_reference="Note 1")
    r = api.post(f"/notifications/{first['reference']}/amendments", fra, json=pln(remarks="again"))
    assert "national_reference" not in read_model(r) and "amendment_reason" not in read_model(r)


def test_a_blank_national_reference_is_none(api, personas):
    made = submit(api, personas["fra_submitter"], national_reference="   ")
    assert "national_reference" not in made


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("new", pln(national_reference=118), "national_reference"),
        ("new", pln(national_reference="x" * 101), "national_reference"),
        ("new", pln(national_reference=["Note 1"]), "national_reference"),
        ("new", pln(reason="A new one needs no reason."), "reason"),
        ("amend", pln(national_reference="x" * 101), "national_reference"),
        ("amend", {**pln(), "reason": 5}, "reason"),
        ("amend", {**pln(), "reason": "x" * 4001}, "reason"),
        ("amend", {**pln(), "reason": {"why": "weather"}}, "reason"),
    ],
)
def test_a_bad_reference_or_reason_is_refused_naming_the_field_and_nothing_is_stored(
    api, personas, path, body, field
):
    fra = personas["fra_submitter"]
    url = "/notifications"
    if path == "amend":
        url = f"/notifications/{submit(api, fra)['reference']}/amendments"
    with nothing_stored():
        r = api.post(url, fra, json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in r.json()["errors"]] == [field], r.json()


def test_a_notification_without_notes_is_published_as_before_and_the_log_still_verifies(
    api, personas, live_server
):
    fra, jpn = personas["fra_submitter"], personas["jpn_reader"]
    plain = submit(api, fra)
    assert set(plain) == READ_MODEL_KEYS
    published = Event.objects.get(seq=plain["seq"]).payload
    assert set(api.get("/feed", jpn).json()["items"][0]["payload"]) == READ_MODEL_KEYS
    noted = submit(api, fra, national_reference="Note 7")
    r = api.post(
        f"/notifications/{noted['reference']}/amendments",
        fra,
        json={**pln(), "national_reference": "Note 8", "reason": "Later window."},
    )
    assert r.status_code == 201, r.text
    r = api.post(f"/notifications/{plain['reference']}/cancellation", fra, json={"reason": "No."})
    assert set(read_model(r)) == READ_MODEL_KEYS
    assert Event.objects.get(seq=plain["seq"]).payload == published
    report = verify(HttpSource(live_server.url, jpn.token), vkey=log_signer().vkey())
    assert report.ok, report.problems
