"""The ICC's writes to the registry: each one enters the exchange feed, in the same transaction."""

import csv
from datetime import date
from pathlib import Path

from django.utils import timezone

from hcoc.accounts.access import require_icc
from hcoc.exchange.models import EventKind
from hcoc.exchange.services import EventDraft, event_transaction
from hcoc.lib.errors import Conflict, FieldProblem, InvalidInput, NotFound
from hcoc.states.models import Circular, DatePrecision, HcocStatus, State, Subscription
from hcoc.states.readmodel import circular_read_model, state_read_model
from hcoc.states.services import REGISTRY_COLUMNS, RowResult, registry_row_parse


def _publish_subscription(event: EventDraft, state: State, sub: Subscription, *, actor) -> None:
    event.publish(
        kind=EventKind.REGISTRY_SUBSCRIBED,
        state=state.iso3,
        subject=state.iso3,
        payload={
            **state_read_model(state),
            "note_reference": sub.note_reference,
            "note_received_on": sub.note_received_on.isoformat(),
            "effective_on": sub.effective_on.isoformat(),
        },
        actor=actor,
    )


def subscription_record(
    *, actor, iso3: str, note_reference: str, note_received_on: date, effective_on: date
) -> Subscription:
    """The ICC records a state's subscription (from its diplomatic note) and disseminates it."""
    actor = require_icc(actor)
    problems: list[FieldProblem] = []
    today = timezone.now().date()
    if not note_reference.strip():
        problems.append(FieldProblem("note_reference", "must not be empty"))
    if note_received_on > today:
        problems.append(FieldProblem("note_received_on", "must not be in the future"))
    if effective_on < note_received_on:
        problems.append(FieldProblem("effective_on", "must not be before note_received_on"))
    if problems:
        raise InvalidInput(problems)
    with event_transaction() as event:
        seq, now = event.seq, event.at
        state = State.objects.filter(iso3=iso3).first()
        if state is None:
            raise NotFound(f"No state {iso3} in the registry.")
        if state.status == HcocStatus.SUBSCRIBING:
            raise Conflict(
                f"{iso3} is already a subscribing state (since {state.subscribed_on or 'an unrecorded date'})."
            )
        state.status = HcocStatus.SUBSCRIBING
        state.subscribed_on = effective_on
        state.subscribed_on_precision = DatePrecision.DAY
        state.save(update_fields=["status", "subscribed_on", "subscribed_on_precision"])
        sub = Subscription.objects.create(
            state=state,
            note_reference=note_reference.strip(),
            note_received_on=note_received_on,
            effective_on=effective_on,
            recorded_at=now,
            recorded_by=actor,
            seq=seq,
        )
        _publish_subscription(event, state, sub, actor=actor)
    return sub


def registry_import(*, actor, path: Path) -> list[RowResult]:
    """Load an authoritative registry list (the ICC's): each good row is stored, each bad row
    reported with its line and reason. A state that becomes subscribing is disseminated."""
    actor = require_icc(actor)
    results: list[RowResult] = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = REGISTRY_COLUMNS - set(reader.fieldnames or [])
        if missing:
            raise InvalidInput(
                [FieldProblem("header", f"missing column(s): {', '.join(sorted(missing))}")]
            )
        for row in reader:
            line = reader.line_num
            data, error = registry_row_parse(row)
            if data is None:
                results.append(RowResult(line, (row.get("iso3") or "").strip(), False, error))
                continue
            results.append(_registry_upsert(data, line=line, actor=actor))
    return results


def _registry_upsert(data: dict, *, line: int, actor) -> RowResult:
    with event_transaction() as event:
        seq, now = event.seq, event.at
        state = State.objects.filter(iso3=data["iso3"]).first()
        newly_subscribing = data["status"] == HcocStatus.SUBSCRIBING and (
            state is None or state.status != HcocStatus.SUBSCRIBING
        )
        if state is None:
            state = State(iso3=data["iso3"])
        for k, v in data.items():
            setattr(state, k, v)
        state.save()
        if newly_subscribing:
            sub = Subscription.objects.create(
                state=state,
                note_reference="registry import",
                note_received_on=data["subscribed_on"] or now.date(),
                effective_on=data["subscribed_on"] or now.date(),
                recorded_at=now,
                recorded_by=actor,
                seq=seq,
            )
            _publish_subscription(event, state, sub, actor=actor)
    return RowResult(
        line, data["iso3"], True, "subscribed (disseminated)" if newly_subscribing else "stored"
    )


# The feed requires a state on every item; a circular concerns no one state, so it is filed under
# the ICC's own state, Austria (docs/api.md, "Registry news").
ICC_STATE = "AUT"


def circular_publish(*, actor, title: str, text: str) -> Circular:
    """The ICC writes a circular to every subscribing state; it enters the feed."""
    actor = require_icc(actor)
    problems = []
    if not title.strip():
        problems.append(FieldProblem("title", "must not be empty"))
    if len(title) > 200:
        problems.append(FieldProblem("title", "at most 200 characters"))
    if not text.strip():
        problems.append(FieldProblem("text", "must not be empty"))
    if len(text) > 5000:
        problems.append(FieldProblem("text", "at most 5,000 characters"))
    if problems:
        raise InvalidInput(problems)
    with event_transaction() as event:
        seq, now = event.seq, event.at
        # Under the exchange lock: the number cannot be taken twice.
        number = Circular.objects.filter(published_at__year=now.year).count() + 1
        circular = Circular.objects.create(
            reference=f"ICC-CIRC-{now.year:04d}-{number:03d}",
            title=title.strip(),
            text=text.strip(),
            published_at=now,
            author=actor,
            seq=seq,
        )
        event.publish(
            kind=EventKind.REGISTRY_CIRCULAR,
            state=ICC_STATE,
            subject=circular.reference,
            payload=circular_read_model(circular),
            actor=actor,
        )
    return circular
