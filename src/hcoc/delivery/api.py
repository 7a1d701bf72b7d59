"""Webhooks of states' systems (issue 11): register, list, delete, the delivery log, replay."""

from ninja import Query, Router, Status

from . import selectors, webhooks
from .schemas import DeliveryLog, ReplayIn, Webhook, WebhookCreated, WebhookIn, WebhookList

router = Router(tags=["webhooks"])


@router.post(
    "/webhooks",
    operation_id="webhook_register",
    response={201: WebhookCreated},
    summary="Register a webhook endpoint",
)
def webhook_register(request, payload: WebhookIn):
    endpoint, secret = webhooks.endpoint_register(actor=request.auth, url=payload.url)
    return Status(201, {**selectors.endpoint_read_model(endpoint), "secret": secret})


@router.get(
    "/webhooks",
    operation_id="webhook_list",
    response=WebhookList,
    summary="The webhook endpoints the caller sees",
)
def webhook_list(request, limit: int = Query(100, ge=1, le=1000), cursor: str | None = None):
    return selectors.endpoint_list_for(actor=request.auth, limit=limit, cursor=cursor)


@router.delete(
    "/webhooks/{endpoint_id}",
    operation_id="webhook_delete",
    response={204: None},
    summary="Delete an endpoint",
)
def webhook_delete(request, endpoint_id: int):
    webhooks.endpoint_delete(actor=request.auth, endpoint_id=endpoint_id)
    return Status(204, None)


@router.get(
    "/webhooks/{endpoint_id}/deliveries",
    operation_id="webhook_delivery_list",
    response=DeliveryLog,
    summary="An endpoint's delivery log, newest first",
)
def webhook_deliveries(
    request, endpoint_id: int, limit: int = Query(100, ge=1, le=1000), cursor: str | None = None
):
    return selectors.deliveries_for(
        actor=request.auth, endpoint_id=endpoint_id, limit=limit, cursor=cursor
    )


@router.post(
    "/webhooks/{endpoint_id}/replay",
    operation_id="webhook_replay",
    response=Webhook,
    summary="Deliver again every item after a seq (and enable a disabled endpoint)",
)
def webhook_replay(request, endpoint_id: int, payload: ReplayIn):
    endpoint = webhooks.endpoint_replay(
        actor=request.auth, endpoint_id=endpoint_id, after=payload.after
    )
    return selectors.endpoint_read_model(endpoint)
