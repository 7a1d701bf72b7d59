"""The published PLN formats (docs/formats.md). Shape rules live here; rules that need the database
or the clock (site exists, window still open) live in services.py."""

from datetime import datetime
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from hcoc.lib.geometry import polygon_problem
from hcoc.lib.rule_tools import context_value, validate_with_rules
from hcoc.lib.timeutil import Rfc3339
from hcoc.lib.vocabulary import GENERIC_CLASSES
from hcoc.ui.schemas import StrictSchema

from . import rules

# Every time field is an Rfc3339 (hcoc.lib.timeutil, where the ledger can reach it too): RFC 3339
# text with a zone, in UTC, 422 when an offset carries it out of the calendar.
Number = Annotated[float, Field(strict=True)]  # JSON numbers only; "9.4" as text is refused
NATIONAL_REFERENCE_MAX = 100
REASON_MAX = 4000
# Text a person types beside the content: surrounding blanks dropped before the length is judged.
NationalReference = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=NATIONAL_REFERENCE_MAX)
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=REASON_MAX)]


def _blank_is_absent(value: str | None) -> str | None:
    """ "" (or only blanks) is no note at all: stored and published as absent."""
    return value or None


class LatLon(StrictSchema):
    lat: Number = Field(ge=-90, le=90)
    lon: Number = Field(ge=-180, le=180)


class Area(StrictSchema):
    """Exactly one of: a catalogue site, a circle (center + radius_km), a polygon."""

    site_id: str | None = Field(None, min_length=1, max_length=60, examples=["USA-VANDENBERG"])
    center: LatLon | None = None
    radius_km: Number | None = Field(None, gt=0, le=2000)
    polygon: list[LatLon] | None = Field(None, min_length=3, max_length=1000)
    description: str | None = Field(None, max_length=500)

    @field_validator("polygon")
    @classmethod
    def _simple_polygon(cls, value: list[LatLon] | None) -> list[LatLon] | None:
        if value is not None:
            problem = polygon_problem([(p.lon, p.lat) for p in value])
            if problem:
                raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _exactly_one_shape(self) -> "Area":
        given = [n for n in ("site_id", "center", "polygon") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(_("give exactly one of site_id, center (with radius_km) or polygon"))
        if self.center is not None and self.radius_km is None:
            raise ValueError(_("radius_km is required with center"))
        if self.center is None and self.radius_km is not None:
            raise ValueError(_("radius_km is only allowed with center"))
        return self


class ImpactArea(Area):
    kind: Literal["payload", "stage", "fairing", "debris"]


class Window(StrictSchema):
    opens: Rfc3339
    closes: Rfc3339

    @field_validator("closes")
    @classmethod
    def _after_opens(cls, closes: datetime, info: ValidationInfo) -> datetime:
        opens = info.data.get("opens")
        if opens is not None:
            if closes <= opens:
                raise ValueError(_("must be after window.opens"))
            if (closes - opens).total_seconds() > 30 * 86400:
                raise ValueError(_("a window may last at most 30 days"))
        return closes


class Direction(StrictSchema):
    """One azimuth, or a sector clockwise from azimuth_from_deg to azimuth_to_deg (<= 180 deg)."""

    azimuth_deg: Number | None = Field(None, ge=0, lt=360)
    azimuth_from_deg: Number | None = Field(None, ge=0, lt=360)
    azimuth_to_deg: Number | None = Field(None, ge=0, lt=360)

    @model_validator(mode="after")
    def _one_form(self) -> "Direction":
        single = self.azimuth_deg is not None
        sector = (self.azimuth_from_deg, self.azimuth_to_deg)
        if single and any(v is not None for v in sector):
            raise ValueError(_("give azimuth_deg or azimuth_from_deg/azimuth_to_deg, not both"))
        if not single:
            if None in sector:
                raise ValueError(_("give azimuth_deg, or both azimuth_from_deg and azimuth_to_deg"))
            width = (self.azimuth_to_deg - self.azimuth_from_deg) % 360
            if width == 0 or width > 180:
                raise ValueError(
                    _(
                        "a sector runs clockwise from azimuth_from_deg to azimuth_to_deg and is "
                        "0 to 180 degrees wide"
                    )
                )
        return self


def _check_class_of_category(generic_class: str, info: ValidationInfo) -> str:
    if generic_class not in GENERIC_CLASSES:
        raise ValueError(
            _("unknown generic class; one of %(classes)s") % {"classes": ", ".join(GENERIC_CLASSES)}
        )
    category = info.data.get("category")
    if category and GENERIC_CLASSES[generic_class][0] != category:
        raise ValueError(
            _("%(cls)s is not of category %(category)s")
            % {"cls": generic_class, "category": category}
        )
    return generic_class


class LaunchCore(StrictSchema):
    category: Literal["BM", "SLV"]
    generic_class: str = Field(examples=["ICBM"])
    vehicle_name: str | None = Field(None, max_length=200)
    launch_area: Area
    planned_direction: Direction
    on_behalf_of: str | None = Field(
        None, description="ICC only: the ISO3 of the state the ICC enters this for", examples=[None]
    )

    _class_of_category = field_validator("generic_class")(_check_class_of_category)


class PLNIn(LaunchCore):
    test_flight: StrictBool = False
    window: Window
    impact_areas: list[ImpactArea] = Field(default_factory=list, max_length=20)
    range_km: Number | None = Field(None, gt=0, le=50000)
    apogee_km: Number | None = Field(None, gt=0, le=50000)
    remarks: str | None = Field(None, max_length=4000)
    national_reference: NationalReference | None = Field(
        None,
        description="The state's own reference for this notification (its note number), "
        f"at most {NATIONAL_REFERENCE_MAX} characters; kept with the version",
        examples=["Note 2026/118"],
    )

    _national_reference = field_validator("national_reference")(_blank_is_absent)

    @model_validator(mode="wrap")
    @classmethod
    def _rules(cls, data, handler):
        return validate_with_rules(cls, data, handler, rules.pln_rules(data))

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "category": "BM",
                    "generic_class": "ICBM",
                    "vehicle_name": "Minuteman III",
                    "test_flight": True,
                    "window": {"opens": "2026-12-03T06:00:00Z", "closes": "2026-12-03T12:00:00Z"},
                    "launch_area": {"site_id": "USA-VANDENBERG"},
                    "planned_direction": {"azimuth_deg": 250.0},
                    "impact_areas": [
                        {"kind": "payload", "center": {"lat": 9.4, "lon": 167.5}, "radius_km": 50}
                    ],
                    "range_km": 6750,
                    "apogee_km": 1100,
                    "remarks": "Operational test.",
                }
            ]
        },
    )


class AmendmentIn(PLNIn):
    """The full new content of a notification, and optionally why it changes."""

    reason: Reason | None = Field(
        None,
        description=f"Why this version amends the one before, at most {REASON_MAX} characters",
        examples=["The window moves by a day for the weather."],
    )

    _reason = field_validator("reason")(_blank_is_absent)


LaunchOutcome = Literal["success", "failure", "partial", "unknown"]


class CancellationIn(StrictSchema):
    reason: str = Field(min_length=1, max_length=4000)


class LaunchReportIn(StrictSchema):
    launched_at: Rfc3339
    outcome: LaunchOutcome
    remarks: str | None = Field(None, max_length=4000)

    @model_validator(mode="wrap")
    @classmethod
    def _rules(cls, data, handler):
        return validate_with_rules(cls, data, handler, rules.launch_report_rules(data))


class UnnotifiedLaunchIn(LaunchCore):
    launched_at: Rfc3339
    outcome: LaunchOutcome
    reason: Literal["wartime", "omission", "other"]
    remarks: str | None = Field(None, max_length=4000)

    @model_validator(mode="wrap")
    @classmethod
    def _rules(cls, data, handler):
        return validate_with_rules(cls, data, handler, rules.unnotified_rules(data))


class ImportIn(StrictSchema):
    state: str = Field(min_length=3, max_length=3, examples=["FRA"])
    first_submitted_at: Rfc3339
    notification: PLNIn
    launch_report: LaunchReportIn | None = None
    source: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="wrap")
    @classmethod
    def _rules(cls, data, handler):
        # The PLN inside is judged as of its first_submitted_at, not now.
        with context_value(rules.SUBMISSION_TIME, rules.import_submission_time(data)):
            return validate_with_rules(cls, data, handler, rules.import_rules(data))


# ---- read model (what every subscribing state receives) -------------------------------------


class LaunchReportOut(Schema):
    launched_at: str
    outcome: str
    remarks: str | None
    outside_window: bool | None
    reported_at: str
    entered_by_icc: bool


class CancellationOut(Schema):
    cancelled_at: str
    reason: str


class LatLonOut(Schema):
    lat: float
    lon: float


class CorridorProperties(Schema):
    start: LatLonOut = Field(description="Where the corridor starts: the launch area's centre")
    ends: list[LatLonOut] = Field(description="Its far end (two for a sector)")
    length_km: float = Field(description="The length drawn (at most 20,000 km)")
    length_source: Literal["range_km", "impact_area", "class_upper_bound", "nominal"] = Field(
        description="range_km: the notification's own range_km; impact_area: no range_km, as "
        "far as the farthest impact area's centre; class_upper_bound: neither was given, as far "
        "as the generic class's range allows; nominal: neither was given and the class has no "
        "range (SLBM 12,000 km, space launch vehicles 3,000 km). The last two are estimates of "
        "the exchange, not statements of the notifying state (docs/geography.md)"
    )
    tier: Literal["concerned", "planned_direction"] = Field(
        description="concerned: the length is the notification's own (range_km, impact_area), "
        "and the states under the corridor are in affected_states; planned_direction: it is an "
        "estimate (class_upper_bound, nominal), and the states under it are only listed in "
        "in_planned_direction, never as concerned"
    )
    stated_length_km: float = Field(
        description="range_km, the distance to the farthest impact area, the class's upper "
        "bound or the nominal length"
    )
    length_capped: bool = Field(description="stated_length_km was beyond 20,000 km")
    half_width_km: float | None = Field(description="50 for one azimuth; null for a sector")
    axis: dict | None = Field(
        None,
        description="GeoJSON MultiLineString: the geodesic of the azimuth(s). Only in items "
        "published before 2026-12-07 (issue 24, slim items): absent since; it is the geodesic "
        "from `start` to each of `ends`",
    )


class CorridorOut(Schema):
    """The planned direction as a GeoJSON Feature: a band 50 km each side of the geodesic of
    the azimuth, or the wedge of a sector; split at 180 degrees. Since 2026-12-07 (issue 24,
    slim items) its `geometry` is null and its `properties` carry the corridor's parameters:
    the band is at GET /notifications/{reference}/geojson (docs/geography.md says how it is
    computed from the statement)."""

    type: Literal["Feature"]
    geometry: dict | None = Field(
        description="GeoJSON Polygon or MultiPolygon in items published before 2026-12-07; "
        "null since (an unlocated Feature, RFC 7946 section 3.2): the band is served by "
        "GET /notifications/{reference}/geojson"
    )
    properties: CorridorProperties


class AffectedStateOut(Schema):
    state: str = Field(
        examples=["MHL"], description="ISO 3166-1 alpha-3; a dependency under its sovereign"
    )
    parts: list[Literal["launch_area", "corridor", "impact_area"]]
    zones: list[Literal["land", "territorial_sea"]]


class DirectionStateOut(Schema):
    state: str = Field(
        examples=["IRL"], description="ISO 3166-1 alpha-3; a dependency under its sovereign"
    )
    zones: list[Literal["land", "territorial_sea"]]


class FlagOut(Schema):
    field: str = Field(examples=["impact_areas[0]"])
    code: Literal["impact_area_beyond_range"]
    message: str


class NotificationOut(Schema):
    reference: str = Field(examples=["USA-2026-0001"])
    state: str
    version: int
    status: Literal["notified", "cancelled", "launched", "unreported"]
    submitted_at: str
    first_submitted_at: str
    lead_time_hours: float | None
    late: bool
    entered_by_icc: bool
    imported: bool
    import_source: str | None
    prior_notice: bool
    unnotified_reason: str | None
    category: str
    generic_class: str
    vehicle_name: str | None
    test_flight: bool
    window: dict | None
    launch_area: dict
    planned_direction: dict
    impact_areas: list[dict]
    range_km: float | None
    apogee_km: float | None
    remarks: str | None
    launch_report: LaunchReportOut | None
    cancellation: CancellationOut | None
    seq: int
    national_reference: str | None = Field(
        None,
        description="The state's own reference (note number) of this version; absent, not "
        "null, when it gave none",
    )
    amendment_reason: str | None = Field(
        None,
        description="Why this version amends the one before (the amendment's `reason`); absent, "
        "not null, when none was given",
    )
    corridor: CorridorOut | None = Field(
        None,
        description="The planned direction as a GeoJSON Feature, its `tier` saying whether its "
        "length is the notification's own; null when the launch site is unknown or the farthest "
        "impact area lies at the start (docs/geography.md)",
    )
    affected_states: list[AffectedStateOut] | None = Field(
        None,
        description="The states concerned: whose land or territorial sea (12 nm) the launch "
        "area, the impact areas or a corridor of a stated length (tier `concerned`) touch, "
        "sorted by state; data © OpenStreetMap contributors (ODbL) and Natural Earth. Null only "
        "for a version stored before geography and not yet recomputed",
    )
    in_planned_direction: list[DirectionStateOut] | None = Field(
        None,
        description="When the notification states neither range_km nor an impact area: the "
        "states, not already in affected_states, that the corridor of the planned direction "
        "(tier `planned_direction`) touches. A lower tier, listed apart: none of them is "
        "concerned. Present only when there is such a state (never null or empty)",
    )
    flags: list[FlagOut] = Field(
        default_factory=list,
        description="Doubts the exchange found but did not refuse: an impact area far beyond "
        "the stated range_km",
    )


class GeoJSONOut(Schema):
    """An RFC 7946 FeatureCollection: one Feature per part (launch_area, corridor, each
    impact_area), each with the notification's reference, version, state, status, class and
    window in its properties, and `part`; shapes as stored, split at 180 degrees."""

    type: Literal["FeatureCollection"]
    attribution: str = Field(description="Credit for the data: © OpenStreetMap contributors")
    features: list[dict]


class NotamOut(Schema):
    reference: str
    version: int
    text: str = Field(
        description="The notification in the manner of a NAVAREA / NOTAM warning, upper case, "
        "one statement a line, positions DDMMSSN DDDMMSSE (hcoc.lib.geo.notam); for people, "
        "not a format to parse"
    )


class NotificationVersionOut(Schema):
    reference: str
    version: int
    submitted_at: str
    entered_by_icc: bool
    seq: int
    content: dict
    national_reference: str | None = Field(
        None, description="The state's own reference of this version; absent when none"
    )
    reason: str | None = Field(
        None, description="Why this version amends the one before; absent when none"
    )


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
