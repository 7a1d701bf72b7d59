from datetime import date
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class StateOut(Schema):
    iso3: str = Field(examples=["AUT"])
    name: str
    status: Literal["subscribing", "not_subscribing", "unknown"]
    subscribed_on: str | None
    founding: bool | None = Field(
        description="One of the 2002 founding states; null where no source confirms"
    )
    source: str


class PointOfContactOut(Schema):
    name: str
    organisation: str
    email: str
    phone: str


class StateDetailOut(StateOut):
    points_of_contact: list[PointOfContactOut] | None = Field(
        None, description="Only for users of subscribing states and the ICC"
    )


class SubscriptionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    note_reference: str = Field(
        min_length=1, max_length=200, examples=["Note verbale No. 123/2026"]
    )
    note_received_on: date
    effective_on: date


class SubscriptionOut(Schema):
    state: StateOut
    note_reference: str
    note_received_on: date
    effective_on: date
    seq: int


class CircularIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200, examples=["New subscribing state"])
    text: str = Field(min_length=1, max_length=5000)


class CircularOut(Schema):
    reference: str = Field(examples=["ICC-CIRC-2026-001"])
    title: str
    text: str
    published_at: str
    author: str
    seq: int


class CircularPage(Schema):
    items: list[CircularOut]
    next_cursor: str | None
