"""The ICC's writes to the registry: each one enters the exchange feed, in the same transaction."""

import csv
import re
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.accounts.access import require_icc
from hcoc.exchange.models import EventKind
from hcoc.exchange.services import EventDraft, event_transaction
from hcoc.lib.errors import Conflict, FieldProblem, InvalidInput, NotFound
from hcoc.states.access import require_contacts_keeper, require_exchange_reader
from hcoc.states.models import (
    Circular,
    ContactChangeKind,
    DatePrecision,
    HcocStatus,
    PointOfContact,
    PointOfContactChange,
    State,
    Subscription,
)
from hcoc.states.readmodel import circular_read_model, contact_read_model, state_read_model
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
        problems.append(FieldProblem("note_reference", _("must not be empty")))
    if note_received_on > today:
        problems.append(FieldProblem("note_received_on", _("must not be in the future")))
    if effective_on < note_received_on:
        problems.append(FieldProblem("effective_on", _("must not be before note_received_on")))
    if problems:
        raise InvalidInput(problems)
    with event_transaction() as event:
        seq, now = event.seq, event.at
        state = State.objects.filter(iso3=iso3).first()
        if state is None:
            raise NotFound(_("No state %(iso3)s in the registry.") % {"iso3": iso3})
        if state.status == HcocStatus.SUBSCRIBING:
            raise Conflict(
                _("%(iso3)s is already a subscribing state (since %(value)s).")
                % {"iso3": iso3, "value": state.subscribed_on or "an unrecorded date"}
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
                [
                    FieldProblem(
                        "header",
                        _("missing column(s): %(join)s") % {"join": ", ".join(sorted(missing))},
                    )
                ]
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
        problems.append(FieldProblem("title", _("must not be empty")))
    if len(title) > 200:
        problems.append(FieldProblem("title", _("at most 200 characters")))
    if not text.strip():
        problems.append(FieldProblem("text", _("must not be empty")))
    if len(text) > 5000:
        problems.append(FieldProblem("text", _("at most 5,000 characters")))
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


# ---- points of contact ------------------------------------------------------------------------
# Kept by the ICC (every state) and by each subscribing state's submitters (its own). They are not
# feed items (docs/formats.md: GET /states/{iso3} shows them to subscribers); each change is recorded
# in PointOfContactChange, in the same transaction: who, when, before and after.

CONTACT_LIMITS = {"name": 200, "organisation": 200, "email": 254, "phone": 50}
# Digits, spaces, a leading +, and the usual separators: +43 1 53115-0, (0)1 234.56.78
PHONE = re.compile(r"\+?[0-9 ()./-]+")


def _contact_problems(data: dict) -> list[FieldProblem]:
    problems = []
    if not data["name"]:
        problems.append(FieldProblem("name", _("Give the person's name or the office's title.")))
    for field, limit in CONTACT_LIMITS.items():
        if len(data[field]) > limit:
            problems.append(
                FieldProblem(field, _("Use at most %(limit)s characters.") % {"limit": limit})
            )
    if data["email"]:
        try:
            validate_email(data["email"])
        except ValidationError:
            problems.append(
                FieldProblem(
                    "email", _("This is not an e-mail address (like name@ministry.example).")
                )
            )
    if data["phone"]:
        digits = sum(ch.isdigit() for ch in data["phone"])
        if not PHONE.fullmatch(data["phone"]):
            problems.append(
                FieldProblem(
                    "phone",
                    _(
                        "Use only digits, spaces, a leading + and the separators ( ) - . / "
                        "(like +43 1 53115-0)."
                    ),
                )
            )
        elif digits < 4:
            problems.append(FieldProblem("phone", _("A phone number has at least 4 digits.")))
    if not data["email"] and not data["phone"]:
        problems.append(FieldProblem("email", _("Give an e-mail address or a phone number.")))
    return problems


def _contact_data(**fields: str) -> dict:
    return {k: (fields.get(k) or "").strip() for k in CONTACT_LIMITS}


def contact_add(
    *, actor, state_iso3: str, name: str, organisation: str = "", email: str = "", phone: str = ""
) -> PointOfContact:
    """A new point of contact of `state_iso3`, by the ICC or a submitter of that state."""
    entered_by_icc = require_contacts_keeper(actor, state_iso3)
    data = _contact_data(name=name, organisation=organisation, email=email, phone=phone)
    problems = _contact_problems(data)
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        state = State.objects.filter(iso3=state_iso3).first()
        if state is None:
            raise InvalidInput(
                [
                    FieldProblem(
                        "state",
                        _("There is no state %(state_iso3)s in the registry.")
                        % {"state_iso3": state_iso3},
                    )
                ]
            )
        contact = PointOfContact.objects.create(state=state, **data)
        _contact_record(contact, ContactChangeKind.ADDED, None, actor, entered_by_icc)
    return contact


def contact_change(
    *, actor, contact_id: int, name: str, organisation: str = "", email: str = "", phone: str = ""
) -> PointOfContact:
    """New details of a point of contact, by the ICC or a submitter of its state."""
    require_exchange_reader(actor)  # a non-subscriber learns nothing, not even what exists
    with transaction.atomic():
        contact = PointOfContact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None:
            raise NotFound(_("No such point of contact."))
        entered_by_icc = require_contacts_keeper(actor, contact.state_id)
        data = _contact_data(name=name, organisation=organisation, email=email, phone=phone)
        problems = _contact_problems(data)
        if problems:
            raise InvalidInput(problems)
        before = contact_read_model(contact)
        if before == data:
            return contact  # nothing changed: nothing to record
        for k, v in data.items():
            setattr(contact, k, v)
        contact.save(update_fields=list(data))
        _contact_record(contact, ContactChangeKind.CHANGED, before, actor, entered_by_icc)
    return contact


def contact_remove(*, actor, contact_id: int) -> PointOfContact:
    """Remove a point of contact, by the ICC or a submitter of its state; its record stays."""
    require_exchange_reader(actor)  # a non-subscriber learns nothing, not even what exists
    with transaction.atomic():
        contact = PointOfContact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None:
            raise NotFound(_("No such point of contact."))
        entered_by_icc = require_contacts_keeper(actor, contact.state_id)
        before = contact_read_model(contact)
        pk = contact.pk
        contact.delete()
        contact.pk = pk
        _contact_record(contact, ContactChangeKind.REMOVED, before, actor, entered_by_icc)
    return contact


def _contact_record(contact, kind, before, actor, entered_by_icc: bool) -> None:
    PointOfContactChange.objects.create(
        state_id=contact.state_id,
        contact_id=contact.pk,
        kind=kind,
        before=before,
        after=None if kind == ContactChangeKind.REMOVED else contact_read_model(contact),
        at=timezone.now(),
        by=actor,
        entered_by_icc=entered_by_icc,
    )
