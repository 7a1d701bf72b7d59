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

# Every operation names its id (`<noun>_<verb>`, as the services are named): states generate
# their clients from the OpenAPI document, and tests/ops/test_house.py pins each id.
router = Router(tags=["registry"])


@router.get(
    "/states",
    operation_id="state_list",
    response=list[StateOut],
    auth=None,
    summary="The public registry of states",
)
def list_states(request):
    optional_user(request)  # a token that is given must be valid, as everywhere
    return selectors.state_list()


@router.get(
    "/states/{iso3}",
    operation_id="state_get",
    response=StateDetailOut,
    auth=None,
    summary="One state of the registry",
)
def get_state(request, iso3: str):
    return selectors.state_get_for(actor=optional_user(request), iso3=iso3)


@router.post(
    "/states/{iso3}/subscription",
    operation_id="subscription_record",
    auth=ICC_ONLY,
    response={201: SubscriptionOut},
    summary="Record a subscription (ICC only); disseminated in the feed",
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
    operation_id="circular_publish",
    auth=ICC_ONLY,
    response={201: CircularOut},
    summary="Publish a circular of the ICC (ICC only); disseminated in the feed",
)
def circular_publish(request, payload: CircularIn):
    circular = services.circular_publish(actor=request.auth, title=payload.title, text=payload.text)
    return Status(201, circular_read_model(circular))


@router.get(
    "/circulars",
    operation_id="circular_list",
    response=CircularPage,
    summary="The ICC's circulars, newest first",
)
def circular_list(request, limit: int = Query(100, ge=1, le=1000), cursor: str | None = None):
    return selectors.circular_list_for(actor=request.auth, limit=limit, cursor=cursor)


@router.get(
    "/users",
    operation_id="state_user_list",
    auth=STATE_MEMBERS,
    response=StateUserList,
    summary="Every user of the caller's state: made by whom and when, enrolled when",
)
def state_users(request):
    # The ICC makes a state's users and could enrol one itself (issue 22, open until each state
    # has its own root of trust): a state's systems can check here for users it did not ask for.
    return {"items": [state_user_read_model(u) for u in state_users_for(actor=request.auth)]}
