from datetime import date
from typing import Literal

from ninja import Schema


class DifferenceOut(Schema):
    generic_class: str
    declared: int
    reported: int
    difference: int


class ComplianceRowOut(Schema):
    state: str
    name: str
    subscribed_on: str | None
    declaration: Literal["filed", "late", "nil", "missing", "not_due", "unknown"]
    declaration_first_submitted_at: str | None
    due_on: date | None
    plns: int
    plns_late: int
    cancelled: int
    launched: int
    unreported: int
    unnotified: int
    differences: list[DifferenceOut]
    mean_lead_time_hours: float | None


class ComplianceTotalsOut(Schema):
    states: int
    filed: int
    late: int
    nil: int
    missing: int
    not_due: int
    unknown: int
    plns: int
    plns_late: int
    cancelled: int
    launched: int
    unreported: int
    unnotified: int
    states_with_differences: int
    mean_lead_time_hours: float | None


class ComplianceOut(Schema):
    year: int
    items: list[ComplianceRowOut]
    totals: ComplianceTotalsOut
