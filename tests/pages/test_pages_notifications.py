"""The notification pages: list, the PLN form with drafts and confirmation, the notification's
page with its actions. They call the same services and access rules as the API, and show the
API's own messages."""

import json
import re
from datetime import UTC, datetime, timedelta
from html import escape, unescape

import pytest
from django.test import Client
from support.bodies import iso, pln, statement_bytes
from support.people import web_client
from support.review import review_fields

from hcoc.accounts.models import User
from hcoc.exchange.models import Acknowledgement, Event
from hcoc.exchange.services import acknowledgements_record
from hcoc.notifications.forms import PATH_LABELS
from hcoc.notifications.models import Notification, NotificationDraft
from hcoc.notifications.schemas import AmendmentIn, PLNIn
from hcoc.notifications.services import notification_amend, notification_submit
from hcoc.notifications.views import listing
from hcoc.ui.forms import sentence
from hcoc.ui.review import payload_text, review_token

pytestmark = pytest.mark.django_db


def login(personas, name: str, client: Client | None = None) -> Client:
    if client is None:
        return web_client(personas[name].username)
    client.force_login(User.objects.get(username=personas[name].username))
    return client


def submit(personas, who="fra_submitter", **overrides) -> Notification:
    user = User.objects.get(username=personas[who].username)
    return notification_submit(actor=user, data=PLNIn.model_validate(pln(**overrides)))


def local(dt: datetime) -> str:
    """What a browser's <input type=datetime-local> sends: UTC on this form, to the minute."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def form_data(**overrides) -> dict:
    """The PLN form as a person fills it in without JavaScript: a valid SLV notification."""
    now = datetime.now(UTC)
    data = {
        "area_mode": "site",
        "site_id": "FRA-KOUROU",
        "direction_mode": "azimuth",
        "azimuth_deg": "90",
        "window_opens": local(now + timedelta(days=3)),
        "window_closes": local(now + timedelta(days=3, hours=6)),
        "category": "SLV",
        "generic_class": "SLV-medium",
        "vehicle_name": "Ariane 6",
        "range_km": "3000",
        "apogee_km": "200",
        "remarks": "Test notification.",
        "impact_0_kind": "stage",
        "impact_0_lat": "10",
        "impact_0_lon": "-40",
        "impact_0_radius_km": "100",
    }
    data.update(overrides)
    return data


def hidden(html: str, name: str) -> str:
    m = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert m, f"no hidden {name}"
    return unescape(m.group(1))


def slot(html: str, name: str) -> str:
    m = re.search(
        rf'<div id="err-{re.escape(name)}" class="slot-errors"[^>]*>(.*?)</div>', html, re.S
    )
    assert m, f"no error slot {name}"
    return m.group(1)


def api_problems(client: Client, persona, body: dict) -> list[dict]:
    r = client.post(
        "/api/v1/notifications",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {persona.token}",
    )
    assert r.status_code == 422, r.content
    return r.json()["errors"]


def feed_subjects(client: Client, persona) -> list[str]:
    r = client.get("/api/v1/feed", HTTP_AUTHORIZATION=f"Bearer {persona.token}")
    assert r.status_code == 200
    return [i["subject"] for i in r.json()["items"]]


def assert_no_raw_problems(html: str, paths: list[str]) -> None:
    """People see labels and sentences: no API field path, no pydantic wording."""
    for path in paths:
        if "." in path or "[" in path:
            assert path not in html, path
    for raw in ("Input should", "String should", "List should", "Value error", "Field required"):
        assert raw not in html, raw


def assert_no_inline_code(html: str) -> None:
    """CSP: no inline script (data travels in application/json blocks) and no style attribute."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


# ---- list, filters, CSV ---------------------------------------------------------------------


def test_the_list_shows_notifications_with_their_window_in_utc_and_status(personas):
    n = submit(personas)
    page = login(personas, "jpn_reader").get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert n.reference in html and "SLV-medium" in html
    assert f"{n.window_opens:%Y-%m-%d %H:%M} UTC" in html
    assert '<span class="badge notified">notified</span>' in html
    assert_no_inline_code(html)


def test_the_list_filters_by_state_category_class_status_and_window(personas):
    fra = submit(personas)
    jpn = submit(
        personas,
        who="jpn_submitter",
        category="BM",
        generic_class="SRBM",
        range_km=500,  # an SRBM's range is under 1,000 km (pln()'s 3,000 is not one)
        launch_area={"site_id": "JPN-TANEGASHIMA"},
    )
    client = login(personas, "fra_reader")

    def refs(query):
        html = client.get("/notifications/?" + query).content.decode()
        return {r for r in (fra.reference, jpn.reference) if r in html}

    assert refs("") == {fra.reference, jpn.reference}
    assert refs("state=JPN") == {jpn.reference}
    assert refs("category=SLV") == {fra.reference}
    assert refs("generic_class=SRBM") == {jpn.reference}
    assert refs("status=cancelled") == set()
    later = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    assert refs(f"window_from={later}") == set()
    assert refs("window_to=" + datetime.now(UTC).date().isoformat()) == set()
    # The state is chosen from a list of names, as in the inbox (issue 25); a code typed in the
    # address in lower case still filters, and an unknown one is named, not a 500.
    html = client.get("/notifications/").content.decode()
    assert '<option value="JPN">Japan</option>' in html and "State (ISO3)" not in html
    assert refs("state=jpn") == {jpn.reference}
    r = client.get("/notifications/?state=ZZZ")
    assert r.status_code == 200 and "“ZZZ” is not a state of the registry." in unescape(
        r.content.decode()
    )


def test_the_list_shows_the_newest_first_and_pages_with_the_selectors_cursor(personas, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    refs = [submit(personas).reference for _ in range(3)][::-1]  # newest first
    client = login(personas, "fra_reader")
    first = client.get("/notifications/?state=FRA").content.decode()
    assert refs[0] in first and refs[1] in first and refs[2] not in first
    assert first.index(refs[0]) < first.index(refs[1])
    next_href = unescape(re.search(r'href="\?([^"]*cursor=[^"]*)" rel="next"', first).group(1))
    assert "state=FRA" in next_href
    second = client.get("/notifications/?" + next_href).content.decode()
    assert refs[2] in second and refs[0] not in second
    assert 'rel="next"' not in second


def test_the_csv_export_is_an_attachment_with_the_same_filters(personas):
    fra = submit(personas, vehicle_name="=HYPERLINK(1)")
    jpn = submit(personas, who="jpn_submitter", launch_area={"site_id": "JPN-TANEGASHIMA"})
    r = login(personas, "jpn_reader").get("/notifications/?state=FRA&format=csv")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert r["Content-Disposition"].startswith("attachment; filename=")
    lines = r.content.decode().splitlines()
    assert lines[0].startswith("reference,state,version,status")
    assert len(lines) == 2 and lines[1].startswith(fra.reference + ",FRA,1,notified")
    assert jpn.reference not in r.content.decode()
    assert "'=HYPERLINK(1)" in lines[1]  # a spreadsheet must not run another state's text


def test_illustrative_data_is_marked_as_such(personas):
    n = submit(personas, remarks="ILLUSTRATIVE example, not a real launch.")
    client = login(personas, "jpn_reader")
    for url in ("/notifications/", f"/notifications/{n.reference}"):
        assert '<span class="badge illustrative">' in client.get(url).content.decode()


def test_the_list_and_the_pages_are_not_for_non_subscribers_or_visitors(personas):
    n = submit(personas)
    prk = login(personas, "prk_user")
    for url in ("/notifications/", "/notifications/new", f"/notifications/{n.reference}"):
        assert prk.get(url).status_code == 403
        assert Client().get(url).status_code == 302  # to the login page


# ---- the PLN form: submit without JavaScript -----------------------------------------------


def test_the_whole_submission_without_javascript_creates_one_notification_and_one_feed_event(
    personas,
):
    client = login(personas, "fra_submitter")
    form = client.get("/notifications/new")
    assert form.status_code == 200
    html = form.content.decode()
    assert '<datalist id="site-list">' in html and 'value="FRA-KOUROU"' in html
    assert 'data-local-for="id_window_opens"' in html
    assert_no_inline_code(html)
    events = Event.objects.count()

    review = client.post("/notifications/new", form_data(action="review"))
    html = review.content.decode()
    assert review.status_code == 200 and "Confirm and send" in html
    assert "Nothing has been sent yet." in html
    assert "&quot;site_id&quot;: &quot;FRA-KOUROU&quot;" in html  # the stored body, shown
    assert 'data-map-json="confirm-map"' in html
    assert_no_inline_code(html)
    assert Notification.objects.count() == 0 and Event.objects.count() == events

    send = {"action": "send", "payload": hidden(html, "payload"), "review": hidden(html, "review")}
    sent = client.post("/notifications/new", send)
    n = Notification.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/notifications/{n.reference}"
    assert Event.objects.count() == events + 1
    assert n.state_id == "FRA" and n.versions.get().entered_by_icc is False
    page = client.get(sent["Location"])
    assert page.status_code == 200 and "Ariane 6" in page.content.decode()
    assert_no_inline_code(page.content.decode())

    # A second click on "Confirm and send" sends nothing more.
    again = client.post("/notifications/new", send)
    assert again.status_code == 302 and Notification.objects.count() == 1
    assert Event.objects.count() == events + 1


def test_a_circle_a_polygon_and_a_sector_pass_through_the_form(personas):
    client = login(personas, "fra_submitter")
    review = client.post(
        "/notifications/new",
        form_data(
            action="review",
            area_mode="polygon",
            polygon="5.0, -52.0\n5.5, -52.0\n5.5, -52.5",
            direction_mode="sector",
            azimuth_from_deg="350",
            azimuth_to_deg="20",
        ),
    )
    payload = json.loads(hidden(review.content.decode(), "payload"))
    assert payload["launch_area"]["polygon"][2] == {"lat": 5.5, "lon": -52.5}
    assert payload["planned_direction"] == {"azimuth_from_deg": 350.0, "azimuth_to_deg": 20.0}
    review = client.post(
        "/notifications/new",
        form_data(
            action="review",
            area_mode="circle",
            center_lat="5.2",
            center_lon="-52.8",
            radius_km="20",
        ),
    )
    payload = json.loads(hidden(review.content.decode(), "payload"))
    assert payload["launch_area"] == {"center": {"lat": 5.2, "lon": -52.8}, "radius_km": 20.0}


LONG = "x" * 201
NOW = datetime.now(UTC)
INVALID = {
    "bad window order": (
        {
            "window_opens": local(NOW + timedelta(days=4)),
            "window_closes": local(NOW + timedelta(days=3)),
        },
        # Within the year ahead a window may open in (docs/api.md, "Plausibility bounds").
        {
            "window": {
                "opens": local(NOW + timedelta(days=4)) + ":00Z",
                "closes": local(NOW + timedelta(days=3)) + ":00Z",
            }
        },
        "window_closes",
    ),
    "closes in the past": (
        {
            "window_opens": local(NOW - timedelta(days=2)),
            "window_closes": local(NOW - timedelta(days=1)),
        },
        {"window": {"opens": "2020-01-01T00:00:00Z", "closes": "2020-01-01T06:00:00Z"}},
        "window_closes",
    ),
    "unknown site": (
        {"site_id": "XXX-NOWHERE"},
        {"launch_area": {"site_id": "XXX-NOWHERE"}},
        "site_id",
    ),
    "missing radius": (
        {"area_mode": "circle", "center_lat": "5", "center_lon": "-52"},
        {"launch_area": {"center": {"lat": 5.0, "lon": -52.0}}},
        "launch_area",
    ),
    "bad polygon": (
        {"area_mode": "polygon", "polygon": "0, 0\n1, 1\n0, 1\n1, 0"},
        {
            "launch_area": {
                "polygon": [
                    {"lat": 0.0, "lon": 0.0},
                    {"lat": 1.0, "lon": 1.0},
                    {"lat": 0.0, "lon": 1.0},
                    {"lat": 1.0, "lon": 0.0},
                ]
            }
        },
        "polygon",
    ),
    "azimuth 400": (
        {"azimuth_deg": "400"},
        {"planned_direction": {"azimuth_deg": 400.0}},
        "azimuth_deg",
    ),
    "sector too wide": (
        {"direction_mode": "sector", "azimuth_from_deg": "0", "azimuth_to_deg": "200"},
        {"planned_direction": {"azimuth_from_deg": 0.0, "azimuth_to_deg": 200.0}},
        "planned_direction",
    ),
    "class of wrong category": (
        {"category": "BM", "generic_class": "SLV-medium"},
        {"category": "BM", "generic_class": "SLV-medium"},
        "generic_class",
    ),
    "overlong vehicle name": ({"vehicle_name": LONG}, {"vehicle_name": LONG}, "vehicle_name"),
}


@pytest.mark.parametrize("case", list(INVALID), ids=list(INVALID))
def test_every_invalid_input_shows_the_apis_message_at_its_field_and_stores_nothing(personas, case):
    form_overrides, body_overrides, where = INVALID[case]
    client = login(personas, "fra_submitter")
    fra = User.objects.get(username=personas["fra_submitter"].username)
    api = api_problems(client, personas["fra_submitter"], pln(**body_overrides))
    # The API's problem, in the page's words: a sentence, field names as the form's labels.
    expected = [sentence(p["message"], p["field"], PATH_LABELS) for p in api]
    events = Event.objects.count()
    for action in ("review", "send"):
        if action == "review":
            r = client.post("/notifications/new", form_data(action="review", **form_overrides))
        else:  # a review that no longer holds (a rule of the moment) is judged again, the same way
            payload = payload_text(pln(**body_overrides))
            token = review_token(fra, purpose="pln:new", payload=payload)
            r = client.post(
                "/notifications/new", {"action": "send", "payload": payload, "review": token}
            )
        html = r.content.decode()
        assert r.status_code == 422
        for message in expected:
            assert escape(message) in slot(html, where), (message, where)
        assert_no_raw_problems(html, [p["field"] for p in api])
        assert_no_inline_code(html)
    assert Notification.objects.count() == 0 and Event.objects.count() == events


def test_the_inline_validation_endpoint_returns_the_errors_fragment(personas):
    client = login(personas, "fra_submitter")
    r = client.post("/notifications/validate", form_data(azimuth_deg="400"), HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html
    assert "Planned direction – azimuth: must be less than 360°" in html
    assert "planned_direction.azimuth_deg" not in html
    assert re.search(
        r'id="err-azimuth_deg" class="slot-errors" hx-swap-oob="true">.*must be less than 360°',
        html,
    )
    assert_no_inline_code(html)
    ok = client.post("/notifications/validate", form_data(), HTTP_HX_REQUEST="true")
    assert "No problems found" in ok.content.decode()
    assert Notification.objects.count() == 0
    assert client.get("/notifications/validate").status_code == 405


def test_the_form_posts_need_the_csrf_token(personas):
    client = login(personas, "fra_submitter", Client(enforce_csrf_checks=True))
    assert client.post("/notifications/new", form_data(action="save_draft")).status_code == 403
    assert client.post("/notifications/new", form_data(action="review")).status_code == 403
    assert NotificationDraft.objects.count() == 0 and Notification.objects.count() == 0


# ---- drafts -----------------------------------------------------------------------------------


def test_a_draft_saves_resumes_and_is_private_to_its_state(personas):
    client = login(personas, "fra_submitter")
    events = Event.objects.count()
    r = client.post(
        "/notifications/new",
        {
            "action": "save_draft",
            "vehicle_name": "Vega C draft",
            "window_opens": "",
            "impact_0_kind": "stage",
        },
    )
    draft = NotificationDraft.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/notifications/new?draft={draft.pk}"
    assert draft.state_id == "FRA" and Event.objects.count() == events

    resumed = client.get(r["Location"]).content.decode()
    assert 'value="Vega C draft"' in resumed and f'name="draft" value="{draft.pk}"' in resumed
    # Saving again updates the same draft.
    client.post(
        "/notifications/new", {"action": "save_draft", "draft": draft.pk, "vehicle_name": "Vega C"}
    )
    assert NotificationDraft.objects.get().data["vehicle_name"] == "Vega C"

    assert (
        login(personas, "fra_reader").get(r["Location"]).status_code == 403
    )  # readers don't submit
    for other in ("jpn_submitter", "icc"):
        c = login(personas, other)
        assert c.get(r["Location"]).status_code == 404
        assert "Vega C" not in c.get("/notifications/new").content.decode()
        assert c.post(f"/notifications/drafts/{draft.pk}/delete").status_code == 404
        saved = c.post(
            "/notifications/new", {"action": "save_draft", "draft": draft.pk, "vehicle_name": "X"}
        )
        assert saved.status_code == 404
    assert NotificationDraft.objects.get().data["vehicle_name"] == "Vega C"
    for who in ("fra_submitter", "jpn_reader", "icc"):
        assert feed_subjects(Client(), personas[who]) == []
    assert "Vega C" not in login(personas, "jpn_reader").get("/notifications/").content.decode()

    deleted = client.post(f"/notifications/drafts/{draft.pk}/delete")
    assert deleted.status_code == 302 and NotificationDraft.objects.count() == 0


def test_a_draft_used_for_a_submission_is_deleted(personas):
    client = login(personas, "fra_submitter")
    client.post("/notifications/new", form_data(action="save_draft"))
    draft = NotificationDraft.objects.get()
    review = client.post("/notifications/new", form_data(action="review", draft=draft.pk))
    html = review.content.decode()
    assert hidden(html, "draft") == str(draft.pk)
    client.post(
        "/notifications/new",
        {
            "action": "send",
            "payload": hidden(html, "payload"),
            "review": hidden(html, "review"),
            "draft": draft.pk,
        },
    )
    assert Notification.objects.count() == 1 and NotificationDraft.objects.count() == 0
    n = Notification.objects.get()
    assert feed_subjects(Client(), personas["jpn_reader"]) == [n.reference]


def test_back_to_the_form_keeps_what_was_entered(personas):
    client = login(personas, "fra_submitter")
    html = client.post(
        "/notifications/new", form_data(action="review", vehicle_name="Vega C")
    ).content.decode()
    back = client.post("/notifications/new", {"action": "edit", **review_fields(html)})
    assert back.status_code == 200 and 'value="Vega C"' in back.content.decode()
    assert Notification.objects.count() == 0


# ---- the ICC enters on a state's behalf --------------------------------------------------------


def test_the_icc_chooses_the_state_it_enters_a_notification_for(personas):
    client = login(personas, "icc")
    html = client.get("/notifications/new").content.decode()
    assert 'name="on_behalf_of"' in html and '<option value="FRA"' in html
    missing = client.post("/notifications/new", form_data(action="review"))
    assert missing.status_code == 422
    assert "the ICC must name the state it acts for" in slot(
        missing.content.decode(), "on_behalf_of"
    )
    review = client.post("/notifications/new", form_data(action="review", on_behalf_of="FRA"))
    html = review.content.decode()
    assert "Entered by the ICC on behalf of France" in html
    client.post(
        "/notifications/new",
        {"action": "send", "payload": hidden(html, "payload"), "review": hidden(html, "review")},
    )
    n = Notification.objects.get()
    assert n.state_id == "FRA" and n.versions.get().entered_by_icc is True

    client.post("/notifications/new", form_data(action="save_draft", on_behalf_of="JPN"))
    assert NotificationDraft.objects.get().state_id is None  # the ICC's own draft
    assert (
        login(personas, "jpn_submitter")
        .get(f"/notifications/new?draft={NotificationDraft.objects.get().pk}")
        .status_code
        == 404
    )


# ---- the notification's page and its actions ------------------------------------------------


def test_the_notification_page_shows_map_versions_and_acknowledgements(personas):
    n = submit(personas)
    jpn = Client()
    r = jpn.post(
        "/api/v1/acknowledgements",
        data=json.dumps({"seqs": [n.versions.get().seq]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {personas['jpn_reader'].token}",
    )
    assert r.status_code == 201
    html = login(personas, "icc").get(f"/notifications/{n.reference}").content.decode()
    acked = re.search(r'<ul class="acknowledged">(.*?)</ul>', html, re.S).group(1)
    missing = re.search(r'<p class="not-acknowledged">(.*?)</p>', html, re.S).group(1)
    assert (
        "Japan" in acked and " UTC" in acked and "Japan" not in missing and "France" not in missing
    )
    assert 'data-map-json="detail-map"' in html and 'id="detail-map"' in html
    assert "Version 1" in html
    assert "Amend this notification" in html  # the ICC may act for France
    assert login(personas, "jpn_submitter").get("/notifications/NOPE-2026-0001").status_code == 404


def test_amending_through_the_pages_makes_a_version_whose_changes_and_reason_read_as_sentences(
    personas,
):
    base = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    window = {"opens": iso(base), "closes": iso(base + timedelta(hours=2))}
    n = submit(personas, national_reference="Note 2026/118", window=window)
    later = base + timedelta(days=1)
    client = login(personas, "fra_submitter")
    form = client.get(f"/notifications/{n.reference}/amend").content.decode()
    assert 'value="Ariane 6"' in form and 'value="FRA-KOUROU"' in form
    assert "Your national reference (note number)" in form and 'value="Note 2026/118"' in form
    assert "Reason for the amendment" in form
    review = client.post(
        f"/notifications/{n.reference}/amend",
        form_data(
            action="review",
            vehicle_name="Ariane 64",
            azimuth_deg="95",
            window_opens=f"{later:%Y-%m-%d %H:%M}",
            window_closes=f"{later + timedelta(hours=2):%Y-%m-%dT%H:%M:%S}+00:00",
            national_reference=" Note 2026/131 ",
            reason="Weather in Kourou.",
        ),
    )
    html = review.content.decode()
    assert review.status_code == 200, html
    assert "version 2" in html and "Weather in Kourou." in html and "Note 2026/131" in html
    sent = client.post(
        f"/notifications/{n.reference}/amend",
        {"action": "send", "payload": hidden(html, "payload"), "review": hidden(html, "review")},
    )
    assert sent.status_code == 302
    n.refresh_from_db()
    assert n.current_version == 2 and Notification.objects.count() == 1
    v2 = n.versions.get(version=2)
    assert (v2.national_reference, v2.reason) == ("Note 2026/131", "Weather in Kourou.")
    page = client.get(f"/notifications/{n.reference}").content.decode()
    history = unescape(re.search(r'<section id="versions">(.*?)</section>', page, re.S).group(1))
    history = re.sub(r"</?bdi[^>]*>", "", history)  # the words as read, isolates set aside

    def shown(t: datetime) -> str:
        return f"{t:%Y-%m-%d %H:%M} UTC"

    two_hours = timedelta(hours=2)
    assert (
        f"Window moved from {shown(base)} – {shown(base + two_hours)} "
        f"to {shown(later)} – {shown(later + two_hours)}"
    ) in history
    assert "Planned direction changed from azimuth 90° to 95°" in history
    assert "Vehicle changed from “Ariane 6” to “Ariane 64”" in history
    assert "National reference changed from “Note 2026/118” to “Note 2026/131”" in history
    assert "Reason for the amendment: Weather in Kourou." in re.sub(r"<[^>]+>", "", history)
    assert "Launch area changed" not in history and "Category changed" not in history
    assert "4 changes" in history
    assert "planned_direction" not in history and "window.opens" not in history


def test_a_new_launch_area_reads_as_a_sentence_in_the_history(personas):
    window = pln()["window"]  # the same in both versions (pln()'s follows the clock's second)
    n = submit(personas, window=window)
    user = User.objects.get(username=personas["fra_submitter"].username)
    notification_amend(
        actor=user,
        reference=n.reference,
        data=AmendmentIn.model_validate(
            pln(window=window, launch_area={"center": {"lat": 5.2, "lon": -52.8}, "radius_km": 20})
        ),
    )
    page = login(personas, "jpn_reader").get(f"/notifications/{n.reference}").content.decode()
    history = unescape(re.search(r'<section id="versions">(.*?)</section>', page, re.S).group(1))
    assert "Launch area changed" in history and "1 change<" in history
    assert "Reason for the amendment" not in history


def test_cancelling_through_the_page_needs_a_reason(personas):
    n = submit(personas)
    client = login(personas, "fra_submitter")
    detail = client.get(f"/notifications/{n.reference}").content.decode()
    assert 'data-confirm="' in detail and "Cancel the notification" in detail
    empty = client.post(f"/notifications/{n.reference}/cancel", {"reason": ""})
    assert empty.status_code == 422
    assert "must not be empty" in empty.content.decode()
    n.refresh_from_db()
    assert n.stored_status == "notified"
    r = client.post(f"/notifications/{n.reference}/cancel", {"reason": "Weather."})
    assert r.status_code == 302
    n.refresh_from_db()
    assert n.stored_status == "cancelled" and n.cancel_reason == "Weather."
    page = client.get(f"/notifications/{n.reference}").content.decode()
    assert "Weather." in page and "Cancel the notification" not in page
    assert "Amend this notification" not in page
    again = client.post(f"/notifications/{n.reference}/cancel", {"reason": "Twice."})
    assert (
        again.status_code == 302
        and client.get(f"/notifications/{n.reference}/amend").status_code == 302
    )


def test_reporting_the_launch_through_the_page(personas):
    n = submit(personas)
    client = login(personas, "fra_submitter")
    future = client.post(
        f"/notifications/{n.reference}/report",
        {"launched_at": local(datetime.now(UTC) + timedelta(days=1)), "outcome": "success"},
    )
    assert future.status_code == 422 and "must not be in the future" in future.content.decode()
    r = reported(
        client,
        n,
        {
            "launched_at": local(datetime.now(UTC) - timedelta(hours=1)),
            "outcome": "success",
            "remarks": "Nominal.",
        },
    )
    assert r.status_code == 302
    n.refresh_from_db()
    assert n.stored_status == "launched" and n.outcome == "success" and n.outside_window is True
    page = client.get(f"/notifications/{n.reference}").content.decode()
    assert "Nominal." in page and "Review the launch report" not in page


def reported(client, n, fields: dict):
    """Report a launch as a person does: the form, its review (nothing sent), then send."""
    url = f"/notifications/{n.reference}/report"
    review = client.post(url, fields)
    assert review.status_code == 200, review.content.decode()[:2000]
    assert Event.objects.filter(kind="notification.launch_reported").count() == 0
    return client.post(url, {"action": "send", **review_fields(review.content.decode())})


def test_a_launch_report_is_reviewed_before_it_is_sent_exactly_as_shown(personas):
    n = submit(personas)
    client = login(personas, "fra_submitter")
    url = f"/notifications/{n.reference}/report"
    launched = (datetime.now(UTC) - timedelta(hours=1)).replace(second=0, microsecond=0)
    fields = {"launched_at": local(launched), "outcome": "partial", "remarks": "Third stage low."}
    before = Event.objects.count()
    review = client.post(url, fields)
    html = review.content.decode()
    assert review.status_code == 200 and Event.objects.count() == before
    n.refresh_from_db()
    assert n.stored_status == "notified"
    assert "Nothing has been sent yet." in html and "Exactly what all states will receive" in html
    assert f"{launched:%Y-%m-%d %H:%M} UTC" in html and "outside the notified window" in html
    assert "Partial" in html and "Third stage low." in html
    reviewed = review_fields(html)
    shown = json.loads(unescape(re.search(r'<pre class="payload">(.*?)</pre>', html, re.S)[1]))
    assert (
        json.loads(reviewed["payload"])
        == shown
        == {
            "launched_at": f"{launched:%Y-%m-%dT%H:%M:%SZ}",
            "outcome": "partial",
            "remarks": "Third stage low.",
        }
    )
    # Back to the form: the fields as entered, still nothing sent.
    back = client.post(url, {"action": "edit", **reviewed}).content.decode()
    assert "Third stage low." in back and 'value="partial" selected' in back
    assert Event.objects.count() == before
    sent = client.post(url, {"action": "send", **reviewed})
    assert sent.status_code == 302
    item = Event.objects.get(kind="notification.launch_reported")
    report = json.loads(item.payload)["launch_report"]
    assert {k: report[k] for k in shown} == shown
    # A second click (or an old tab) sends nothing more.
    again = client.post(url, {"action": "send", **reviewed}, follow=True)
    assert "This confirmation was already used or has expired." in again.content.decode()
    assert Event.objects.filter(kind="notification.launch_reported").count() == 1


def test_a_launch_report_review_altered_in_the_browser_is_refused_and_sends_nothing(personas):
    n = submit(personas)
    client = login(personas, "fra_submitter")
    url = f"/notifications/{n.reference}/report"
    launched = datetime.now(UTC) - timedelta(hours=1)
    html = client.post(url, {"launched_at": local(launched), "outcome": "success"})
    reviewed = review_fields(html.content.decode())
    before = Event.objects.count()
    altered = json.dumps({**json.loads(reviewed["payload"]), "outcome": "failure"})
    for payload in ("{", "[]", altered):
        r = client.post(url, {"action": "send", "review": reviewed["review"], "payload": payload})
        assert r.status_code == 302 and r["Location"] == f"/notifications/{n.reference}"
    page = client.get(r["Location"]).content.decode()
    assert "was changed after the review, so nothing was sent" in page
    assert Event.objects.count() == before


def test_a_launch_report_review_that_no_longer_holds_is_checked_as_the_api_would(personas):
    n = submit(personas)
    client = login(personas, "fra_submitter")
    fra = User.objects.get(username=personas["fra_submitter"].username)
    url = f"/notifications/{n.reference}/report"
    before = Event.objects.count()
    payload = payload_text({"launched_at": "soon", "outcome": "boom"})
    token = review_token(fra, purpose=f"report:{n.reference}", payload=payload)
    r = client.post(url, {"action": "send", "payload": payload, "review": token})
    assert r.status_code == 422
    assert "Launched at (UTC)" in r.content.decode()
    assert Event.objects.count() == before


def test_japan_cannot_see_frances_draft_nor_act_on_frances_notification(personas):
    n = submit(personas)
    login(personas, "fra_submitter").post("/notifications/new", form_data(action="save_draft"))
    draft = NotificationDraft.objects.get()
    jpn = login(personas, "jpn_submitter")
    assert jpn.get(f"/notifications/new?draft={draft.pk}").status_code == 404
    page = jpn.get(f"/notifications/{n.reference}").content.decode()
    assert 'id="actions"' not in page
    assert jpn.get(f"/notifications/{n.reference}/amend").status_code == 403
    body = form_data(action="review")
    assert jpn.post(f"/notifications/{n.reference}/amend", body).status_code == 403
    payload = json.dumps(pln())
    assert (
        jpn.post(
            f"/notifications/{n.reference}/amend", {"action": "send", "payload": payload}
        ).status_code
        == 403
    )
    assert (
        jpn.post(f"/notifications/{n.reference}/cancel", {"reason": "Mine now."}).status_code == 403
    )
    report = {"launched_at": local(datetime.now(UTC) - timedelta(hours=1)), "outcome": "success"}
    assert jpn.post(f"/notifications/{n.reference}/report", report).status_code == 403
    reader = login(personas, "fra_reader")
    assert reader.post(f"/notifications/{n.reference}/cancel", {"reason": "x"}).status_code == 403
    n.refresh_from_db()
    assert n.stored_status == "notified" and n.current_version == 1
    assert NotificationDraft.objects.get().data == draft.data


def test_a_draft_amendment_resumes_on_its_notifications_amend_form(personas):
    n = submit(personas)
    client = login(personas, "fra_submitter")
    url = f"/notifications/{n.reference}/amend"
    saved = client.post(url, form_data(action="save_draft", vehicle_name="Ariane 62"))
    draft = NotificationDraft.objects.get()
    assert draft.amends == n.reference and saved["Location"] == f"{url}?draft={draft.pk}"
    opened = client.get(f"/notifications/new?draft={draft.pk}")  # as the dashboard links it
    assert opened.status_code == 302 and opened["Location"] == f"{url}?draft={draft.pk}"
    assert 'value="Ariane 62"' in client.get(opened["Location"]).content.decode()
    assert (
        client.post("/notifications/new", form_data(action="review", draft=draft.pk)).status_code
        == 404
    )
    n.refresh_from_db()
    assert n.current_version == 1


def test_the_amend_form_keeps_every_kind_of_impact_area(personas):
    impacts = [
        {"kind": "stage", "center": {"lat": 10.0, "lon": -40.0}, "radius_km": 100.0},
        {"kind": "debris", "site_id": "FRA-KOUROU", "description": "near the pad"},
        {
            "kind": "fairing",
            "polygon": [
                {"lat": 1.0, "lon": 1.0},
                {"lat": 1.0, "lon": 2.0},
                {"lat": 2.0, "lon": 1.5},
            ],
        },
    ]
    n = submit(personas, impact_areas=impacts)
    client = login(personas, "fra_submitter")
    form = client.get(f"/notifications/{n.reference}/amend").content.decode()
    fields = dict(
        re.findall(
            r'name="(impact_\d_(?:site_id|lat|lon|radius_km|description))"[^>]*value="([^"]*)"',
            form,
        )
    )
    fields.update(re.findall(r'name="(impact_\d_polygon)"[^>]*>([^<]*)</textarea>', form))
    fields.update({f"impact_{i}_kind": a["kind"] for i, a in enumerate(impacts)})
    review = client.post(
        f"/notifications/{n.reference}/amend",
        form_data(action="review", reason="Impact areas restated.", **fields),
    )
    assert json.loads(hidden(review.content.decode(), "payload"))["impact_areas"] == impacts


def published_on_review(html: str) -> str:
    m = re.search(r'<pre class="payload published">(.*?)</pre>', html, re.S)
    assert m, "no published bytes on the review"
    return unescape(m.group(1))


def test_the_amendment_review_marks_the_changes_asks_for_the_reason_and_shows_the_published_bytes(
    personas,
):
    base = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    window = {"opens": iso(base), "closes": iso(base + timedelta(hours=2))}
    n = submit(personas, national_reference="Note 2026/118", window=window)
    client = login(personas, "fra_submitter")
    fields = form_data(
        action="review",
        azimuth_deg="95",
        window_opens=f"{base:%Y-%m-%d %H:%M}",
        window_closes=f"{base + timedelta(hours=2):%Y-%m-%d %H:%M}",
        national_reference="Note 2026/131",
    )
    # No reason: back to the form, the field named, nothing stored.
    refused = client.post(f"/notifications/{n.reference}/amend", {**fields, "reason": " "})
    assert refused.status_code == 422
    assert "Say why you amend the notification" in slot(refused.content.decode(), "reason")
    review = client.post(
        f"/notifications/{n.reference}/amend", {**fields, "reason": "Range safety."}
    )
    html = review.content.decode()
    assert review.status_code == 200, html
    changes = unescape(re.search(r'<ul class="changes">(.*?)</ul>', html, re.S).group(1))
    changes = re.sub(r"</?bdi[^>]*>", "", changes)  # the words as read, isolates set aside
    assert "Planned direction changed from azimuth 90° to 95°" in changes
    assert "National reference changed from “Note 2026/118” to “Note 2026/131”" in changes
    assert "Window moved" not in changes and "Vehicle" not in changes
    marked = re.findall(r"<dt>([^<]*)</dt><dd><mark>", html)
    assert marked == [
        "National reference (note number)",
        "Planned direction",
        "Reason for the amendment",
    ]
    shown = published_on_review(html)
    sent = client.post(
        f"/notifications/{n.reference}/amend",
        {"action": "send", "payload": hidden(html, "payload"), "review": hidden(html, "review")},
    )
    assert sent.status_code == 302
    item = Event.objects.order_by("-seq").first()
    published = json.loads(item.payload)
    assert published["reference"] == n.reference and published["version"] == 2
    assert published["national_reference"] == "Note 2026/131"
    assert published["amendment_reason"] == "Range safety."
    assert shown == statement_bytes(published)  # byte for byte


def test_a_new_notifications_review_shows_the_bytes_every_state_will_receive(personas):
    client = login(personas, "fra_submitter")
    review = client.post(
        "/notifications/new", form_data(action="review", national_reference="Note 2026/140")
    )
    html = review.content.decode()
    assert review.status_code == 200, html
    shown = published_on_review(html)
    assert '"national_reference":"Note 2026/140"' in shown
    assert "What this amendment changes" not in html
    client.post(
        "/notifications/new",
        {"action": "send", "payload": hidden(html, "payload"), "review": hidden(html, "review")},
    )
    published = json.loads(Event.objects.order_by("-seq").first().payload)
    assert shown == statement_bytes(published)


# ---- times as ISO 8601 text in UTC ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["{d}T06:00Z", "{d} 06:00", "{d}T06:00:00Z", "{d}T06:00:00+00:00", "{d} 06:00 UTC"],
)
def test_the_window_takes_iso_8601_in_utc_as_people_type_it(personas, typed):
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    client = login(personas, "fra_submitter")
    r = client.post(
        "/notifications/new",
        form_data(action="review", window_opens=typed.format(d=day), window_closes=f"{day} 08:00"),
    )
    html = r.content.decode()
    assert r.status_code == 200, html
    window = json.loads(hidden(html, "payload"))["window"]
    assert window == {"opens": f"{day}T06:00:00Z", "closes": f"{day}T08:00:00Z"}


@pytest.mark.parametrize(
    "typed",
    ["12/10/2026, 06:00:00 AM", "{d}T06:00+02:00", "{d}", "{d}T25:00Z", "tomorrow at six"],
)
def test_a_window_time_not_in_iso_8601_utc_is_refused_naming_the_field(personas, typed):
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    client = login(personas, "fra_submitter")
    events = Event.objects.count()
    r = client.post(
        "/notifications/new", form_data(action="review", window_opens=typed.format(d=day))
    )
    html = unescape(r.content.decode())
    assert r.status_code == 422
    message = "must be a date and time in UTC as YYYY-MM-DDThh:mmZ, e.g. 2026-12-10T06:00Z"
    assert f"Launch window – opens: {message}" in html
    assert message in unescape(slot(r.content.decode(), "window_opens"))
    assert "is required" not in html  # the form's own problem, not the schema's for no value
    assert_no_raw_problems(html, ["window.opens"])
    # What was typed is shown back to be corrected.
    assert f'value="{escape(typed.format(d=day))}"' in r.content.decode()
    assert Notification.objects.count() == 0 and Event.objects.count() == events


def test_the_pln_form_has_no_locale_following_date_widget(personas):
    html = login(personas, "fra_submitter").get("/notifications/new").content.decode()
    assert "datetime-local" not in html and 'type="date"' not in html
    for name in ("window_opens", "window_closes"):
        tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="text"' in tag and 'placeholder="2026-12-10T06:00Z"' in tag
        assert "pattern=" in tag
    assert "UTC, ISO 8601 (YYYY-MM-DDThh:mmZ)" in html


def test_a_launch_report_time_is_iso_8601_in_utc_and_anything_else_is_refused(personas):
    n = submit(personas)
    client = login(personas, "fra_submitter")
    bad = client.post(
        f"/notifications/{n.reference}/report",
        {"launched_at": "12/10/2026, 06:00:00 AM", "outcome": "success"},
    )
    assert bad.status_code == 422
    assert "must be a date and time in UTC as YYYY-MM-DDThh:mmZ" in slot_html(bad, "launched_at")
    n.refresh_from_db()
    assert n.stored_status == "notified"
    launched = (datetime.now(UTC) - timedelta(minutes=5)).replace(second=0, microsecond=0)
    r = reported(client, n, {"launched_at": f"{launched:%Y-%m-%d %H:%M}", "outcome": "success"})
    assert r.status_code == 302
    n.refresh_from_db()
    assert n.launched_at == launched


def slot_html(r, name: str) -> str:
    m = re.search(rf'<div id="err-{name}">(.*?)</div>', r.content.decode(), re.S)
    assert m, f"no error slot {name}"
    return m.group(1)


def test_the_list_filters_take_iso_dates_and_name_a_bad_one(personas):
    client = login(personas, "fra_reader")
    html = client.get("/notifications/?window_from=12/10/2026").content.decode()
    assert "must be a date as YYYY-MM-DD, e.g. 2026-12-10" in html
    tag = re.search(r'<input [^>]*name="window_from"[^>]*>', html).group(0)
    assert 'type="text"' in tag and 'placeholder="2026-12-10"' in tag
    assert client.get("/notifications/?window_from=2026-12-10").status_code == 200


def _all_versions_form(page: str) -> dict | None:
    m = re.search(r'<form [^>]*class="acknowledge-all">(.*?)</form>', page, re.S)
    if m is None:
        return None
    return {
        "seqs": re.findall(r'name="seqs" value="(\d+)"', m.group(1)),
        "shown": re.findall(r'name="shown" value="([^"]+)"', m.group(1)),
        "next": re.search(r'name="next" value="([^"]+)"', m.group(1)).group(1),
        "label": unescape(re.search(r"<button[^>]*>(.*?)</button>", m.group(1)).group(1)),
    }


def test_a_state_acknowledges_every_version_of_a_notification_at_once(personas):
    window = pln()["window"]
    n = submit(personas, window=window)
    fra = User.objects.get(username=personas["fra_submitter"].username)
    notification_amend(
        actor=fra,
        reference=n.reference,
        data=AmendmentIn.model_validate(pln(window=window, vehicle_name="Ariane 62")),
    )
    v1, v2 = Event.objects.filter(subject=n.reference).order_by("seq").values_list("seq", flat=True)
    jpn = login(personas, "jpn_reader")
    url = f"/notifications/{n.reference}"
    # Version 2 acknowledged on its own leaves version 1 owed: the page offers it.
    acknowledgements_record(actor=User.objects.get(username="jpn_reader"), seqs=[v2])
    form = _all_versions_form(jpn.get(url).content.decode())
    assert form["label"] == "Acknowledge all versions of this notification (1 item)"
    assert form["seqs"] == [str(v1)]
    r = jpn.post("/inbox/acknowledge", {k: v for k, v in form.items() if k != "label"}, follow=True)
    assert "1 item acknowledged." in r.content.decode()
    assert set(
        Acknowledgement.objects.filter(state_id="JPN").values_list("event_id", flat=True)
    ) == {v1, v2}
    assert _all_versions_form(jpn.get(url).content.decode()) is None  # nothing left owed
    # Another state owes both: confirmed first (more than one), then both are acknowledged.
    deu = User.objects.create_user(username="deu_reader", state_id="DEU", role="reader")
    client = Client()
    client.force_login(deu)
    form = _all_versions_form(client.get(url).content.decode())
    assert form["label"] == "Acknowledge all versions of this notification (2 items)"
    body = {k: v for k, v in form.items() if k != "label"}
    confirm = client.post("/inbox/acknowledge", body).content.decode()
    assert "Acknowledge these 2 items for Germany?" in confirm
    r = client.post("/inbox/acknowledge", {**body, "confirm": "yes"}, follow=True)
    assert "2 items acknowledged." in r.content.decode()
    # The notification's own state and the ICC acknowledge nothing: no such offer.
    for who in ("fra_reader", "icc"):
        assert _all_versions_form(login(personas, who).get(url).content.decode()) is None
