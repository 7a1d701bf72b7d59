"""The invitation formats (docs/api.md, "Observer invitations")."""

from datetime import date
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StrictInt, model_validator

from hcoc.lib.rule_tools import validate_with_rules
from hcoc.ui.schemas import StrictSchema

from .rules import invitation_rules, reply_rules


class InvitationIn(StrictSchema):
    site_id: str = Field(min_length=1, max_length=60, examples=["FRA-KOUROU"])
    opens: date = Field(description="First day observers are received")
    closes: date = Field(description="Last day; not before opens")
    access: str = Field(min_length=1, max_length=2000, description="The degree of access")
    audience: Literal["all", "named"]
    named_states: list[str] = Field(
        default_factory=list,
        max_length=200,
        description='Subscribing states addressed; only with audience "named"',
    )
    places: StrictInt = Field(ge=1, le=1000)
    reply_by: date = Field(description="Replies close at the end of this day (UTC); ≤ opens")
    remarks: str = Field("", max_length=4000)
    on_behalf_of: str | None = Field(None, description="ICC only: the inviting state")

    @model_validator(mode="wrap")
    @classmethod
    def _rules(cls, data, handler):
        return validate_with_rules(cls, data, handler, invitation_rules(data))

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "site_id": "FRA-KOUROU",
                    "opens": "2026-05-04",
                    "closes": "2026-05-06",
                    "access": "Launch control centre and the observation site at 6 km.",
                    "audience": "named",
                    "named_states": ["JPN", "DEU"],
                    "places": 4,
                    "reply_by": "2026-04-15",
                    "remarks": "",
                }
            ]
        },
    )


class ReplyIn(StrictSchema):
    answer: Literal["accept", "decline"]
    observers: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="Names of the observers (accept: 1 to places; decline: none)",
    )
    on_behalf_of: str | None = Field(None, description="ICC only: the replying state")

    @model_validator(mode="wrap")
    @classmethod
    def _rules(cls, data, handler):
        return validate_with_rules(cls, data, handler, reply_rules(data))

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"answer": "accept", "observers": ["A. Tanaka", "B. Sato"]},
                {"answer": "decline"},
            ]
        },
    )


class ConfirmationIn(StrictSchema):
    state: str = Field(min_length=3, max_length=3, examples=["JPN"])


class WithdrawalIn(StrictSchema):
    reason: str = Field("", max_length=2000)


class ReplyOut(Schema):
    state: str
    answer: str
    observers: list[str]
    replied_at: str
    entered_by_icc: bool
    confirmed_at: str | None
    superseded_at: str | None = None


class InvitationOut(Schema):
    reference: str = Field(examples=["FRA-INV-2026-001"])
    state: str
    site_id: str
    site_name: str
    opens: date
    closes: date
    access: str
    audience: str
    named_states: list[str]
    places: int
    reply_by: date
    remarks: str
    issued_at: str
    entered_by_icc: bool
    seq: int
    status: str
    withdrawn_at: str | None
    salt: str | None = Field(description="Named invitations: the salt of the feed commitment")
    commitment: str | None = Field(description='Named invitations: "sha256:<hex>" as in the feed')
    replies: list[ReplyOut] = Field(
        description="Every reply for the inviter and the ICC; a state's own replies otherwise"
    )
    accepted: int
    declined: int
    confirmed_places: int
    places_left: int


class InvitationPage(Schema):
    items: list[InvitationOut]
    next_cursor: str | None
