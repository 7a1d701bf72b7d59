from ninja import Query, Router, Status

from hcoc.ui.doors import ICC_ONLY, SUBMITTERS

from . import selectors, services
from .readmodel import declaration_read_model
from .schemas import (
    DeadlineIn,
    DeadlineOut,
    DeclarationIn,
    DeclarationOut,
    DeclarationPage,
    ExtensionIn,
)

router = Router(tags=["declarations"])


@router.post(
    "/declarations",
    operation_id="declaration_submit",
    auth=SUBMITTERS,
    response={201: DeclarationOut},
    summary="Submit an annual declaration (a new version)",
)
def submit(request, payload: DeclarationIn):
    d = services.declaration_submit(actor=request.auth, data=payload)
    return Status(201, declaration_read_model(d, d.versions.get(version=d.current_version)))


@router.get(
    "/declarations",
    operation_id="declaration_list",
    response=DeclarationPage,
    summary="List declarations",
)
def list_(
    request,
    year: int | None = None,
    state: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = None,
):
    return selectors.declaration_list_for(
        actor=request.auth, year=year, state=state, limit=limit, cursor=cursor
    )


@router.get(
    "/declarations/{state}/{year}",
    operation_id="declaration_get",
    response=DeclarationOut,
    summary="A state's declaration for a year",
)
def get(request, state: str, year: int):
    return selectors.declaration_get_for(actor=request.auth, state=state, year=year)


@router.get(
    "/declarations/{state}/{year}/versions",
    operation_id="declaration_version_list",
    response=list[DeclarationOut],
    summary="Every version",
)
def versions(request, state: str, year: int):
    return selectors.declaration_versions_for(actor=request.auth, state=state, year=year)


@router.get(
    "/deadlines",
    operation_id="deadline_list",
    response=list[DeadlineOut],
    summary="Declaration due dates and extensions",
)
def deadlines(request, year: int | None = None):
    return selectors.deadlines_for(actor=request.auth, year=year)


@router.post(
    "/deadlines",
    operation_id="deadline_set",
    auth=ICC_ONLY,
    response={201: DeadlineOut},
    summary="Set the due date of the declarations covering a year (ICC only)",
)
def deadline_set(request, payload: DeadlineIn):
    services.deadline_set(actor=request.auth, year=payload.year, due_on=payload.due_on)
    return Status(201, selectors.deadlines_for(actor=request.auth, year=payload.year)[0])


@router.post(
    "/deadlines/{year}/extensions",
    operation_id="deadline_extend",
    auth=ICC_ONLY,
    response={201: DeadlineOut},
    summary="Extend one state's due date, with a reason (ICC only)",
)
def deadline_extend(request, year: int, payload: ExtensionIn):
    services.deadline_extend(
        actor=request.auth,
        iso3=payload.state,
        year=year,
        due_on=payload.due_on,
        reason=payload.reason,
    )
    return Status(201, selectors.deadlines_for(actor=request.auth, year=year)[0])
