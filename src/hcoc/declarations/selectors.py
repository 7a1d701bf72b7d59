from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.lib.cursor import decode_cursor, encode_cursor
from hcoc.lib.errors import NotFound, PermissionDenied
from hcoc.lib.timeutil import rfc3339
from hcoc.states.access import acting_state, require_acting_for, require_exchange_reader

from .models import DeadlineExtension, Declaration, DeclarationDeadline
from .readmodel import crosscheck, current_versions, declaration_read_model, declaration_read_models


def _get(actor, state: str, year: int) -> Declaration:
    require_exchange_reader(actor)
    d = Declaration.objects.filter(state_id=state.upper(), year=year).first()
    if d is None:
        raise NotFound(
            _("No declaration of %(state)s for %(year)s.") % {"state": state, "year": year}
        )
    return d


def declaration_get_for(*, actor, state: str, year: int) -> dict:
    d = _get(actor, state, year)
    return declaration_read_model(d, d.versions.get(version=d.current_version))


def declaration_versions_for(*, actor, state: str, year: int) -> list[dict]:
    d = _get(actor, state, year)
    return declaration_read_models([(d, v) for v in d.versions.order_by("version")])


def declaration_page_for(*, actor, state: str, year: int) -> dict:
    """A declaration's page: every version, and whether the actor may submit a new one (the
    state's submitters, or the ICC on its behalf: states.access.require_acting_for)."""
    versions = declaration_versions_for(actor=actor, state=state, year=year)
    try:
        on_behalf = require_acting_for(actor, versions[-1]["state"])
    except PermissionDenied:
        return {"versions": versions, "may_submit_version": False, "on_behalf": False}
    return {"versions": versions, "may_submit_version": True, "on_behalf": on_behalf}


def declaration_list_for(
    *,
    actor,
    year: int | None = None,
    state: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> dict:
    require_exchange_reader(actor)
    qs = Declaration.objects.filter(id__gt=decode_cursor(cursor))
    if year is not None:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state_id=state.upper())
    rows = list(qs.order_by("id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": declaration_read_models(current_versions(rows)),
        "next_cursor": encode_cursor(rows[-1].id) if more else None,
    }


def declaration_crosscheck_preview_for(*, actor, data) -> dict:
    """The crosscheck a declaration would get, before it is submitted (the form's live preview).

    Only for the state the actor may submit for: its own, or the ICC's `on_behalf_of` state; a
    preview must not become a way to read another state's unpublished plans.
    """

    state, _ignored = acting_state(actor, data.on_behalf_of)
    content = data.model_dump(mode="json", exclude={"on_behalf_of"})
    return {
        "state": state.iso3,
        "state_name": state.name,
        "year": data.year,
        "rows": crosscheck(state.iso3, data.year, content),
    }


def declaration_due_for(*, actor) -> dict | None:
    """Last year's declaration of the actor's state, if it has not been submitted: the year and
    the ICC's deadline for it (or None). None for the ICC, or when it has been submitted."""

    require_exchange_reader(actor)
    if actor.state_id is None:
        return None
    year = timezone.now().year - 1
    if Declaration.objects.filter(state_id=actor.state_id, year=year).exists():
        return None
    return {"year": year, "deadline": DeclarationDeadline.objects.filter(year=year).first()}


def deadlines_for(*, actor, year: int | None = None) -> list[dict]:
    """The due dates the ICC set, per year, with every state's extension and its reason."""

    require_exchange_reader(actor)
    deadlines = DeclarationDeadline.objects.order_by("year")
    if year is not None:
        deadlines = deadlines.filter(year=year)
    extensions: dict[int, list[dict]] = {}
    for e in DeadlineExtension.objects.filter(year__in=[d.year for d in deadlines]).order_by(
        "state_id"
    ):
        extensions.setdefault(e.year, []).append(
            {
                "state": e.state_id,
                "due_on": e.due_on,
                "reason": e.reason,
                "granted_at": rfc3339(e.granted_at),
            }
        )
    return [
        {"year": d.year, "due_on": d.due_on, "extensions": extensions.get(d.year, [])}
        for d in deadlines
    ]


def public_declaration_counts_by_year() -> dict[int, int]:
    """Public aggregate: how many states filed a declaration for each year. Counts only."""

    return dict(Declaration.objects.values("year").annotate(n=Count("id")).values_list("year", "n"))
