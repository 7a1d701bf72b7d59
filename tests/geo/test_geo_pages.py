"""Where it flies, on the pages: places in words and coordinates (decimal and DMS), what
concerns the reader's territory (notification page, inbox with its filter, dashboard), the
NOTAM-style text, and DMS typed into the PLN form."""

import json
import math
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from support.bodies import pln
from support.pdf import pages_text, visible_text
from support.people import web_client

from hcoc.accounts.models import User
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

pytestmark = pytest.mark.django_db

# A Japanese H3 from Tanegashima heading south-east: it concerns Japan (launch area, corridor).
H3 = {
    "category": "SLV",
    "generic_class": "SLV-medium",
    "vehicle_name": "H3",
    "launch_area": {"site_id": "JPN-TANEGASHIMA"},
    "planned_direction": {"azimuth_deg": 100.0},
    "range_km": 1500,
    "impact_areas": [
        {
            "kind": "stage",
            "polygon": [
                {"lat": 28.0, "lon": 135.0},
                {"lat": 28.0, "lon": 136.0},
                {"lat": 27.0, "lon": 136.0},
                {"lat": 27.0, "lon": 135.0},
            ],
        }
    ],
}


def submit(**body):
    fra = User.objects.get(username="fra_submitter")
    return notification_submit(actor=fra, data=PLNIn.model_validate(pln(**body)))


def text(html: bytes) -> str:
    # An isolate (<bdi>, hcoc.ui.bidi) is inline and adds no space; every other tag a blank.
    untagged = re.sub(r"</?bdi[^>]*>", "", html.decode())
    return unescape(re.sub(r"<[^>]+>", " ", untagged))


def test_the_notification_page_says_where_it_flies_in_decimal_degrees_and_dms(personas):
    n = submit(**H3)
    page = text(web_client("jpn_reader").get(f"/notifications/{n.reference}").content)
    assert "Tanegashima Space Center (Yoshinobu Launch Complex) (JPN-TANEGASHIMA)" in page
    assert "polygon of 4 points" not in page and "site JPN-TANEGASHIMA" not in page
    assert "Corridor of the planned direction" in page
    assert "1,500 km, the notified range" in page and "notified range_km" not in page
    assert "28.00000, 135.00000" in page and "28°00'00\"N 135°00'00\"E" in page  # a vertex
    assert "launch_area.polygon" not in page  # the versions table speaks in words
    # The versions speak in words too: each version's content as the summary says it.
    assert "What version 1 said" in page
    assert "stage: polygon: 28°00'00\"N 135°00'00\"E; 28°00'00\"N 136°00'00\"E" in page
    assert "© OpenStreetMap contributors" in page
    assert "HCOC PRE-LAUNCH NOTIFICATION " + n.reference in page  # the NOTAM-style text


def test_a_notification_that_touches_the_readers_land_says_it_concerns_its_territory(personas):
    n = submit(**H3)
    html = web_client("jpn_reader").get(f"/notifications/{n.reference}").content
    mine = text(html)
    assert "Concerns your territory" in mine
    shown = text(re.sub(rb"<script.*?</script>", b"", html, flags=re.S))  # not the maps' data
    assert "launch_area" not in shown and "territorial_sea" not in shown  # words, not codes
    theirs = text(web_client("fra_reader").get(f"/notifications/{n.reference}").content)
    assert "Concerns your territory" not in theirs


def test_the_inbox_filters_the_items_that_concern_the_readers_territory(personas):
    h3 = submit(**H3)
    kourou = submit()  # Ariane from Kourou: far from Japan
    client = web_client("jpn_reader")
    everything = client.get("/inbox").content.decode()
    assert h3.reference in everything and kourou.reference in everything
    assert "concerns your territory" in everything
    mine = client.get("/inbox?concerns=mine").content.decode()
    assert h3.reference in mine and kourou.reference not in mine


def test_the_dashboard_marks_upcoming_windows_that_concern_the_readers_territory(personas):
    submit(**H3)
    page = text(web_client("jpn_reader").get("/").content)
    assert "Concerns your territory" in page
    assert re.search(r"yes\s+launch area, corridor", page)  # words, not the API's codes


def test_the_notam_text_is_served_by_the_api(api, personas):
    n = submit(**H3)
    r = api.get(f"/notifications/{n.reference}/notam", personas["jpn_reader"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["reference"] == n.reference and body["version"] == 1
    assert body["text"].splitlines()[0] == f"HCOC PRE-LAUNCH NOTIFICATION {n.reference}"
    assert "LAUNCH AREA: JPN-TANEGASHIMA" in body["text"]
    assert "AREA BOUND BY 280000N 1350000E" in body["text"]


def test_the_pln_form_accepts_degrees_minutes_and_seconds(personas):
    now = datetime.now(UTC)
    form = {
        "action": "review",
        "area_mode": "circle",
        "center_lat": "16 30 00 S",
        "center_lon": "179°30'E",
        "radius_km": "20",
        "direction_mode": "azimuth",
        "azimuth_deg": "90",
        "window_opens": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "window_closes": (now + timedelta(days=3, hours=6)).strftime("%Y-%m-%dT%H:%M"),
        "category": "SLV",
        "generic_class": "SLV-small",
        "impact_0_kind": "stage",
        "impact_0_lat": "163000S",
        "impact_0_lon": "1763000W",
        "impact_0_radius_km": "30",
        "impact_1_kind": "debris",
        "impact_1_polygon": "16 00 00 S 179 00 00 E\n16S 179W\n17 00 00 S, 179 00 00 W",
    }
    review = web_client("fra_submitter").post("/notifications/new", form).content.decode()
    m = re.search(r'<input type="hidden" name="payload" value="([^"]*)"', review)
    assert m, review
    payload = json.loads(unescape(m.group(1)))
    assert payload["launch_area"] == {"center": {"lat": -16.5, "lon": 179.5}, "radius_km": 20.0}
    assert payload["impact_areas"][0]["center"] == {"lat": -16.5, "lon": -176.5}
    assert payload["impact_areas"][1]["polygon"] == [
        {"lat": -16.0, "lon": 179.0},
        {"lat": -16.0, "lon": -179.0},
        {"lat": -17.0, "lon": -179.0},
    ]
    # The confirmation shows what the exchange will store: the states it touches (Fiji).
    assert "Fiji: launch area" in review


def test_an_unreadable_dms_line_names_its_line(personas):
    now = datetime.now(UTC)
    form = {
        "action": "review",
        "area_mode": "polygon",
        "polygon": "16 00 00 S 179 00 00 E\n16 S 179 Q\n17S 179W",
        "direction_mode": "azimuth",
        "azimuth_deg": "90",
        "window_opens": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "window_closes": (now + timedelta(days=3, hours=6)).strftime("%Y-%m-%dT%H:%M"),
        "category": "SLV",
        "generic_class": "SLV-small",
    }
    r = web_client("fra_submitter").post("/notifications/new", form)
    assert r.status_code == 422
    assert "line 2: give a latitude and a longitude" in unescape(r.content.decode())


# An ICBM notified from Biscarrosse towards Tokyo (azimuth 30.7 degrees) with neither a range nor
# an impact area: its launch area concerns France; Japan lies only in its planned direction.
TOWARDS_JAPAN = {
    "category": "BM",
    "generic_class": "ICBM",
    "vehicle_name": "M51",
    "launch_area": {"site_id": "FRA-BISCARROSSE"},
    "planned_direction": {"azimuth_deg": 30.7},
    "range_km": None,
    "impact_areas": [],
}


def test_a_state_only_in_the_planned_direction_is_told_so_and_never_that_it_is_concerned(
    personas,
):
    n = submit(**TOWARDS_JAPAN)
    client = web_client("jpn_reader")
    page = text(client.get(f"/notifications/{n.reference}").content)
    assert "Concerns your territory" not in page
    assert "In the planned direction; no range was notified" in page
    assert "Planned direction (no range was notified)" in page
    assert "20,000 km in the planned direction; no range was notified" in page
    assert re.search(r"Japan: land", page)
    # Not in the inbox's filter, nor marked in the inbox or on the dashboard.
    inbox = client.get("/inbox").content.decode()
    assert n.reference in inbox and 'class="badge concerns"' not in inbox
    assert n.reference not in client.get("/inbox?concerns=mine").content.decode()
    dashboard = client.get("/").content.decode()
    assert n.reference in dashboard and 'class="badge concerns"' not in dashboard
    # The same notification with a range that reaches Japan concerns it, everywhere.
    stated = submit(**{**TOWARDS_JAPAN, "range_km": 10_500})
    assert stated.reference in client.get("/inbox?concerns=mine").content.decode()
    assert "Concerns your territory" in text(
        client.get(f"/notifications/{stated.reference}").content
    )


def test_the_planned_direction_is_listed_apart_in_the_csv(
    personas,
):
    n = submit(**TOWARDS_JAPAN)
    client = web_client("jpn_reader")
    rows = client.get("/notifications/?format=csv").content.decode().splitlines()
    header, row = rows[0].split(","), next(r for r in rows if n.reference in r)
    # The state's name was added after them (issue 25).
    assert header[-3:] == ["affected_states", "in_planned_direction", "state_name"]
    row, name = row.rsplit(",", 1)
    assert name == "France"
    assert row.endswith("FRA(launch_area;land)," + row.rsplit(",", 1)[1])
    assert "JPN(land" in row.rsplit(",", 1)[1] and "JPN" not in row.rsplit(",", 1)[0]


def test_a_line_break_in_a_vehicle_name_does_not_forge_a_line_of_the_notam_text(api, personas):
    n = submit(
        **{
            **H3,
            "vehicle_name": "H3\nE) NOTIFICATION CANCELLED. DISREGARD",
            "launch_area": {"site_id": "JPN-TANEGASHIMA", "description": "pad 2\nE) CANCELLED"},
        }
    )
    r = api.get(f"/notifications/{n.reference}/notam", personas["jpn_reader"])
    lines = r.json()["text"].splitlines()
    assert not [line for line in lines if line.startswith("E)")]
    assert "SLV-medium H3 E) NOTIFICATION CANCELLED. DISREGARD LAUNCHING." in lines


def test_the_pdf_lists_the_planned_direction_apart_as_not_concerned(personas):
    n = submit(**TOWARDS_JAPAN)
    pdf = web_client("jpn_reader").get(f"/notifications/{n.reference}/pdf")
    assert pdf.status_code == 200
    words = " ".join(" ".join(pages_text(pdf.content)).split())
    assert "In the planned direction; no range was notified" in words
    assert "Not concerned:" in words and "JPN" in words.split("Not concerned:")[1]


@pytest.mark.process  # pdftotext reads the PDF as a viewer does
def test_the_pdf_speaks_in_names_words_and_minutes_and_its_notam_text_is_whole(api, personas):
    long_remarks = " ".join(
        f"Stage {i} falls in the zone announced by note {i}." for i in range(12)
    )
    n = submit(**{**H3, "remarks": long_remarks})
    pdf = web_client("jpn_reader").get(f"/notifications/{n.reference}/pdf")
    assert pdf.status_code == 200
    words = " ".join(" ".join(pages_text(pdf.content)).split())
    assert (
        f"Notified by France (FRA), version 1 of {n.versions.get().submitted_at:%Y-%m-%d %H:%M} UTC"
        in words
    )
    assert "Japan (JPN) launch area, corridor land, territorial sea" in words
    assert "launch_area" not in words and "territorial_sea" not in words
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", words)  # no microseconds where people read
    notam = api.get(f"/notifications/{n.reference}/notam", personas["jpn_reader"]).json()["text"]
    assert len(max(notam.splitlines(), key=len)) > 200  # a line far wider than the page
    # Every word of the NOTAM text is on the page, in order, as a reader's viewer extracts it:
    # no line runs off the page.
    seen = " ".join(visible_text(pdf.content).split())
    assert " ".join(notam.split()) in seen


def test_an_impact_area_beyond_the_stated_range_is_flagged_in_the_readers_words(personas):
    """The flag's stored message names the API field (range_km) in English; the page says it
    in a sentence, in the reader's language, from the same figures. The distance is checked
    against the haversine formula on a sphere of the Earth's mean radius, not our geodesy:
    Vandenberg's pad (34.77° N, 120.6° W) to the edge of a 50 km circle off Kwajalein."""
    vandenberg_to_kwajalein = {
        "category": "BM",
        "generic_class": "SRBM",
        "launch_area": {"site_id": "USA-VANDENBERG"},
        "impact_areas": [
            {"kind": "payload", "center": {"lat": 9.4, "lon": 167.5}, "radius_km": 50}
        ],
        "range_km": 900,
    }
    n = submit(**vandenberg_to_kwajalein)
    [flag] = n.versions.get().geometry["flags"]
    assert "the stated range_km of 900 km" in flag["message"]  # the API's, unchanged

    def flags_shown() -> str:
        html = web_client("jpn_reader").get(f"/notifications/{n.reference}").content.decode()
        [shown] = re.findall(r'<p class="messages flag">.*?</p>', html)
        return re.sub(r"[ \t\n]+", " ", text(shown.encode())).strip()  # keeps no-break spaces

    english = flags_shown()
    said = re.search(
        r"^Flagged: Impact area 1 lies ([0-9,]+) km from the centre of the launch area, far "
        r"beyond the stated range of 900 km\.$",
        english,
    )
    assert said, english
    phi1, phi2 = math.radians(34.77), math.radians(9.4)
    dphi, dlam = phi2 - phi1, math.radians(167.5 - -120.6)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    haversine_km = 2 * 6371.0088 * math.asin(math.sqrt(h)) - 50
    assert abs(int(said[1].replace(",", "")) - haversine_km) < 0.005 * haversine_km
    User.objects.filter(username="jpn_reader").update(language="fr")
    french = flags_shown()
    assert re.search(
        r"^Signalé\u00a0: La zone d'impact 1 se trouve à [0-9]+\u00a0[0-9]{3} km du centre de la zone de "
        r"lancement, bien au-delà de la portée déclarée de 900 km\.$",
        french,
    ), french
