"""Typed models of the main operations, written by hand and checked against the OpenAPI document
in the exchange's test suite (tests/client/test_models_match_openapi.py): every field here exists
in the schema named by `__schema__`, with a compatible type, and every field a request schema
requires is here and required. Answers may carry fields this version does not know: they are
kept in `extra` (the contract adds fields, docs/formats.md), never an error."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal


def _build(tp, value):
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _build(inner[0], value) if len(inner) == 1 else value
    if origin is list:
        (item,) = typing.get_args(tp)
        return [_build(item, v) for v in value]
    if dataclasses.is_dataclass(tp) and isinstance(value, dict):
        return tp.from_dict(value)
    return value


class Model:
    """from_dict / to_dict for the dataclasses below."""

    __schema__: ClassVar[str]
    __request__: ClassVar[bool] = False
    # Operations whose 2xx answer is this schema plus `receipts` (the log's middleware adds it).
    __written_by__: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        hints = typing.get_type_hints(cls)
        names = {f.name for f in dataclasses.fields(cls) if f.name != "extra"}
        kwargs = {n: _build(hints[n], data[n]) for n in names if n in data}
        obj = cls(**kwargs)
        if "extra" in {f.name for f in dataclasses.fields(cls)}:
            obj.extra = {k: v for k, v in data.items() if k not in names}
        return obj

    def to_dict(self) -> dict[str, Any]:
        """JSON of this model; a request leaves out optional fields left at None."""
        out = {}
        for f in dataclasses.fields(self):
            if f.name == "extra":
                continue
            value = getattr(self, f.name)
            if value is None and self.__request__ and f.default is None:
                continue
            out[f.name] = _dump(value)
        out.update(getattr(self, "extra", None) or {})
        return out


def _dump(value):
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value


# ---- request bodies --------------------------------------------------------------------------


class Request(Model):
    __request__ = True


@dataclass
class LatLon(Request):
    __schema__ = "LatLon"
    lat: float
    lon: float


@dataclass
class Window(Request):
    """RFC 3339 times in UTC with Z, e.g. "2026-12-03T06:00:00Z"."""

    __schema__ = "Window"
    opens: str
    closes: str


@dataclass
class Area(Request):
    """A launch area: a site of the catalogue (`site_id`), or a centre and radius, or a polygon."""

    __schema__ = "Area"
    site_id: str | None = None
    center: LatLon | None = None
    radius_km: float | None = None
    polygon: list[LatLon] | None = None
    description: str | None = None


@dataclass
class ImpactArea(Request):
    __schema__ = "ImpactArea"
    kind: Literal["payload", "stage", "fairing", "debris"]
    site_id: str | None = None
    center: LatLon | None = None
    radius_km: float | None = None
    polygon: list[LatLon] | None = None
    description: str | None = None


@dataclass
class Direction(Request):
    """One azimuth, or a sector from/to (degrees from true north)."""

    __schema__ = "Direction"
    azimuth_deg: float | None = None
    azimuth_from_deg: float | None = None
    azimuth_to_deg: float | None = None


@dataclass
class PLN(Request):
    """A pre-launch notification (`POST /notifications`)."""

    __schema__ = "PLNIn"
    category: Literal["BM", "SLV"]
    generic_class: str
    window: Window
    launch_area: Area
    planned_direction: Direction
    vehicle_name: str | None = None
    test_flight: bool = False
    impact_areas: list[ImpactArea] = field(default_factory=list)
    range_km: float | None = None
    apogee_km: float | None = None
    remarks: str | None = None
    national_reference: str | None = None
    on_behalf_of: str | None = None


@dataclass
class Amendment(PLN):
    """The full new content of a notification, and why (`POST .../amendments`)."""

    __schema__ = "AmendmentIn"
    reason: str | None = None


@dataclass
class Cancellation(Request):
    __schema__ = "CancellationIn"
    reason: str


@dataclass
class LaunchReport(Request):
    __schema__ = "LaunchReportIn"
    launched_at: str
    outcome: Literal["success", "failure", "partial", "unknown"]
    remarks: str | None = None


@dataclass
class Acknowledgement(Request):
    """Acknowledge every item up to a seq (`up_to`), or the given `seqs`."""

    __schema__ = "AcknowledgementIn"
    up_to: int | None = None
    seqs: list[int] | None = None


@dataclass
class SystemEntry(Request):
    __schema__ = "SystemEntry"
    generic_class: str
    name: str | None = None


@dataclass
class SiteRef(Request):
    __schema__ = "SiteRef"
    site_id: str


@dataclass
class LaunchCount(Request):
    __schema__ = "LaunchCount"
    generic_class: str
    count: int


@dataclass
class BallisticMissiles(Request):
    __schema__ = "BallisticMissilesSection"
    policy: str = ""
    systems: list[SystemEntry] = field(default_factory=list)
    launch_sites: list[SiteRef] = field(default_factory=list)
    launches: list[LaunchCount] = field(default_factory=list)


@dataclass
class SpaceLaunchVehicles(Request):
    __schema__ = "SpaceLaunchVehiclesSection"
    policy: str = ""
    launch_sites: list[SiteRef] = field(default_factory=list)
    launches: list[LaunchCount] = field(default_factory=list)


@dataclass
class ObserversSection(Request):
    __schema__ = "Observers"
    invites: bool
    details: str | None = None


@dataclass
class Declaration(Request):
    """An annual declaration (`POST /declarations`); `nil=True` for a nil declaration."""

    __schema__ = "DeclarationIn"
    year: int
    nil: bool = False
    ballistic_missiles: BallisticMissiles | None = None
    space_launch_vehicles: SpaceLaunchVehicles | None = None
    observers: ObserversSection | None = None
    remarks: str | None = None
    on_behalf_of: str | None = None


# ---- answers ---------------------------------------------------------------------------------


@dataclass
class Receipt(Model):
    """Proof that the log holds an entry: check it with `hcoc_client.verify_receipt`."""

    __schema__ = "Receipt"
    index: int
    seq: int | None
    leaf_hash: str
    checkpoint: str
    inclusion_proof: list[str]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LaunchReportRecord(Model):
    __schema__ = "LaunchReportOut"
    launched_at: str
    outcome: str
    remarks: str | None
    outside_window: bool | None
    reported_at: str
    entered_by_icc: bool
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class CancellationRecord(Model):
    __schema__ = "CancellationOut"
    cancelled_at: str
    reason: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Notification(Model):
    """A notification as the exchange serves it (`NotificationOut`); `receipts` on a write."""

    __schema__ = "NotificationOut"
    __written_by__ = (
        "notification_submit",
        "notification_amend",
        "notification_cancel",
        "notification_report_launch",
    )
    reference: str
    state: str
    version: int
    status: Literal["notified", "cancelled", "launched", "unreported"]
    submitted_at: str
    first_submitted_at: str
    late: bool
    entered_by_icc: bool
    category: str
    generic_class: str
    test_flight: bool
    seq: int
    vehicle_name: str | None = None
    window: dict[str, Any] | None = None
    launch_area: dict[str, Any] | None = None
    planned_direction: dict[str, Any] | None = None
    impact_areas: list[dict[str, Any]] = field(default_factory=list)
    range_km: float | None = None
    apogee_km: float | None = None
    remarks: str | None = None
    lead_time_hours: float | None = None
    launch_report: LaunchReportRecord | None = None
    cancellation: CancellationRecord | None = None
    national_reference: str | None = None
    amendment_reason: str | None = None
    receipts: list[Receipt] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FeedItem(Model):
    """One item of the feed (also what a webhook delivers and the stream sends)."""

    __schema__ = "FeedItem"
    seq: int
    kind: str
    at: str
    state: str
    subject: str
    version: int | None
    payload: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FeedPage(Model):
    __schema__ = "FeedPage"
    items: list[FeedItem]
    last_seq: int
    more: bool
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class InboxPage(Model):
    __schema__ = "InboxPage"
    items: list[FeedItem]
    last_seq: int
    more: bool
    unacknowledged: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AcknowledgementResult(Model):
    __schema__ = "AcknowledgementResult"
    __written_by__ = ("acknowledgement_create",)
    state: str
    acknowledged: int
    at: str
    receipts: list[Receipt] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AckEntry(Model):
    __schema__ = "AckEntry"
    state: str
    at: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AcknowledgementStatus(Model):
    __schema__ = "AcknowledgementStatus"
    seq: int
    acknowledged: list[AckEntry]
    not_acknowledged: list[str]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class CrosscheckRow(Model):
    __schema__ = "CrosscheckRow"
    generic_class: str
    declared: int
    reported: int
    notified_only: int
    difference: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class DeclarationRecord(Model):
    __schema__ = "DeclarationOut"
    __written_by__ = ("declaration_submit",)
    state: str
    year: int
    version: int
    submitted_at: str
    first_submitted_at: str
    seq: int
    late: bool
    entered_by_icc: bool
    nil: bool
    ballistic_missiles: dict[str, Any] | None
    space_launch_vehicles: dict[str, Any] | None
    observers: dict[str, Any] | None
    remarks: str | None
    crosscheck: list[CrosscheckRow] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LogKey(Model):
    """A key the log knows: a state's root or system key, or a witness's (`KeyOut`)."""

    __schema__ = "KeyOut"
    key_id: str
    state: str
    kind: str
    public_key: str
    fingerprint: str
    valid_from: str
    revoked_at: str | None
    registered_index: int
    revoked_index: int | None
    certified_by: str | None = None
    user: str | None = None
    cosignature_vkey: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LogKeys(Model):
    """The log's origin and verifier key (`vkey`: pin it), and every key it knows."""

    __schema__ = "Keys"
    origin: str
    vkey: str
    keys: list[LogKey]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LogEntry(Model):
    __schema__ = "Entry"
    index: int
    seq: int | None
    leaf: str
    leaf_hash: str
    extra: dict[str, Any] = field(default_factory=dict)


# Every model the drift test checks against the OpenAPI document.
MODELS: list[type[Model]] = [
    LatLon,
    Window,
    Area,
    ImpactArea,
    Direction,
    PLN,
    Amendment,
    Cancellation,
    LaunchReport,
    Acknowledgement,
    SystemEntry,
    SiteRef,
    LaunchCount,
    BallisticMissiles,
    SpaceLaunchVehicles,
    ObserversSection,
    Declaration,
    Receipt,
    LaunchReportRecord,
    CancellationRecord,
    Notification,
    FeedItem,
    FeedPage,
    InboxPage,
    AcknowledgementResult,
    AckEntry,
    AcknowledgementStatus,
    CrosscheckRow,
    DeclarationRecord,
    LogKey,
    LogKeys,
    LogEntry,
]
