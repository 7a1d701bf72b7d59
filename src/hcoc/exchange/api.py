from django.http import HttpResponse
from ninja import Query, Router, Status

from hcoc.lib.timeutil import rfc3339

from . import selectors, services
from .schemas import (
    AcknowledgementIn,
    AcknowledgementResult,
    AcknowledgementStatus,
    FeedPage,
    InboxPage,
)

router = Router(tags=["feed"])


def _json(content: bytes) -> HttpResponse:
    return HttpResponse(content, content_type="application/json; charset=utf-8")


# The two pages are served as their stored items joined (selectors._page_bytes): the schemas
# stay the contract and the OpenAPI document, and a test proves the bytes equal what they make.
@router.get(
    "/feed",
    operation_id="feed_list",
    response=FeedPage,
    summary="The exchange sequence, oldest first, paged by seq",
)
def feed(request, after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)):
    return _json(selectors.feed_page_bytes_for(actor=request.auth, after=after, limit=limit))


@router.get(
    "/inbox",
    operation_id="inbox_list",
    response=InboxPage,
    summary="Items the caller's state has not acknowledged",
)
def inbox(request, after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)):
    return _json(selectors.inbox_page_bytes_for(actor=request.auth, after=after, limit=limit))


@router.post(
    "/acknowledgements",
    operation_id="acknowledgement_create",
    response={201: AcknowledgementResult},
    summary="Confirm receipt",
)
def acknowledge(request, payload: AcknowledgementIn):
    result = services.acknowledgements_record(
        actor=request.auth, seqs=payload.seqs, up_to=payload.up_to
    )
    return Status(201, {**result, "at": rfc3339(result["at"])})


@router.get(
    "/acknowledgements",
    operation_id="acknowledgement_status_get",
    response=AcknowledgementStatus,
    summary="Who acknowledged item seq",
)
def acknowledgement_status(request, seq: int = Query(..., ge=1)):
    return selectors.acknowledgement_status_for(actor=request.auth, seq=seq)
