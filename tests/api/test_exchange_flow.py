"""The exchange as states use it, through the published API over HTTP."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import rfc8785
import time_machine
from support.bodies import declaration, iso, pln

from hcoc.exchange.models import Event


def submit(api, who, **overrides) -> dict:
    r = api.post("/notifications", who, json=pln(**overrides))
    assert r.status_code == 201, r.text
    return r.json()


def window(start: datetime, hours: int = 6) -> dict:
    return {"opens": iso(start), "closes": iso(start + timedelta(hours=hours))}


def test_an_amendment_is_a_new_version_of_the_same_reference_and_all_versions_stay_readable(
    api, personas
):
    fra = personas["fra_submitter"]
    first = submit(api, fra)
    r = api.post(
        f"/notifications/{first['reference']}/amendments", fra, json=pln(vehicle_name="Vega C")
    )
    assert r.status_code == 201
    amended = r.json()
    assert (amended["reference"], amended["version"]) == (first["reference"], 2)
    assert amended["first_submitted_at"] == first["first_submitted_at"]
    versions = api.get(
        f"/notifications/{first['reference']}/versions", personas["jpn_reader"]
    ).json()
    assert [v["content"]["vehicle_name"] for v in versions] == ["Ariane 6", "Vega C"]
    feed = api.get("/feed", personas["jpn_reader"]).json()["items"]
    assert [(i["kind"], i["version"]) for i in feed] == [
        ("notification.submitted", 1),
        ("notification.amended", 2),
    ]
    assert feed[1]["payload"]["vehicle_name"] == "Vega C"


def test_a_window_that_closes_without_a_report_becomes_unreported_and_a_late_report_still_lands(
    api, personas
):
    fra = personas["fra_submitter"]
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    n = submit(api, fra, window=window(start))
    assert n["status"] == "notified" and n["lead_time_hours"] > 23 and n["late"] is False
    with time_machine.travel(start + timedelta(days=2), tick=True):
        got = api.get(f"/notifications/{n['reference']}", personas["jpn_reader"]).json()
        assert got["status"] == "unreported"
        listed = api.get(
            "/notifications", personas["jpn_reader"], params={"status": "unreported"}
        ).json()
        assert [i["reference"] for i in listed["items"]] == [n["reference"]]
        assert (
            api.get("/notifications", personas["jpn_reader"], params={"status": "notified"}).json()[
                "items"
            ]
            == []
        )
        r = api.post(
            f"/notifications/{n['reference']}/launch-report",
            fra,
            json={"launched_at": iso(start + timedelta(hours=7)), "outcome": "success"},
        )
        assert r.status_code == 201
        assert r.json()["status"] == "launched"
        assert r.json()["launch_report"]["outside_window"] is True


def test_the_icc_enters_a_notification_for_a_state_and_it_is_marked_so(api, personas):
    r = api.post("/notifications", personas["icc"], json=pln(on_behalf_of="FRA"))
    assert r.status_code == 201
    assert r.json()["reference"].startswith("FRA-") and r.json()["entered_by_icc"] is True


def test_a_declaration_is_crosschecked_against_the_states_reports_of_that_year(api, personas):
    icc, fra = personas["icc"], personas["fra_submitter"]
    year = datetime.now(UTC).year - 1

    def imported(month, generic_class, category, report):
        start = datetime(year, month, 10, 8, tzinfo=UTC)
        body = {
            "state": "FRA",
            "first_submitted_at": iso(start - timedelta(days=5)),
            "notification": pln(
                category=category,
                generic_class=generic_class,
                window=window(start),
                launch_area={"site_id": "FRA-BISCARROSSE" if category == "BM" else "FRA-KOUROU"},
            ),
            "launch_report": {"launched_at": iso(start + timedelta(hours=1)), "outcome": "success"}
            if report
            else None,
            "source": "test archive",
        }
        assert api.post("/imports/notifications", icc, json=body).status_code == 201

    imported(2, "SLV-medium", "SLV", True)
    imported(3, "SLV-medium", "SLV", True)
    imported(4, "SLV-medium", "SLV", True)
    imported(5, "SLBM", "BM", False)  # notified, never reported
    r = api.post(
        "/unnotified-launches",
        fra,
        json={
            "category": "BM",
            "generic_class": "SLBM",
            "launch_area": {
                "center": {"lat": 47.0, "lon": -5.0},
                "radius_km": 20,
                "description": "Bay of Biscay",
            },
            "planned_direction": {"azimuth_deg": 270.0},
            "launched_at": iso(datetime(year, 11, 2, 9, tzinfo=UTC)),
            "outcome": "success",
            "reason": "omission",
        },
    )
    assert (
        r.status_code == 201
        and r.json()["prior_notice"] is False
        and r.json()["status"] == "launched"
    )

    d = api.post("/declarations", fra, json=declaration(year))
    assert d.status_code == 201, d.text
    rows = {row["generic_class"]: row for row in d.json()["crosscheck"]}
    assert rows["SLBM"] == {
        "generic_class": "SLBM",
        "declared": 1,
        "reported": 1,
        "notified_only": 1,
        "difference": 0,
    }
    assert rows["SLV-medium"] == {
        "generic_class": "SLV-medium",
        "declared": 2,
        "reported": 3,
        "notified_only": 0,
        "difference": -1,
    }
    read = api.get(f"/declarations/FRA/{year}", personas["jpn_reader"]).json()
    assert read["crosscheck"] == d.json()["crosscheck"]


def test_a_nil_declaration_has_no_launches_and_its_crosscheck_shows_what_was_reported(
    api, personas
):
    year = datetime.now(UTC).year - 1
    r = api.post("/declarations", personas["jpn_submitter"], json={"year": year, "nil": True})
    assert r.status_code == 201
    assert r.json()["nil"] is True and r.json()["crosscheck"] == []
    listed = api.get("/declarations", personas["fra_reader"], params={"year": year}).json()["items"]
    assert [(i["state"], i["nil"]) for i in listed] == [("JPN", True)]


def test_the_inbox_holds_other_states_items_until_acknowledged_and_the_status_shows_who_has(
    api, personas
):
    a = submit(api, personas["fra_submitter"])
    submit(api, personas["jpn_submitter"])
    inbox = api.get("/inbox", personas["jpn_reader"]).json()
    assert [i["subject"] for i in inbox["items"]] == [a["reference"]]  # not its own item
    assert inbox["unacknowledged"] == 1
    r = api.post("/acknowledgements", personas["jpn_reader"], json={"seqs": [a["seq"]]})
    assert r.status_code == 201 and r.json()["acknowledged"] == 1
    assert api.get("/inbox", personas["jpn_reader"]).json()["items"] == []
    status = api.get("/acknowledgements", personas["fra_reader"], params={"seq": a["seq"]}).json()
    assert [e["state"] for e in status["acknowledged"]] == ["JPN"]
    assert "FRA" not in status["not_acknowledged"]  # a state does not owe receipt of its own item
    assert {"USA", "DEU", "GBR"} <= set(status["not_acknowledged"])
    again = api.post("/acknowledgements", personas["jpn_submitter"], json={"up_to": a["seq"]})
    assert (
        again.json()["acknowledged"] == 0
    )  # already acknowledged by Japan; the first record stays


def test_lists_page_by_cursor_and_filter_by_state_class_and_window(api, personas):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    for i in range(5):
        submit(api, personas["fra_submitter"], window=window(start + timedelta(days=i)))
    submit(api, personas["jpn_submitter"], launch_area={"site_id": "JPN-TANEGASHIMA"})
    seen, cursor = [], None
    for _ in range(10):  # five items two a page: three pages, bounded in case a cursor repeats
        params = {"state": "FRA", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/notifications", personas["jpn_reader"], params=params).json()
        seen += [i["reference"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    year = datetime.now(UTC).year  # references carry the year of first submission
    assert seen == [f"FRA-{year}-{n:04d}" for n in range(1, 6)]
    ranged = api.get(
        "/notifications",
        personas["jpn_reader"],
        params={
            "state": "FRA",
            "window_from": iso(start + timedelta(days=1)),
            "window_to": iso(start + timedelta(days=2, hours=1)),
        },
    ).json()
    assert len(ranged["items"]) == 2


def test_every_event_payload_is_stored_as_rfc8785_canonical_json(api, personas):
    submit(api, personas["fra_submitter"])
    api.post(
        "/declarations", personas["fra_submitter"], json=declaration(datetime.now(UTC).year - 1)
    )
    events = list(Event.objects.order_by("seq"))
    assert len(events) == 2
    for e in events:
        assert e.payload == rfc8785.dumps(json.loads(e.payload)).decode()


def test_the_openapi_document_and_docs_page_are_served_without_a_cdn(api, live_server):
    spec = api.get("/openapi.json").json()
    assert spec["info"]["title"] == "HCoC Exchange API"
    pln_schema = spec["components"]["schemas"]["PLNIn"]
    assert pln_schema["examples"][0]["generic_class"] == "ICBM"
    docs = api.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower() and "/static/ninja/swagger-ui-bundle.js" in docs.text
    asset = httpx.get(live_server.url + "/static/ninja/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000


def test_a_new_subscription_reaches_every_subscriber_in_the_feed(api, personas):
    r = api.post(
        "/states/CHN/subscription",
        personas["icc"],
        json={
            "note_reference": "Note 7/2026",
            "note_received_on": "2026-01-02",
            "effective_on": "2026-01-02",
        },
    )
    assert r.status_code == 201
    item = api.get("/feed", personas["jpn_reader"]).json()["items"][-1]
    assert item["kind"] == "registry.subscribed" and item["payload"]["iso3"] == "CHN"
    assert api.get("/states/CHN").json()["status"] == "subscribing"


def test_an_unknown_api_path_is_a_problem_document_not_an_html_page(api, personas):
    r = api.get("/no-such-thing", personas["jpn_reader"])
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["status"] == 404


def test_shape_problems_and_database_or_clock_problems_come_back_in_one_answer(api, personas):
    body = pln(
        range_km=0,
        launch_area={"site_id": "NOWHERE"},
        window={"opens": "2020-01-01T00:00:00Z", "closes": "2020-01-01T06:00:00Z"},
        impact_areas=[{"kind": "stage", "site_id": "ALSO-NOWHERE"}],
    )
    r = api.post("/notifications", personas["fra_submitter"], json=body)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"range_km", "launch_area.site_id", "impact_areas[0].site_id", "window.closes"}
    d = api.post(
        "/declarations",
        personas["fra_submitter"],
        json=declaration(
            2001, space_launch_vehicles={"launches": [{"generic_class": "SLBM", "count": -1}]}
        ),
    )
    assert {e["field"] for e in d.json()["errors"]} == {
        "year",
        "space_launch_vehicles.launches[0].generic_class",
        "space_launch_vehicles.launches[0].count",
    }


def test_acknowledging_up_to_a_long_history_works_across_chunks_and_skips_what_is_done(
    api, personas, monkeypatch
):
    from hcoc.exchange import services

    monkeypatch.setattr(services, "ACK_CHUNK", 3)
    refs = [submit(api, personas["fra_submitter"])["seq"] for _ in range(7)]
    own = submit(api, personas["jpn_submitter"])["seq"]
    jpn = personas["jpn_reader"]
    assert (
        api.post("/acknowledgements", jpn, json={"seqs": [refs[1], own]}).json()["acknowledged"]
        == 2
    )
    assert api.get("/inbox", jpn).json()["unacknowledged"] == 6  # its own item never counted
    r = api.post("/acknowledgements", jpn, json={"up_to": own})
    assert r.json()["acknowledged"] == 6  # seqs 1..8 less the two already acknowledged
    inbox = api.get("/inbox", jpn).json()
    assert inbox["items"] == [] and inbox["unacknowledged"] == 0
