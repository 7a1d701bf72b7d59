"""The one door for observer invitations: issue, reply, confirm, withdraw."""

import secrets
from datetime import UTC, date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.exchange.models import EventKind
from hcoc.exchange.services import event_transaction, number_next
from hcoc.lib.canonical import canonical_dumps, canonical_loads
from hcoc.lib.errors import Conflict, FieldProblem, InvalidInput
from hcoc.observers.access import require_invitee, require_inviter
from hcoc.sites.models import LaunchSite
from hcoc.states.access import acting_state

from .models import Addressee, Answer, Audience, Confirmation, Invitation, InvitationStatus, Reply
from .readmodel import commitment_of, feed_payload, issued_model
from .schemas import InvitationIn, ReplyIn
from .selectors import invitation_visible_or_404


def _next_reference(state_id: str, year: int) -> tuple[str, int]:
    mine = Invitation.objects.filter(state_id=state_id, ref_year=year)
    number = number_next(mine, "ref_number")
    return f"{state_id}-INV-{year:04d}-{number:03d}", number


def replies_close_at(reply_by: date) -> datetime:
    """Replies may be given or changed until the end of the `reply_by` day (UTC)."""
    return datetime.combine(reply_by, time.max, tzinfo=UTC)


def invitation_issue(*, actor, data: InvitationIn) -> Invitation:
    state, by_icc = acting_state(actor, data.on_behalf_of)
    problems = []
    site = LaunchSite.objects.get(id=data.site_id)  # the schema's rules checked it exists
    if site.state_id != state.iso3:
        problems.append(
            FieldProblem(
                "site_id",
                _("%(id)s is not a launch site of %(iso3)s") % {"id": site.id, "iso3": state.iso3},
            )
        )
    for i, iso3 in enumerate(data.named_states):
        if iso3 == state.iso3:
            problems.append(FieldProblem(f"named_states[{i}]", _("the inviting state itself")))
    if problems:
        raise InvalidInput(problems)
    with event_transaction() as event:
        seq, now = event.seq, event.at
        reference, number = _next_reference(state.iso3, now.year)
        inv = Invitation.objects.create(
            reference=reference,
            state=state,
            ref_year=now.year,
            ref_number=number,
            site=site,
            opens=data.opens,
            closes=data.closes,
            access=data.access.strip(),
            audience=data.audience,
            places=data.places,
            reply_by=data.reply_by,
            remarks=data.remarks.strip(),
            issued_at=now,
            issued_by=actor,
            entered_by_icc=by_icc,
            seq=seq,
        )
        Addressee.objects.bulk_create(
            [Addressee(invitation=inv, state_id=iso3) for iso3 in data.named_states]
        )
        if inv.audience == Audience.NAMED:
            # The salt keeps the commitment from being guessed: addressees, sites and dates
            # are few enough to try them all against an unsalted hash.
            inv.salt = secrets.token_hex(32)
            inv.commitment = commitment_of(issued_model(inv), inv.salt)
            inv.save(update_fields=["salt", "commitment"])
        event.publish(
            kind=EventKind.INVITATION_ISSUED,
            state=state.iso3,
            subject=reference,
            payload=feed_payload(inv),
            actor=actor,
        )
    return inv


def _locked(actor, reference: str) -> Invitation:
    """The invitation, row-locked for the rest of the transaction (PostgreSQL; SQLite's
    IMMEDIATE transaction already holds the write lock). 404 unless the actor may see it."""
    inv = invitation_visible_or_404(actor, reference)
    return Invitation.objects.select_for_update().get(pk=inv.pk)


def invitation_reply(*, actor, reference: str, data: ReplyIn) -> Reply:
    """An addressed state accepts (naming its observers) or declines; it may change its answer
    until reply_by, unless the inviter has confirmed it."""
    now = timezone.now()
    with transaction.atomic():
        inv = _locked(actor, reference)
        named = set(inv.addressees.values_list("state_id", flat=True))
        state, by_icc = require_invitee(
            actor,
            inviter=inv.state_id,
            audience=inv.audience,
            named=named,
            on_behalf_of=data.on_behalf_of,
        )
        if inv.status != InvitationStatus.OPEN:
            raise Conflict(_("%(reference)s was withdrawn.") % {"reference": inv.reference})
        if now > replies_close_at(inv.reply_by):
            raise Conflict(
                _("Replies to %(reference)s closed on %(reply_by)s.")
                % {"reference": inv.reference, "reply_by": inv.reply_by}
            )
        if Confirmation.objects.filter(invitation=inv, state=state).exists():
            raise Conflict(
                _("%(state_id)s has confirmed the reply of %(iso3)s.")
                % {"state_id": inv.state_id, "iso3": state.iso3}
            )
        observers = [name.strip() for name in data.observers]
        if len(observers) > inv.places:
            raise InvalidInput(
                [
                    FieldProblem(
                        "observers",
                        _("at most %(places)s observers (the places offered)")
                        % {"places": inv.places},
                    )
                ]
            )
        Reply.objects.filter(invitation=inv, state=state, superseded_at__isnull=True).update(
            superseded_at=now
        )
        return Reply.objects.create(
            invitation=inv,
            state=state,
            answer=data.answer,
            observers=canonical_dumps(observers),
            replied_at=now,
            replied_by=actor,
            entered_by_icc=by_icc,
        )


def invitation_confirm(*, actor, reference: str, state_iso3: str) -> Confirmation:
    """The inviting state confirms a state's accepted reply; places are never over-confirmed."""
    with transaction.atomic():
        inv = _locked(actor, reference)
        require_inviter(actor, inv.state_id)
        if inv.status != InvitationStatus.OPEN:
            raise Conflict(_("%(reference)s was withdrawn.") % {"reference": inv.reference})
        reply = Reply.objects.filter(
            invitation=inv, state_id=state_iso3, superseded_at__isnull=True
        ).first()
        if reply is None or reply.answer != Answer.ACCEPT:
            raise InvalidInput(
                [
                    FieldProblem(
                        "state",
                        _("%(state_iso3)s has not accepted this invitation")
                        % {"state_iso3": state_iso3},
                    )
                ]
            )
        if Confirmation.objects.filter(invitation=inv, state_id=state_iso3).exists():
            raise Conflict(
                _("The reply of %(state_iso3)s is already confirmed.") % {"state_iso3": state_iso3}
            )
        count = len(canonical_loads(reply.observers))
        taken = sum(inv.confirmations.values_list("observers_count", flat=True))
        if taken + count > inv.places:
            raise Conflict(
                _(
                    "%(count)s observer(s) of %(state_iso3)s do not fit: %(value)s of %(places)s places "
                    "are left."
                )
                % {
                    "count": count,
                    "state_iso3": state_iso3,
                    "value": inv.places - taken,
                    "places": inv.places,
                }
            )
        return Confirmation.objects.create(
            invitation=inv,
            state_id=state_iso3,
            reply=reply,
            observers_count=count,
            confirmed_at=timezone.now(),
            confirmed_by=actor,
        )


def invitation_withdraw(*, actor, reference: str, reason: str = "") -> Invitation:
    with transaction.atomic():
        inv = _locked(actor, reference)
        require_inviter(actor, inv.state_id)
        if inv.status != InvitationStatus.OPEN:
            raise Conflict(_("%(reference)s is already withdrawn.") % {"reference": inv.reference})
        inv.status = InvitationStatus.WITHDRAWN
        inv.withdrawn_at = timezone.now()
        inv.withdrawal_reason = reason.strip()
        inv.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    return inv
