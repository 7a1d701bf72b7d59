"""Coordinates people read and type: DMS and the compact form of navigational warnings, to and
from decimal degrees (hcoc.lib.geo.coords)."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hcoc.lib.geo.coords import (
    format_angle,
    format_position,
    notam_angle,
    notam_position,
    parse_angle,
    parse_position,
)

SETTINGS = settings(max_examples=200, deadline=None)
lats = st.floats(-90, 90, allow_nan=False)
lons = st.floats(-180, 180, allow_nan=False)
ONE_SECOND = 1 / 3600


@SETTINGS
@given(lats, lons)
def test_dms_text_reads_back_to_within_half_a_second(lat, lon):
    back_lat, back_lon = parse_position(format_position(lat, lon))
    assert back_lat == pytest.approx(lat, abs=ONE_SECOND / 2 + 1e-12)
    assert back_lon == pytest.approx(lon, abs=ONE_SECOND / 2 + 1e-12)


@SETTINGS
@given(lats, lons)
def test_tenths_of_a_second_read_back_to_within_a_twentieth(lat, lon):
    text = format_position(lat, lon, seconds_decimals=1)
    back_lat, back_lon = parse_position(text)
    assert back_lat == pytest.approx(lat, abs=ONE_SECOND / 20 + 1e-12)
    assert back_lon == pytest.approx(lon, abs=ONE_SECOND / 20 + 1e-12)


@SETTINGS
@given(lats, lons)
def test_the_compact_warning_form_reads_back(lat, lon):
    back_lat, back_lon = parse_position(notam_position(lat, lon))
    assert back_lat == pytest.approx(lat, abs=ONE_SECOND / 2 + 1e-12)
    assert back_lon == pytest.approx(lon, abs=ONE_SECOND / 2 + 1e-12)
    minutes_lat, minutes_lon = parse_position(notam_position(lat, lon, seconds=False))
    assert minutes_lat == pytest.approx(lat, abs=1 / 120 + 1e-12)
    assert minutes_lon == pytest.approx(lon, abs=1 / 120 + 1e-12)


@SETTINGS
@given(st.integers(0, 89), st.integers(0, 59), st.integers(0, 59), st.sampled_from("NS"))
def test_whole_seconds_survive_a_round_trip_exactly(d, m, s, hemisphere):
    assume(d or m or s)  # 0°00'00" is written N: the equator has no south
    text = f"{d}°{m:02d}'{s:02d}\"{hemisphere}"
    assert format_angle(parse_angle(text), "lat") == text


def test_the_equator_and_the_prime_meridian_are_north_and_east():
    assert format_position(-0.0, -0.0) == "0°00'00\"N 0°00'00\"E"


def test_rounding_carries_into_the_next_minute_and_degree():
    assert format_angle(34.99999, "lat") == "35°00'00\"N"
    assert notam_angle(-120.999999, "lon") == "1210000W"
    assert notam_angle(0.5, "lat", seconds=False) == "0030N"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("34°43'57\"N 120°34'06\"W", (34.7325, -120.568333)),
        ("34 43 57 N 120 34 06 W", (34.7325, -120.568333)),
        ("34 43 57 N, 120 34 06 W", (34.7325, -120.568333)),
        ("344357N 1203406W", (34.7325, -120.568333)),
        ("3430N 12040W", (34.5, -120.666667)),
        ("N34.7325 W120.5685", (34.7325, -120.5685)),
        ("34.7325, -120.5685", (34.7325, -120.5685)),
        ("34.7325 -120.5685", (34.7325, -120.5685)),
        ("120°34'06\"W 34°43'57\"N", (34.7325, -120.568333)),
        ("9°00′00″S 167°43′12″E", (-9.0, 167.72)),
    ],
)
def test_positions_as_people_type_them(text, expected):
    lat, lon = parse_position(text)
    assert (lat, lon) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("text", "axis", "expected"),
    [
        ("34 43 57 N", None, 34.7325),
        ("-120.5685", "lon", -120.5685),
        ("120.5685W", None, -120.5685),
        ("34 43.95 N", None, 34.7325),
        ("1203406W", None, -120.568333),
        ("3443.5N", None, 34.725),
        ("+45", "lat", 45.0),
    ],
)
def test_single_angles(text, axis, expected):
    assert parse_angle(text, axis) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("text", "axis", "reason"),
    [
        ("95N", None, "at most 90"),
        ("181 00 00 E", None, "at most 180"),
        ("34 61 00 N", None, "under 60"),
        ("34 43.5 10 N", None, "only the last"),
        ("-34N", None, "not both"),
        ("N34 S", None, "two hemisphere letters"),
        ("34N", "lon", "not a hemisphere of a longitude"),
        ("1234567N", None, "DDMM or DDMMSS"),
        ("north", None, "not a coordinate"),
        ("", None, "not a coordinate"),
    ],
)
def test_what_is_not_a_coordinate_says_why(text, axis, reason):
    with pytest.raises(ValueError, match=reason):
        parse_angle(text, axis)


def test_a_position_needs_a_latitude_and_a_longitude():
    with pytest.raises(ValueError, match="not a position"):
        parse_position("34.7325")
    with pytest.raises(ValueError, match="at most 90"):
        parse_position("120.5 34.7")  # two decimals are latitude first
