"""What the node shows its users of a notification and of the annual declarations, from its copy
alone (issue 26, part 2): the item's map is the exchange's map of the same notification, shape
for shape, though the item carries the corridor's parameters and not its band (the node draws it
again from the statement, fetching nothing); the declarations it holds, its state's and other
states', listed and each in words."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.test import Client, override_settings
from support.bodies import FIJI, declaration, pln
from support.node_pages import NODE_SETTINGS, exchange_items, node_store
from support.readable import readable_text

from hcoc.accounts.models import User
from hcoc.declarations.schemas import DeclarationIn
from hcoc.declarations.services import declaration_submit
from hcoc.exchange.models import Event
from hcoc.node.maps import item_map
from hcoc.notifications.maps import map_payload
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit

LAST_YEAR = datetime.now(UTC).year - 1
# From a catalogue site with a range; across 180 degrees from a polygon, with an impact area;
# with neither a range nor an impact area (only the planned direction, drawn apart).
STATEMENTS = {
    "site": pln(),
    "across-180": pln(**FIJI),
    "direction-only": pln(generic_class="SLV-medium", range_km=None, impact_areas=[]),
}


@pytest.fixture
def node(personas):
    with override_settings(**NODE_SETTINGS):
        yield Client()


def submitted(body: dict, username: str = "fra_submitter") -> tuple[str, int]:
    """(reference, seq) of a notification submitted to the exchange."""
    actor = User.objects.get(username=username)
    n = notification_submit(actor=actor, data=PLNIn.model_validate(body))
    return n.reference, Event.objects.get(subject=n.reference).seq


def map_block(html: str, element_id: str) -> dict:
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, f"no map data block #{element_id} on the page"
    return json.loads(found[1])


@pytest.mark.parametrize("statement", sorted(STATEMENTS))
def test_the_item_page_draws_the_exchanges_map_of_the_notification_from_the_item_alone(
    node, statement
):
    reference, seq = submitted(STATEMENTS[statement])
    [item] = exchange_items(seq)
    assert item["payload"]["corridor"]["geometry"] is None  # a slim item: no band in it
    node_store([item])

    page = node.get(f"/items/{seq}").content.decode()
    drawn = map_block(page, "item-map")
    # What the exchange's notification page gives map.js for the same version: the shapes it
    # stored when the version was written, the band included.
    exchange = map_payload([item["payload"]], link=False)
    assert drawn == json.loads(json.dumps(exchange)) == item_map(item["payload"])
    shapes = drawn["items"][0]["shapes"]
    assert shapes["corridor"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    tier = "planned_direction" if statement == "direction-only" else "concerned"
    assert shapes["corridor"]["properties"]["tier"] == tier
    # Drawn by this server's own files: Leaflet, the outlines, map.js; no tile server, no CDN.
    assert 'class="map" data-map-json="item-map"' in page
    assert "/static/hcoc/map.js" in page and "/static/vendor/leaflet/leaflet.js" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    text = readable_text(page)
    assert "Where it flies" in text and reference in text
    assert "States whose land or territorial sea it touches" in text


def test_a_notification_that_concerns_the_nodes_state_says_so(node):
    # Japan's node; a launch towards Japan, with an impact area off its coast.
    body = pln(
        category="BM",
        generic_class="MRBM",
        launch_area={"center": {"lat": 39.0, "lon": 125.7}, "radius_km": 10},
        planned_direction={"azimuth_deg": 90.0},
        impact_areas=[{"kind": "payload", "center": {"lat": 40.0, "lon": 139.7}, "radius_km": 30}],
        range_km=1200,
    )
    _, seq = submitted(body)
    node_store(exchange_items(seq))
    text = readable_text(node.get(f"/items/{seq}").content.decode())
    assert "Concerns Japan" in text


def test_the_node_lists_the_declarations_it_holds_and_shows_each_in_words(node):
    fra, jpn = (User.objects.get(username=u) for u in ("fra_submitter", "jpn_submitter"))
    first = declaration_submit(actor=fra, data=DeclarationIn.model_validate(declaration(LAST_YEAR)))
    seqs = [first.versions.get(version=1).seq]
    body = declaration(LAST_YEAR, remarks="Second version: one more SLBM flight.")
    body["ballistic_missiles"]["launches"] = [{"generic_class": "SLBM", "count": 2}]
    again = declaration_submit(actor=fra, data=DeclarationIn.model_validate(body))
    seqs.append(again.versions.get(version=2).seq)
    japan = declaration_submit(
        actor=jpn,
        data=DeclarationIn.model_validate(
            declaration(LAST_YEAR, nil=True, ballistic_missiles=None, space_launch_vehicles=None)
        ),
    )
    seqs.append(japan.versions.get(version=1).seq)
    node_store(exchange_items(*seqs))

    listing = node.get("/declarations/")
    assert listing.status_code == 200
    text = readable_text(listing.content.decode())
    assert "France" in text and "Japan" in text and str(LAST_YEAR) in text
    assert f'href="/declarations/FRA/{LAST_YEAR}"' in listing.content.decode()

    page = node.get(f"/declarations/FRA/{LAST_YEAR}").content.decode()
    text = readable_text(page)
    assert f"Annual declaration of France for {LAST_YEAR}" in text
    assert "Deterrence policy outline." in text and "Second version: one more SLBM flight." in text
    assert "Guiana Space Centre" in text  # the site by its name, from the shipped catalogue
    assert re.search(r'data-class="SLBM"><th scope="row">SLBM</th><td class="num">2</td>', page)
    for seq in seqs[:2]:  # both versions, each linking to its item
        assert f'href="/items/{seq}"' in page
    item_page = node.get(f"/items/{seqs[2]}").content.decode()
    assert f'href="/declarations/JPN/{LAST_YEAR}"' in item_page
    assert "Nil declaration" in readable_text(
        node.get(f"/declarations/jpn/{LAST_YEAR}").content.decode()
    )
    for missing in (f"/declarations/DEU/{LAST_YEAR}", "/declarations/FRA/99999999999999999999999"):
        assert node.get(missing).status_code == 404, missing
