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


@router.get("/feed", response=FeedPage, summary="The exchange sequence, oldest first, paged by seq")
def feed(request, after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)):
    return selectors.feed_page_for(actor=request.auth, after=after, limit=limit)


@router.get("/inbox", response=InboxPage, summary="Items the caller's state has not acknowledged")
def inbox(request, after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)):
    return selectors.inbox_page_for(actor=request.auth, after=after, limit=limit)


@router.post("/acknowledgements", response={201: AcknowledgementResult}, summary="Confirm receipt")
def acknowledge(request, payload: AcknowledgementIn):
    result = services.acknowledgements_record(
        actor=request.auth, seqs=payload.seqs, up_to=payload.up_to
    )
    return Status(201, {**result, "at": rfc3339(result["at"])})


@router.get(
    "/acknowledgements", response=AcknowledgementStatus, summary="Who acknowledged item seq"
)
def acknowledgement_status(request, seq: int = Query(..., ge=1)):
    return selectors.acknowledgement_status_for(actor=request.auth, seq=seq)
