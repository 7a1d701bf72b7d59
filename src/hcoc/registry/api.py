from ninja import Query, Router, Status

from hcoc.accounts.schemas import StateUserList
from hcoc.accounts.selectors import state_user_read_model, state_users_for
from hcoc.states import selectors
from hcoc.states.readmodel import circular_read_model, state_read_model
from hcoc.states.schemas import (
    CircularIn,
    CircularOut,
    CircularPage,
    StateDetailOut,
    StateOut,
    SubscriptionIn,
    SubscriptionOut,
)
from hcoc.ui.doors import ICC_ONLY, STATE_MEMBERS, optional_user

from . import services

# The operation ids are published (clients are generated from the OpenAPI document): they keep
# the names they had when this router lived in hcoc.states.
router = Router(tags=["registry"])


@router.get(
    "/states",
    response=list[StateOut],
    auth=None,
    summary="The public registry of states",
    operation_id="hcoc_states_api_list_states",
)
def list_states(request):
    optional_user(request)  # a token that is given must be valid, as everywhere
    return selectors.state_list()


@router.get(
    "/states/{iso3}",
    response=StateDetailOut,
    auth=None,
    summary="One state of the registry",
    operation_id="hcoc_states_api_get_state",
)
def get_state(request, iso3: str):
    return selectors.state_get_for(actor=optional_user(request), iso3=iso3)


@router.post(
    "/states/{iso3}/subscription",
    auth=ICC_ONLY,
    response={201: SubscriptionOut},
    summary="Record a subscription (ICC only); disseminated in the feed",
    operation_id="hcoc_states_api_subscribe",
)
def subscribe(request, iso3: str, payload: SubscriptionIn):
    sub = services.subscription_record(
        actor=request.auth,
        iso3=iso3.upper(),
        note_reference=payload.note_reference,
        note_received_on=payload.note_received_on,
        effective_on=payload.effective_on,
    )
    return Status(
        201,
        {
            "state": state_read_model(sub.state),
            "note_reference": sub.note_reference,
            "note_received_on": sub.note_received_on,
            "effective_on": sub.effective_on,
            "seq": sub.seq,
        },
    )


@router.post(
    "/circulars",
    auth=ICC_ONLY,
    response={201: CircularOut},
    summary="Publish a circular of the ICC (ICC only); disseminated in the feed",
    operation_id="hcoc_states_api_circular_publish",
)
def circular_publish(request, payload: CircularIn):
    circular = services.circular_publish(actor=request.auth, title=payload.title, text=payload.text)
    return Status(201, circular_read_model(circular))


@router.get(
    "/circulars",
    response=CircularPage,
    summary="The ICC's circulars, newest first",
    operation_id="hcoc_states_api_circular_list",
)
def circular_list(request, limit: int = Query(100, ge=1, le=1000), cursor: str | None = None):
    return selectors.circular_list_for(actor=request.auth, limit=limit, cursor=cursor)


@router.get(
    "/users",
    auth=STATE_MEMBERS,
    response=StateUserList,
    summary="Every user of the caller's state: made by whom and when, enrolled when",
)
def state_users(request):
    # The ICC makes a state's users and could enrol one itself (issue 22, open until each state
    # has its own root of trust): a state's systems can check here for users it did not ask for.
    return {"items": [state_user_read_model(u) for u in state_users_for(actor=request.auth)]}
