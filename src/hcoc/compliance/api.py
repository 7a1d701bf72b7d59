from ninja import Router

from .schemas import ComplianceOut
from .selectors import compliance_for

router = Router(tags=["compliance"])


@router.get(
    "/compliance/{year}",
    operation_id="compliance_get",
    response=ComplianceOut,
    summary="Compliance of every subscribing state for a year",
    description=(
        "One row per state subscribing at some time during the year (by ISO3): declaration "
        "filed / late / nil / missing / not_due (its due date still ahead) / unknown (not known "
        "to have subscribed that year), PLNs whose window opened that year (late, cancelled, "
        "launched, unreported), unnotified launches, crosscheck differences (declared minus "
        "reported, by class) and mean lead time; with the year's totals. 2002 to this year."
    ),
)
def compliance(request, year: int):
    return compliance_for(actor=request.auth, year=year)
