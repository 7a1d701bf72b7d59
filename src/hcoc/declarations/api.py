from ninja import Query, Router, Status

from hcoc.api_auth import SUBMITTERS

from . import selectors, services
from .readmodel import declaration_read_model
from .schemas import DeclarationIn, DeclarationOut, DeclarationPage

router = Router(tags=["declarations"])


@router.post(
    "/declarations",
    auth=SUBMITTERS,
    response={201: DeclarationOut},
    summary="Submit an annual declaration (a new version)",
)
def submit(request, payload: DeclarationIn):
    d = services.declaration_submit(actor=request.auth, data=payload)
    return Status(201, declaration_read_model(d, d.versions.get(version=d.current_version)))


@router.get("/declarations", response=DeclarationPage, summary="List declarations")
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
    response=DeclarationOut,
    summary="A state's declaration for a year",
)
def get(request, state: str, year: int):
    return selectors.declaration_get_for(actor=request.auth, state=state, year=year)


@router.get(
    "/declarations/{state}/{year}/versions", response=list[DeclarationOut], summary="Every version"
)
def versions(request, state: str, year: int):
    return selectors.declaration_versions_for(actor=request.auth, state=state, year=year)
