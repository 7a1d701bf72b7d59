"""The formats a notification's geography travels in: CSV with every area, GeoJSON and KML of
one notification and of a filtered list, an iCalendar feed of launch windows at a secret URL,
and a printable PDF with the map and the marking."""

import base64
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zlib

import icalendar
import pytest
from django.test import Client
from support.bodies import ACROSS_180, FIJI, pln
from support.people import web_client

from hcoc.accounts.models import User
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_cancel, notification_submit

pytestmark = pytest.mark.django_db

FIJI = {
    **FIJI,
    "impact_areas": [
        *FIJI["impact_areas"],
        {"kind": "debris", "polygon": ACROSS_180, "description": "first stage"},
    ],
}
KML = "{http://www.opengis.net/kml/2.2}"


def pdf_text(pdf: bytes) -> str:
    """The page streams of a reportlab PDF (ASCII85 over Flate), decoded: enough to find the
    words drawn on its pages without a PDF library."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = stream.strip()
        try:
            if data.endswith(b"~>"):
                data = base64.a85decode(data[:-2])
            out.append(zlib.decompress(data).decode("latin-1"))
        except (ValueError, zlib.error):
            continue
    return "\n".join(out)


def submit(**body):
    fra = User.objects.get(username="fra_submitter")
    return notification_submit(actor=fra, data=PLNIn.model_validate(pln(**body)))


def test_the_csv_export_carries_every_area_with_its_coordinates(personas):
    n = submit(**FIJI)
    r = web_client("jpn_reader").get("/notifications/?format=csv")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(r.content.decode()))}
    row = rows[n.reference]
    assert row["launch_area"] == "polygon -16 179; -16 -179; -18 -179; -18 179"
    assert row["impact_areas"] == (
        "payload: circle -17.5 -176.5 r=40 km | "
        "debris: polygon -16 179; -16 -179; -18 -179; -18 179 (first stage)"
    )
    assert row["corridor_length_km"] == "400" and row["corridor_length_source"] == "range_km"
    assert row["affected_states"].startswith("FJI(launch_area+corridor")


def test_a_notification_as_geojson_on_its_page_and_in_the_api(api, personas):
    n = submit(**FIJI)
    page = web_client("jpn_reader").get(f"/notifications/{n.reference}/geojson")
    assert page["Content-Type"] == "application/geo+json"
    doc = json.loads(page.content)
    assert doc["type"] == "FeatureCollection"
    assert "© OpenStreetMap contributors" in doc["attribution"]
    parts = [(f["properties"]["part"], f["geometry"]["type"]) for f in doc["features"]]
    # The launch area and the debris area cross 180: split into two polygons, as stored.
    assert parts == [
        ("launch_area", "MultiPolygon"),
        ("corridor", "MultiPolygon"),
        ("impact_area", "Polygon"),
        ("impact_area", "MultiPolygon"),
    ]
    assert {f["properties"]["reference"] for f in doc["features"]} == {n.reference}
    assert doc["features"][1]["properties"]["length_source"] == "range_km"
    via_api = api.get(f"/notifications/{n.reference}/geojson", personas["jpn_reader"])
    assert via_api.status_code == 200 and via_api.json() == doc


def test_the_filtered_list_as_geojson_and_kml(personas):
    fiji = submit(**FIJI)
    kourou = submit()  # an SLV from Kourou
    client = web_client("jpn_reader")
    doc = json.loads(client.get("/notifications/?format=geojson&category=BM").content)
    assert {f["properties"]["reference"] for f in doc["features"]} == {fiji.reference}
    r = client.get("/notifications/?format=kml")
    assert r["Content-Type"] == "application/vnd.google-earth.kml+xml"
    root = ET.fromstring(r.content)  # noqa: S314  (our own server's answer in a test)
    folders = {f.find(f"{KML}name").text.split()[0]: f for f in root.iter(f"{KML}Folder")}
    assert set(folders) == {fiji.reference, kourou.reference}
    names = [p.find(f"{KML}name").text for p in folders[fiji.reference].iter(f"{KML}Placemark")]
    assert names == [
        f"{fiji.reference}: launch area",
        f"{fiji.reference}: corridor",
        f"{fiji.reference}: impact area 1 (payload)",
        f"{fiji.reference}: impact area 2 (debris)",
    ]
    # Coordinates are lon,lat; the launch area across 180 is two polygons.
    launch = next(folders[fiji.reference].iter(f"{KML}Placemark"))
    assert len(list(launch.iter(f"{KML}Polygon"))) == 2
    first = next(launch.iter(f"{KML}coordinates")).text.split()[0]
    lon, lat = (float(v) for v in first.split(","))
    assert abs(lon) >= 179 and -18 <= lat <= -16
    assert "OpenStreetMap" in r.content.decode()


def test_a_users_calendar_of_launch_windows_lives_at_a_secret_url(personas):
    n = submit(**FIJI)
    other = submit()
    client = web_client("jpn_reader")
    page = client.post("/notifications/calendar", {"action": "issue"})
    assert page["Cache-Control"] == "no-store"
    url = re.search(
        r"http://testserver(/notifications/calendar/[^<\s]+\.ics)", page.content.decode()
    )
    assert url, page.content
    notification_cancel(
        actor=User.objects.get(username="fra_submitter"), reference=other.reference, reason="x"
    )
    feed = Client().get(url.group(1))  # no session: the secret is the credential
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(feed.content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    mine = events[f"{n.reference}@hcoc-exchange"]
    assert mine["dtstart"].dt == n.window_opens and mine["dtend"].dt == n.window_closes
    assert str(mine["summary"]) == f"{n.reference} SRBM Test (FRA)"
    assert "Affected states: FJI" in str(mine["description"])
    assert str(events[f"{other.reference}@hcoc-exchange"]["status"]) == "CANCELLED"
    # A new address replaces the old one.
    client.post("/notifications/calendar", {"action": "issue"})
    assert Client().get(url.group(1)).status_code == 404


def test_a_calendar_stops_when_its_owner_no_longer_reads_the_exchange(personas):
    client = web_client("jpn_reader")
    page = client.post("/notifications/calendar", {"action": "issue"}).content.decode()
    url = re.search(r"http://testserver(/notifications/calendar/[^<\s]+\.ics)", page).group(1)
    User.objects.filter(username="jpn_reader").update(is_active=False)
    assert Client().get(url).status_code == 404


def test_a_notification_prints_as_a_pdf_with_its_map_page_numbers_and_marking(personas):
    n = submit(**FIJI)
    r = web_client("jpn_reader").get(f"/notifications/{n.reference}/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    text = pdf_text(r.content)
    assert "Hague Code of Conduct: for subscribing States only" in text
    assert re.search(r"Page 1 of \d", text)
    assert "OpenStreetMap contributors" in text
