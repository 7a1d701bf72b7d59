"""Valid request bodies of the published API, with fields overridden per test."""

from datetime import UTC, datetime, timedelta


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pln(**overrides) -> dict:
    """A valid PLN body (window in the coming days), with top-level fields overridden."""
    now = datetime.now(UTC).replace(microsecond=0)
    body = {
        "category": "SLV",
        "generic_class": "SLV-medium",
        "vehicle_name": "Ariane 6",
        "test_flight": False,
        "window": {
            "opens": iso(now + timedelta(days=3)),
            "closes": iso(now + timedelta(days=3, hours=6)),
        },
        "launch_area": {"site_id": "FRA-KOUROU"},
        "planned_direction": {"azimuth_deg": 90.0},
        "impact_areas": [
            {"kind": "stage", "center": {"lat": 10.0, "lon": -40.0}, "radius_km": 100}
        ],
        "range_km": 3000,
        "apogee_km": 200,
        "remarks": "Test notification.",
    }
    body.update(overrides)
    return body


def declaration(year: int, **overrides) -> dict:
    body = {
        "year": year,
        "nil": False,
        "ballistic_missiles": {
            "policy": "Deterrence policy outline.",
            "systems": [{"generic_class": "SLBM", "name": "M51"}],
            "launch_sites": [{"site_id": "FRA-BISCARROSSE"}],
            "launches": [{"generic_class": "SLBM", "count": 1}],
        },
        "space_launch_vehicles": {
            "policy": "Space policy outline.",
            "launch_sites": [{"site_id": "FRA-KOUROU"}],
            "launches": [{"generic_class": "SLV-medium", "count": 2}],
        },
        "observers": {"invites": False, "details": None},
        "remarks": "",
    }
    body.update(overrides)
    return body


def invitation(**overrides) -> dict:
    """A valid observer invitation of France, open to all, in five weeks' time."""
    today = datetime.now(UTC).date()
    body = {
        "site_id": "FRA-KOUROU",
        "opens": (today + timedelta(days=35)).isoformat(),
        "closes": (today + timedelta(days=37)).isoformat(),
        "access": "Launch control centre; observation site at 6 km; no access to the payload.",
        "audience": "all",
        "places": 3,
        "reply_by": (today + timedelta(days=20)).isoformat(),
        "remarks": "",
    }
    body.update(overrides)
    return body
