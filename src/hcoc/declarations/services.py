"""The one door for annual declarations: each submission is a new version, announced in the feed."""

from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hcoc.accounts.access import require_icc
from hcoc.exchange.models import EventKind
from hcoc.exchange.services import event_transaction
from hcoc.lib.canonical import canonical_dumps
from hcoc.lib.errors import Conflict, FieldProblem, InvalidInput, NotFound
from hcoc.states.access import acting_state
from hcoc.states.languages import addresses_by_language
from hcoc.states.models import State
from hcoc.states.names import names_of

from .models import (
    DeadlineExtension,
    Declaration,
    DeclarationDeadline,
    DeclarationVersion,
    Reminder,
    ReminderKind,
)
from .readmodel import declaration_read_model
from .reminders import SUBJECTS, PlannedReminder, reminders_due
from .rules import deadline_problems, extension_problems
from .schemas import DeclarationIn


def declaration_content(data: DeclarationIn) -> dict:
    return data.model_dump(mode="json", exclude={"on_behalf_of"})


def declaration_submit(*, actor, data: DeclarationIn, supersedes: int | None = None) -> Declaration:
    """A new version of the state's declaration for the year, to every subscribing state.
    `supersedes`: the version the sender saw as current (0: none), checked under the write lock,
    so that a page's confirmation sent twice (a double click) makes one version, not two."""
    state, by_icc = acting_state(actor, data.on_behalf_of)
    content = declaration_content(data)
    with event_transaction() as event:
        seq, now = event.seq, event.at
        d, created = Declaration.objects.get_or_create(
            state=state, year=data.year, defaults={"current_version": 1, "first_submitted_at": now}
        )
        if supersedes is not None and (0 if created else d.current_version) != supersedes:
            raise Conflict(
                _(
                    "The declaration of %(name)s for %(year)s has changed since it was reviewed (it is "
                    "at version %(current_version)s): nothing was sent."
                )
                % {"name": state.name, "year": data.year, "current_version": d.current_version}
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
    deadline, _created = DeclarationDeadline.objects.update_or_create(
        year=year, defaults={"due_on": due_on}
    )
    return deadline


def deadline_extend(*, actor, iso3: str, year: int, due_on, reason: str) -> DeadlineExtension:
    """The ICC extends one state's due date for `year`, with a reason (replacing an earlier one)."""
    actor = require_icc(actor)
    if not State.objects.filter(iso3=iso3).exists():
        raise NotFound(_("No state %(iso3)s in the registry.") % {"iso3": iso3})
    problems = []
    if not reason.strip():
        problems.append(FieldProblem("reason", _("must not be empty")))
    base = DeclarationDeadline.objects.filter(year=year).first()
    if base is None:
        problems.append(
            FieldProblem("year", _("no due date is set for %(year)s yet") % {"year": year})
        )
    elif due_on <= base.due_on:
        problems.append(
            FieldProblem(
                "due_on",
                _("must be after the due date of %(year)s, %(due_on)s")
                % {"year": year, "due_on": base.due_on},
            )
        )
    else:
        problems += [FieldProblem("due_on", m) for _, m in extension_problems(year, due_on)]
    if problems:
        raise InvalidInput(problems)
    extension, _created = DeadlineExtension.objects.update_or_create(
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


# ---- reminders -------------------------------------------------------------------------------


def _day(d: date) -> str:
    return d.isoformat()  # ISO 8601, as every date the exchange shows


def reminders_send(*, today: date | None = None) -> list[PlannedReminder]:
    """Send today's reminders; each is recorded first, so a second run sends nothing again.
    States are written to one by one; the ICC gets one digest per year of the states newly past due."""
    planned = reminders_due(today=today)
    sent: list[PlannedReminder] = []
    for p in planned:
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    state_id=p.state,
                    year=p.year,
                    kind=p.kind,
                    due_on=p.due_on,
                    sent_at=timezone.now(),
                    recipients=", ".join(p.recipients),
                )
        except IntegrityError:
            continue  # another run recorded it first: never twice
        sent.append(p)
        if p.kind != ReminderKind.PAST_DUE and p.recipients:
            # Each address in its reader's language (hcoc.states.languages).
            for language, to in addresses_by_language(p.recipients, p.state).items():
                with translation.override(language):
                    subject, body = _reminder_message(p)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    for year in sorted({p.year for p in sent if p.kind == ReminderKind.PAST_DUE}):
        late = [p for p in sent if p.kind == ReminderKind.PAST_DUE and p.year == year]
        if late[0].recipients:
            # To the ICC's users, each in the language they chose.
            for language, to in addresses_by_language(late[0].recipients, None).items():
                with translation.override(language):
                    subject, body = _past_due_message(year, late)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    return planned


def _reminder_message(p: PlannedReminder) -> tuple[str, str]:
    """(subject, body) of a state's reminder, in the active language."""
    subject = str(SUBJECTS[p.kind]) % {"year": p.year, "due": _day(p.due_on)}
    body = _(
        "%(subject)s.\n\nSubmit it at %(site)s/declarations/new?year=%(year)s "
        "or through the API (POST /api/v1/declarations).\n\nHCoC Exchange"
    ) % {"subject": subject, "site": settings.SITE_URL, "year": p.year}
    return subject, body


def _past_due_message(year: int, late: list[PlannedReminder]) -> tuple[str, str]:
    """(subject, body) of the ICC's digest of the states newly past due, in the active language."""
    names = names_of(p.state for p in late)
    lines = "\n".join(
        _("- %(state)s (due %(due)s)")
        % {"state": names.get(p.state, p.state), "due": _day(p.due_on)}
        for p in late
    )
    subject = ngettext(
        "HCoC: %(count)s annual declaration for %(year)s now past due",
        "HCoC: %(count)s annual declarations for %(year)s now past due",
        len(late),
    ) % {"count": len(late), "year": year}
    body = _(
        "Past due and still missing:\n%(lines)s\n\n%(site)s/compliance/%(year)s\n\nHCoC Exchange"
    ) % {
        "lines": lines,
        "site": settings.SITE_URL,
        "year": year,
    }
    return subject, body
