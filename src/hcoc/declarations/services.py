"""The one door for annual declarations: each submission is a new version, announced in the feed."""

from django.db import transaction
from django.utils import timezone

from hcoc.accounts.access import acting_state
from hcoc.exchange.models import EventKind
from hcoc.exchange.services import event_record, seq_reserve
from hcoc.lib.canonical import canonical_dumps

from .models import Declaration, DeclarationVersion
from .readmodel import declaration_read_model
from .schemas import DeclarationIn


def declaration_content(data: DeclarationIn) -> dict:
    return data.model_dump(mode="json", exclude={"on_behalf_of"})


def declaration_submit(*, actor, data: DeclarationIn) -> Declaration:
    state, by_icc = acting_state(actor, data.on_behalf_of)
    now = timezone.now()
    content = declaration_content(data)
    with transaction.atomic():
        seq = seq_reserve()
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
        event_record(
            seq=seq,
            kind=EventKind.DECLARATION_SUBMITTED,
            at=now,
            state_id=state.iso3,
            subject=f"{state.iso3}/{d.year}",
            version=v.version,
            payload=declaration_read_model(d, v),
            actor_id=actor.pk,
        )
    return d
