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


# A launch area of 2 x 2 degrees astride 180 degrees east of Vanua Levu, an SRBM heading east
# for 400 km, and its impact area round 178 W: every shape within a few degrees of 180.
ACROSS_180 = [
    {"lat": -16.0, "lon": 179.0},
    {"lat": -16.0, "lon": -179.0},
    {"lat": -18.0, "lon": -179.0},
    {"lat": -18.0, "lon": 179.0},
]
FIJI = {
    "category": "BM",
    "generic_class": "SRBM",
    "vehicle_name": "Test",
    "launch_area": {"polygon": ACROSS_180},
    "planned_direction": {"azimuth_deg": 100.0},
    "range_km": 400,
    "impact_areas": [{"kind": "payload", "center": {"lat": -17.5, "lon": -176.5}, "radius_km": 40}],
}


# The keys of a published notification that the exchange sets when it is sent; the rest is the
# sender's statement, which the PLN form's review shows beforehand.
SET_ON_SENDING = {
    "reference", "state", "version", "status", "submitted_at", "first_submitted_at",
    "lead_time_hours", "late", "entered_by_icc", "imported", "import_source", "prior_notice",
    "unnotified_reason", "launch_report", "cancellation", "seq",
}  # fmt: skip


def statement_bytes(published: dict) -> str:
    """The canonical bytes (RFC 8785) of a published notification's statement: what the review
    must have shown, byte for byte."""
    from hcoc.lib.canonical import canonical_dumps

    return canonical_dumps({k: v for k, v in published.items() if k not in SET_ON_SENDING})
