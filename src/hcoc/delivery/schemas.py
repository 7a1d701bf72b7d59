from ninja import Schema
from pydantic import Field, StrictInt

from hcoc.ui.schemas import StrictSchema

from .addresses import MAX_URL_LENGTH


class WebhookIn(StrictSchema):
    url: str = Field(
        min_length=1, max_length=MAX_URL_LENGTH, examples=["https://hooks.example.org/hcoc"]
    )


class Webhook(Schema):
    id: int
    state: str
    url: str
    status: str = Field(
        description="`active`, or `disabled` (410, or failing for the retry period)"
    )
    cursor: int = Field(description="The last seq delivered (answered 2xx)")
    created_at: str
    failures: int = Field(description="Failed attempts in a row")
    failing_since: str | None
    next_attempt_at: str | None
    disabled_at: str | None
    disabled_reason: str


class WebhookCreated(Webhook):
    secret: str = Field(
        description="`whsec_` + base64: the signing key (Standard Webhooks), shown only in this answer"
    )


class WebhookList(Schema):
    items: list[Webhook]
    next_cursor: str | None


class Delivery(Schema):
    seq: int
    webhook_id: str
    at: str
    status_code: int | None = Field(description="The receiver's HTTP status; null: no answer")
    latency_ms: int
    ok: bool
    error: str
    replay: bool = Field(description="The item had been delivered before (a replay)")


class DeliveryLog(Schema):
    endpoint: Webhook
    items: list[Delivery]
    next_cursor: str | None


class ReplayIn(StrictSchema):
    after: StrictInt = Field(ge=0, description="Deliver again every item after this seq")
