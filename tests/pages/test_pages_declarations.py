"""The annual-declaration pages: list, form (no JS), crosscheck preview, review and
confirmation, detail with versions."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from support.bodies import declaration, iso, pln
from support.people import web_client
from support.review import review_fields

from hcoc.accounts.models import User
from hcoc.declarations.models import Declaration
from hcoc.declarations.schemas import DeclarationIn
from hcoc.exchange.models import Event
from hcoc.notifications.schemas import ImportIn
from hcoc.notifications.services import notification_import

pytestmark = pytest.mark.django_db
LAST_YEAR = timezone.now().year - 1


def client_for(username: str) -> Client:
    return web_client(username)


def form_data(year: int = LAST_YEAR, **fields) -> dict:
    """The form's fields for declaration(year), with some fields replaced."""
    data = {
        "year": str(year),
        "bm_policy": "Deterrence policy outline.",
        "bm_sites": ["FRA-BISCARROSSE"],
        "bm_system_0_class": "SLBM",
        "bm_system_0_name": "M51",
        "bm_count_SLBM": "1",
        "slv_policy": "Space policy outline.",
        "slv_sites": ["FRA-KOUROU"],
        "slv_count_SLV-medium": "2",
        "observers_invites": "no",
        "observers_details": "",
        "remarks": "",
        "action": "review",
    }
    data.update(fields)
    return data


def send(client: Client, data: dict, *, differences_confirmed: bool = True):
    """The form posted, its review shown, then confirmed (ticking the box the review asks
    for when the declaration differs from the launch reports): the answer to the confirmation."""
    review = client.post("/declarations/new", data)
    html = review.content.decode()
    assert review.status_code == 200 and "Confirm and send" in html, html[:2000]
    confirm = {"action": "confirm", **review_fields(html)}
    if differences_confirmed and 'name="differences_confirmed"' in html:
        confirm["differences_confirmed"] = "yes"
    return client.post("/declarations/new", confirm)


def field_chunk(html: str, field: str) -> str:
    """The page from a field's input up to the next label: where that field's errors are."""
    start = html.rfind("<", 0, html.index(f'id="id_{field}"'))
    end = html.find("<label", start)
    return html[start : end if end > 0 else len(html)]


def crosscheck_rows(html: str) -> dict[str, list[int]]:
    rows = {}
    for cls, cells in re.findall(r'<tr data-class="([^"]+)">(.*?)</tr>', html, re.S):
        rows[cls] = [int(n) for n in re.findall(r'<td class="num[^"]*">\+?(-?\d+)', cells)]
    return rows


def test_a_submitter_declares_through_the_form_and_a_second_submission_makes_version_2(personas):
    client = client_for("fra_submitter")
    page = client.get(f"/declarations/new?year={LAST_YEAR}")
    assert page.status_code == 200
    assert b'name="bm_count_ICBM"' in page.content and b'name="slv_policy"' in page.content
    assert b'hx-post="/declarations/preview"' in page.content  # the live preview (htmx)

    response = send(client, form_data())
    assert response.status_code == 302
    assert response["Location"] == f"/declarations/FRA/{LAST_YEAR}"
    d = Declaration.objects.get(state_id="FRA", year=LAST_YEAR)
    assert d.current_version == 1
    # The form builds exactly the body the API would have received.
    expected = DeclarationIn.model_validate(declaration(LAST_YEAR)).model_dump(
        mode="json", exclude={"on_behalf_of"}
    )
    assert json.loads(d.versions.get().content) == expected

    again = client.get(f"/declarations/new?year={LAST_YEAR}").content.decode()
    assert "Deterrence policy outline." in again and "version 1" in again
    assert 'value="1"' in field_chunk(again, "bm_count_SLBM")

    response = send(client, form_data(**{"slv_count_SLV-medium": "5"}))
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.current_version == 2

    detail = client.get(f"/declarations/FRA/{LAST_YEAR}").content.decode()
    assert "Version 2" in detail and "Version 1" in detail
    changed = re.findall(r'<tr class="changed"><th scope="row">([^<]+)</th>', detail)
    assert changed == ["Space launch vehicles: launches of SLV-medium"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"year": str(LAST_YEAR + 2)}, "year", "must be a past calendar year"),
        ({"bm_count_SLBM": "-1"}, "bm_count_SLBM", "must be at least 0"),
        ({"nil": "on"}, "bm_count_SLBM", "a nil declaration declares no launches"),
        ({"slv_sites": ["ZZZ-NOWHERE"]}, "slv_sites", "unknown site &#x27;ZZZ-NOWHERE&#x27;"),
        (
            {"bm_system_0_class": "SLV-small"},
            "bm_system_0_class",
            "&#x27;SLV-small&#x27; is not a generic class of category BM",
        ),
        ({"slv_policy": "x" * 20001}, "slv_policy", "at most 20000 characters"),
        ({"bm_count_ICBM": "many"}, "bm_count_ICBM", "must be a whole number"),
        ({"observers_invites": "", "observers_details": "Come"}, "observers_invites", "required"),
    ],
    ids=[
        "year-in-future",
        "negative-count",
        "nil-with-launches",
        "unknown-site",
        "wrong-class-in-section",
        "overlong-policy",
        "count-not-a-number",
        "observer-details-without-yes-or-no",
    ],
)
def test_every_invalid_input_shows_the_apis_message_on_its_field_and_stores_nothing(
    personas, fields, field, message
):
    events = Event.objects.count()
    response = client_for("fra_submitter").post("/declarations/new", form_data(**fields))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was stored" in html
    assert message in field_chunk(html, field), field_chunk(html, field)[:600]
    assert not Declaration.objects.exists()
    assert Event.objects.count() == events


def test_a_declaration_that_is_neither_nil_nor_has_sections_says_so_above_the_section(personas):
    data = {"year": str(LAST_YEAR), "action": "review"}
    html = client_for("fra_submitter").post("/declarations/new", data).content.decode()
    assert "needs “Ballistic missiles” or “Space launch vehicles”" in html
    assert not Declaration.objects.exists()


def _launches(personas):
    """France, last year: two SLV-medium launches reported, one SLBM notified but not reported."""
    icc = User.objects.get(username="icc")
    start = datetime(LAST_YEAR, 3, 1, tzinfo=UTC)
    for i, (cls, launched) in enumerate(
        [("SLV-medium", True), ("SLV-medium", True), ("SLBM", False)]
    ):
        opens = start + timedelta(days=10 * i + 3)
        window = {"opens": iso(opens), "closes": iso(opens + timedelta(hours=6))}
        extra = {}
        if cls == "SLBM":
            extra = {"category": "BM", "launch_area": {"site_id": "FRA-BISCARROSSE"}}
        body = {
            "state": "FRA",
            "first_submitted_at": iso(start + timedelta(days=10 * i)),
            "notification": pln(generic_class=cls, window=window, **extra),
            "launch_report": {
                "launched_at": iso(opens + timedelta(hours=1)),
                "outcome": "success",
            }
            if launched
            else None,
            "source": "test",
        }
        notification_import(actor=icc, data=ImportIn.model_validate(body))


def test_the_crosscheck_preview_compares_the_form_with_the_states_launch_reports(personas):
    _launches(personas)
    client = client_for("fra_submitter")
    data = form_data(**{"slv_count_SLV-medium": "3", "action": "preview"})

    fragment = client.post("/declarations/preview", data, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    # declared, reported, notified only, difference
    rows = crosscheck_rows(fragment.content.decode())
    assert rows == {"SLBM": [1, 0, 1, 1], "SLV-medium": [3, 2, 0, 1]}

    # Without JavaScript: the "Preview crosscheck" button re-renders the form with the table.
    page = client.post("/declarations/new", data)
    assert page.status_code == 200
    assert crosscheck_rows(page.content.decode()) == rows
    assert 'value="3"' in field_chunk(page.content.decode(), "slv_count_SLV-medium")
    assert not Declaration.objects.exists()


def test_the_preview_lists_the_problems_instead_of_a_table_while_the_form_is_invalid(personas):
    fragment = client_for("fra_submitter").post(
        "/declarations/preview", form_data(bm_count_SLBM="-2")
    )
    html = fragment.content.decode()
    assert "ballistic_missiles.launches[0].count" in html and "data-class" not in html


def test_japan_cannot_submit_nor_preview_a_declaration_for_france(personas):
    client = client_for("jpn_submitter")
    response = client.post("/declarations/new", form_data(on_behalf_of="FRA"))
    assert response.status_code == 403
    assert client.post("/declarations/preview", form_data(on_behalf_of="FRA")).status_code == 403
    assert not Declaration.objects.exists()


def test_a_reader_cannot_open_the_form_nor_submit(personas):
    client = client_for("fra_reader")
    assert client.get("/declarations/new").status_code == 403
    assert client.post("/declarations/new", form_data()).status_code == 403
    assert not Declaration.objects.exists()


def test_a_non_subscribing_state_sees_no_declarations(personas):
    client = client_for("prk_user")
    assert client.get("/declarations/").status_code == 403
    assert client.get("/declarations/new").status_code == 403


def test_the_icc_enters_a_declaration_on_a_states_behalf_and_it_is_marked(personas):
    client = client_for("icc")
    html = client.post("/declarations/new", form_data()).content.decode()
    assert "the ICC must name the state it acts for" in field_chunk(html, "on_behalf_of")
    response = send(client, form_data(on_behalf_of="FRA"))
    assert response.status_code == 302
    detail = client.get(f"/declarations/FRA/{LAST_YEAR}").content.decode()
    assert "entered by the ICC" in detail

    # "Start from the current declaration" opens the form prefilled for that state and year.
    load = {"action": "load", "year": str(LAST_YEAR), "on_behalf_of": "FRA"}
    response = client.post("/declarations/new", load)
    assert response["Location"] == f"/declarations/new?year={LAST_YEAR}&on_behalf_of=FRA"
    form = client.get(response["Location"]).content.decode()
    assert '<option value="FRA" selected>' in form and "Deterrence policy outline." in form


def test_the_list_filters_by_year_and_state_and_highlights_differences(personas):
    _launches(personas)
    fra = client_for("fra_submitter")
    assert send(fra, form_data()).status_code == 302
    jpn_body = form_data(
        bm_policy="",
        bm_sites=[],
        bm_system_0_class="",
        bm_system_0_name="",
        bm_count_SLBM="",
        slv_sites=["JPN-TANEGASHIMA"],
        **{"slv_count_SLV-medium": "0"},
    )
    assert send(client_for("jpn_submitter"), jpn_body).status_code == 302

    reader = client_for("jpn_reader")
    everything = reader.get("/declarations/").content.decode()
    assert f'href="/declarations/FRA/{LAST_YEAR}"' in everything
    assert f'href="/declarations/JPN/{LAST_YEAR}"' in everything
    assert 'class="badge changed">SLV-medium 2/2' not in everything
    assert 'class="badge changed" dir="ltr">SLBM 1/0 (+1)' in everything
    only_japan = reader.get(f"/declarations/?year={LAST_YEAR}&state=JPN").content.decode()
    assert "/declarations/JPN/" in only_japan and "/declarations/FRA/" not in only_japan
    assert b"No declarations match." in reader.get(f"/declarations/?year={LAST_YEAR - 3}").content


def test_the_detail_page_shows_the_crosscheck_and_an_unknown_declaration_is_404(personas):
    _launches(personas)
    client = client_for("fra_submitter")
    response = send(client, form_data(observers_invites="yes", observers_details="At Kourou"))
    assert response.status_code == 302
    detail = client_for("jpn_reader").get(f"/declarations/FRA/{LAST_YEAR}")
    html = detail.content.decode()
    assert detail.status_code == 200
    assert crosscheck_rows(html) == {"SLBM": [1, 0, 1, 1], "SLV-medium": [2, 2, 0, 0]}
    assert "Invites observers." in html and "At Kourou" in html and "M51" in html
    assert client.get(f"/declarations/JPN/{LAST_YEAR}").status_code == 404


def assert_no_inline_code(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<[^>]+\sstyle=", html)
    assert not re.search(r"<[^>]+\son[a-z]+=", html)


def test_declaration_pages_have_no_inline_scripts_nor_styles(personas):
    _launches(personas)
    client = client_for("fra_submitter")
    assert send(client, form_data()).status_code == 302
    assert send(client, form_data(remarks="Second thoughts.")).status_code == 302
    for url in ["/declarations/", "/declarations/new", f"/declarations/FRA/{LAST_YEAR}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_inline_code(response.content.decode())
    assert_no_inline_code(client.post("/declarations/new", form_data(year="1999")).content.decode())
    assert_no_inline_code(client.post("/declarations/preview", form_data()).content.decode())
    assert_no_inline_code(client.post("/declarations/new", form_data()).content.decode())  # review
