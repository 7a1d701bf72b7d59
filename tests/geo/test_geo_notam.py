"""A notification as navigational-warning text (hcoc.lib.geo.notam)."""

from datetime import UTC, datetime

from hcoc.lib.geo.notam import notam_text, window_text

SITES = {"USA-VANDENBERG": (34.7420, -120.5724)}

SAMPLE = {
    "category": "BM",
    "generic_class": "ICBM",
    "vehicle_name": "Minuteman III",
    "test_flight": True,
    "window": {"opens": "2026-12-03T06:00:00Z", "closes": "2026-12-03T12:00:00Z"},
    "launch_area": {"site_id": "USA-VANDENBERG"},
    "planned_direction": {"azimuth_deg": 250.0},
    "impact_areas": [
        {"kind": "payload", "center": {"lat": 9.4, "lon": 167.5}, "radius_km": 50},
        {
            "kind": "stage",
            "polygon": [
                {"lat": 10, "lon": 178},
                {"lat": 10, "lon": -178},
                {"lat": 6, "lon": -178},
                {"lat": 6, "lon": 178},
            ],
        },
    ],
    "range_km": 6750,
    "apogee_km": 1100,
    "remarks": "Operational test.",
}


def test_a_pln_reads_like_a_navigational_warning():
    assert notam_text(SAMPLE, site_lookup=SITES.get, reference="USA-2026-0001") == (
        "HCOC PRE-LAUNCH NOTIFICATION USA-2026-0001\n"
        "ICBM MINUTEMAN III LAUNCHING. TEST FLIGHT.\n"
        "030600 UTC TO 031200 UTC DEC 26.\n"
        "LAUNCH AREA: USA-VANDENBERG 344431N 1203421W.\n"
        "DIRECTION 250 DEG TRUE. RANGE 6750 KM. APOGEE 1100 KM.\n"
        "IMPACT AREAS:\n"
        "A. PAYLOAD: WITHIN 50 KM (27 NM) OF 092400N 1673000E.\n"
        "B. STAGE: AREA BOUND BY 100000N 1780000E, 100000N 1780000W, 060000N 1780000W, "
        "060000N 1780000E.\n"
        "REMARKS: OPERATIONAL TEST."
    )


def test_a_sector_an_unknown_site_and_no_window():
    content = {
        "generic_class": "SLBM",
        "launch_area": {"site_id": "XXX-NOWHERE", "description": "Barents Sea"},
        "planned_direction": {"azimuth_from_deg": 60, "azimuth_to_deg": 90.5},
    }
    assert notam_text(content, site_lookup=SITES.get) == (
        "HCOC PRE-LAUNCH NOTIFICATION\n"
        "SLBM LAUNCHING.\n"
        "LAUNCH AREA: XXX-NOWHERE (BARENTS SEA).\n"
        "DIRECTION SECTOR 60 TO 90.5 DEG TRUE."
    )


def test_a_window_across_months_and_years_names_both():
    dec = datetime(2026, 12, 31, 22, 0, tzinfo=UTC)
    assert window_text(datetime(2026, 11, 30, 22, 0, tzinfo=UTC), dec) == (
        "302200 UTC NOV TO 312200 UTC DEC 26"
    )
    assert window_text(dec, datetime(2027, 1, 1, 4, 0, tzinfo=UTC)) == (
        "312200 UTC DEC 26 TO 010400 UTC JAN 27"
    )


# A line break typed into a free text would start a line of its own in the warning, which an
# operations centre reads line by line (issue 22).
FORGED_LINE = "Ariane\nE) NOTIFICATION CANCELLED. DISREGARD"


def test_line_breaks_and_control_characters_in_free_text_stay_inside_their_own_line():
    content = {
        **SAMPLE,
        "vehicle_name": FORGED_LINE,
        "impact_areas": [
            {
                **SAMPLE["impact_areas"][0],
                "description": "near\r\natoll\u2028E) CANCELLED\x0bX\x1b[2J\x85Y",
            }
        ],
        "remarks": "ok\u2029E) DISREGARD\fZ",
    }
    text = notam_text(content, site_lookup=SITES.get, reference="USA-2026-0001")
    lines = text.split("\n")
    assert lines[1] == "ICBM ARIANE E) NOTIFICATION CANCELLED. DISREGARD LAUNCHING. TEST FLIGHT."
    assert lines[6] == (
        "A. PAYLOAD: WITHIN 50 KM (27 NM) OF 092400N 1673000E (NEAR ATOLL E) CANCELLED X [2J Y)."
    )
    assert lines[7] == "REMARKS: OK E) DISREGARD Z"
    assert len(lines) == 8 and text.splitlines() == lines  # no line break of any kind inside
    assert all(ch.isprintable() for line in lines for ch in line)
