"""The one door for annual declarations: each submission is a new version, announced in the feed."""

from django.utils import timezone

from hcoc.accounts.access import require_icc
from hcoc.exchange.models import EventKind
from hcoc.exchange.services import event_transaction
from hcoc.lib.canonical import canonical_dumps
from hcoc.lib.errors import FieldProblem, InvalidInput, NotFound
from hcoc.states.access import acting_state
from hcoc.states.models import State

from .models import DeadlineExtension, Declaration, DeclarationDeadline, DeclarationVersion
from .readmodel import declaration_read_model
from .rules import deadline_problems, extension_problems
from .schemas import DeclarationIn


def declaration_content(data: DeclarationIn) -> dict:
    return data.model_dump(mode="json", exclude={"on_behalf_of"})


def declaration_submit(*, actor, data: DeclarationIn) -> Declaration:
    state, by_icc = acting_state(actor, data.on_behalf_of)
    content = declaration_content(data)
    with event_transaction() as event:
        seq, now = event.seq, event.at
        d, created = Declaration.objects.get_or_create(
            state=state, year=data.year, defaults={"current_version": 1, "first_submitted_at": now}
        )
        if not created:
            d.current_version += 1
            d.save(update_fields=["current_version"])
        v = DeclarationVersion.objects.create(
            declaration=d,
            version=d.current_version,
            content=canonical_dumps(content),
            submitted_at=now,
            submitted_by=actor,
            entered_by_icc=by_icc,
            seq=seq,
        )
        event.publish(
            kind=EventKind.DECLARATION_SUBMITTED,
            state=state.iso3,
            subject=f"{state.iso3}/{d.year}",
            version=v.version,
            payload=declaration_read_model(d, v),
            actor=actor,
        )
    return d


def deadline_set(*, actor, year: int, due_on) -> DeclarationDeadline:
    """The ICC sets (or moves) the due date of the declarations covering `year`."""
    require_icc(actor)
    if problems := deadline_problems(year, due_on):
        raise InvalidInput([FieldProblem(".".join(map(str, loc)), m) for loc, m in problems])
    deadline, _ = DeclarationDeadline.objects.update_or_create(
        year=year, defaults={"due_on": due_on}
    )
    return deadline


def deadline_extend(*, actor, iso3: str, year: int, due_on, reason: str) -> DeadlineExtension:
    """The ICC extends one state's due date for `year`, with a reason (replacing an earlier one)."""
    actor = require_icc(actor)
    if not State.objects.filter(iso3=iso3).exists():
        raise NotFound(f"No state {iso3} in the registry.")
    problems = []
    if not reason.strip():
        problems.append(FieldProblem("reason", "must not be empty"))
    base = DeclarationDeadline.objects.filter(year=year).first()
    if base is None:
        problems.append(FieldProblem("year", f"no due date is set for {year} yet"))
    elif due_on <= base.due_on:
        problems.append(
            FieldProblem("due_on", f"must be after the due date of {year}, {base.due_on}")
        )
    else:
        problems += [FieldProblem("due_on", m) for _, m in extension_problems(year, due_on)]
    if problems:
        raise InvalidInput(problems)
    extension, _ = DeadlineExtension.objects.update_or_create(
        state_id=iso3,
        year=year,
        defaults={
            "due_on": due_on,
            "reason": reason.strip(),
            "granted_at": timezone.now(),
            "granted_by": actor,
        },
    )
    return extension
