from ninja import Query, Router, Status

from hcoc.ui.doors import SUBMITTERS

from . import selectors, services
from .schemas import (
    ConfirmationIn,
    InvitationIn,
    InvitationOut,
    InvitationPage,
    ReplyIn,
    WithdrawalIn,
)

router = Router(tags=["observer invitations"])


@router.post(
    "/invitations",
    operation_id="invitation_issue",
    auth=SUBMITTERS,
    response={201: InvitationOut},
    summary="Invite observers to a launch site; announced in the feed (invitation.issued)",
)
def issue(request, payload: InvitationIn):
    inv = services.invitation_issue(actor=request.auth, data=payload)
    return Status(201, selectors.invitation_get_for(actor=request.auth, reference=inv.reference))


@router.get(
    "/invitations",
    operation_id="invitation_list",
    response=InvitationPage,
    summary="The invitations the caller may see",
)
def list_(
    request,
    year: int | None = Query(
        None, ge=1, le=9999, description="The year the visit opens (a calendar year, 1 to 9999)"
    ),
    state: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = None,
):
    return selectors.invitation_list_for(
        actor=request.auth, year=year, state=state, limit=limit, cursor=cursor
    )


@router.get(
    "/invitations/{reference}",
    operation_id="invitation_get",
    response=InvitationOut,
    summary="One invitation",
)
def get(request, reference: str, history: bool = False):
    return selectors.invitation_get_for(actor=request.auth, reference=reference, history=history)


@router.post(
    "/invitations/{reference}/replies",
    operation_id="invitation_reply",
    auth=SUBMITTERS,
    response={201: InvitationOut},
    summary="Accept (naming the observers) or decline; may be changed until reply_by",
)
def reply(request, reference: str, payload: ReplyIn):
    services.invitation_reply(actor=request.auth, reference=reference, data=payload)
    return Status(201, selectors.invitation_get_for(actor=request.auth, reference=reference))


@router.post(
    "/invitations/{reference}/confirmations",
    operation_id="invitation_confirm",
    auth=SUBMITTERS,
    response={201: InvitationOut},
    summary="The inviting state confirms a state's accepted reply",
)
def confirm(request, reference: str, payload: ConfirmationIn):
    services.invitation_confirm(
        actor=request.auth, reference=reference, state_iso3=payload.state.upper()
    )
    return Status(201, selectors.invitation_get_for(actor=request.auth, reference=reference))


@router.post(
    "/invitations/{reference}/withdraw",
    operation_id="invitation_withdraw",
    auth=SUBMITTERS,
    response={201: InvitationOut},
    summary="The inviting state withdraws its invitation",
)
def withdraw(request, reference: str, payload: WithdrawalIn):
    services.invitation_withdraw(actor=request.auth, reference=reference, reason=payload.reason)
    return Status(201, selectors.invitation_get_for(actor=request.auth, reference=reference))
