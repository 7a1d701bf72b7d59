from ninja import Schema
from pydantic import ConfigDict, Field, StrictInt


class FeedItem(Schema):
    seq: int
    kind: str = Field(examples=["notification.submitted"])
    at: str
    state: str
    subject: str
    version: int | None
    payload: dict


class FeedPage(Schema):
    items: list[FeedItem]
    last_seq: int
    more: bool


class InboxPage(FeedPage):
    unacknowledged: int


class AcknowledgementIn(Schema):
    """Exactly one of `seqs` or `up_to`."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"up_to": 42}, {"seqs": [3, 5]}]}
    )
    seqs: list[StrictInt] | None = Field(None, min_length=1, max_length=10000)
    up_to: StrictInt | None = None


class AcknowledgementResult(Schema):
    state: str
    acknowledged: int = Field(description="Items newly acknowledged by this call")
    at: str


class AckEntry(Schema):
    state: str
    at: str


class AcknowledgementStatus(Schema):
    seq: int
    acknowledged: list[AckEntry]
    not_acknowledged: list[str]
