"""Formats of the Regular Meetings API (docs/api.md): in the style of docs/formats.md."""

from datetime import date
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictInt

from hcoc.lib.timeutil import Rfc3339
from hcoc.ui.schemas import StrictSchema


class MeetingIn(StrictSchema):
    number: StrictInt = Field(ge=1, le=10000, examples=[25])
    opens_on: date = Field(examples=["2026-06-01"])
    closes_on: date = Field(examples=["2026-06-02"])
    place: str = Field(min_length=1, max_length=200, examples=["Vienna"])
    chair_state: str = Field(min_length=3, max_length=3, examples=["FRA"])


class AgendaItemIn(StrictSchema):
    title: str = Field(min_length=1, max_length=500)


class AttendanceIn(StrictSchema):
    action: Literal["check_in", "check_out"]
    state: str | None = Field(
        None, min_length=3, max_length=3, description="Chair only: another state's delegation"
    )


class ProposalIn(StrictSchema):
    agenda_item: StrictInt = Field(ge=1, description="Number of the agenda item")
    text: str = Field(min_length=1, max_length=20000)
    procedure: Literal["consensus", "silence"] = "consensus"
    deadline: Rfc3339 | None = Field(None, description="Silence procedure only; in the future")


class PositionIn(StrictSchema):
    position: Literal["support", "no_objection", "abstain", "object"]
    reason: str = Field("", max_length=4000, description="Required with `object`")


class AgendaItemOut(Schema):
    number: int
    title: str


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: str


class MeetingOut(Schema):
    number: int
    reference: str
    opens_on: str
    closes_on: str
    place: str
    chair_state: str
    status: str
    opened_at: str | None
    closed_at: str | None
    agenda: list[AgendaItemOut]
    documents: list[DocumentOut]


class IntervalOut(Schema):
    state: str
    checked_in_at: str
    checked_in_by: str
    checked_out_at: str | None
    checked_out_by: str | None


class AttendanceOut(Schema):
    meeting: int
    present: list[str]
    intervals: list[IntervalOut]


class DecisionPositionOut(Schema):
    """A position as the decision records it: the state's, without the user's name (the record
    goes into the feed and the permanent log)."""

    state: str
    position: str
    reason: str
    at: str
    counted: bool


class PositionOut(Schema):
    state: str
    position: str
    reason: str
    at: str
    user: str


class ProposalOut(Schema):
    reference: str
    meeting: int
    number: int
    agenda_item: AgendaItemOut
    text: str
    procedure: str
    deadline: str | None
    status: str
    tabled_at: str
    tabled_by: str
    decision: str | None
    outcome: str | None
    positions: list[PositionOut]
    current: list[PositionOut]


class DecisionOut(Schema):
    reference: str
    meeting: int
    proposal: str
    agenda_item: AgendaItemOut
    text: str
    procedure: str
    deadline: str | None
    outcome: Literal["adopted", "not_adopted"]
    present: list[str]
    positions: list[DecisionPositionOut]
    called_at: str
    called_by: str
    seq: int
