"""The published annual-declaration formats (docs/formats.md)."""

from datetime import date

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, StrictInt, model_validator

from hcoc.lib.rule_tools import validate_with_rules
from hcoc.ui.schemas import StrictSchema

from .rules import declaration_rules


class SiteRef(StrictSchema):
    site_id: str = Field(min_length=1, max_length=60)


class SystemEntry(StrictSchema):
    generic_class: str
    name: str | None = Field(None, max_length=200)


class LaunchCount(StrictSchema):
    generic_class: str
    count: StrictInt = Field(ge=0, le=100000)


class BallisticMissilesSection(StrictSchema):
    policy: str = Field("", max_length=20000)
    systems: list[SystemEntry] = Field(default_factory=list, max_length=100)
    launch_sites: list[SiteRef] = Field(default_factory=list, max_length=200)
    launches: list[LaunchCount] = Field(default_factory=list, max_length=20)


class SpaceLaunchVehiclesSection(StrictSchema):
    policy: str = Field("", max_length=20000)
    launch_sites: list[SiteRef] = Field(default_factory=list, max_length=200)
    launches: list[LaunchCount] = Field(default_factory=list, max_length=20)


class Observers(StrictSchema):
    invites: StrictBool
    details: str | None = Field(None, max_length=20000)


class DeclarationIn(StrictSchema):
    year: StrictInt
    nil: StrictBool = False
    ballistic_missiles: BallisticMissilesSection | None = None
    space_launch_vehicles: SpaceLaunchVehiclesSection | None = None
    observers: Observers | None = None
    remarks: str | None = Field(None, max_length=20000)
    on_behalf_of: str | None = Field(None, description="ICC only: the state it enters this for")

    @model_validator(mode="wrap")
    @classmethod
    def _rules(cls, data, handler):
        return validate_with_rules(cls, data, handler, declaration_rules(data))

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "year": 2025,
                    "nil": False,
                    "ballistic_missiles": {
                        "policy": "Outline of policy ...",
                        "systems": [{"generic_class": "ICBM", "name": "Minuteman III"}],
                        "launch_sites": [{"site_id": "USA-VANDENBERG"}],
                        "launches": [{"generic_class": "ICBM", "count": 4}],
                    },
                    "space_launch_vehicles": {
                        "policy": "Outline of policy ...",
                        "launch_sites": [{"site_id": "USA-CAPE-CANAVERAL"}],
                        "launches": [{"generic_class": "SLV-medium", "count": 150}],
                    },
                    "observers": {"invites": True, "details": "Observers welcome at ..."},
                    "remarks": "",
                }
            ]
        },
    )


class CrosscheckRow(Schema):
    generic_class: str
    declared: int
    reported: int
    notified_only: int
    difference: int


class DeclarationOut(Schema):
    state: str
    year: int
    version: int
    submitted_at: str
    first_submitted_at: str
    seq: int
    late: bool
    entered_by_icc: bool
    nil: bool
    ballistic_missiles: dict | None
    space_launch_vehicles: dict | None
    observers: dict | None
    remarks: str | None
    crosscheck: list[CrosscheckRow]


class DeclarationPage(Schema):
    items: list[DeclarationOut]
    next_cursor: str | None


class DeadlineIn(StrictSchema):
    year: StrictInt = Field(ge=2002, examples=[2025])
    due_on: date = Field(examples=["2026-03-31"])


class ExtensionIn(StrictSchema):
    state: str = Field(min_length=3, max_length=3, examples=["JPN"])
    due_on: date
    reason: str = Field(min_length=1, max_length=2000)


class ExtensionOut(Schema):
    state: str
    due_on: date
    reason: str
    granted_at: str


class DeadlineOut(Schema):
    year: int
    due_on: date
    extensions: list[ExtensionOut]
