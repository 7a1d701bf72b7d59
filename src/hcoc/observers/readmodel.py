"""The invitation read model, and the commitment a restricted invitation publishes in the feed.

Commitment (docs/decisions/0003): "sha256:" + hex(sha256(RFC 8785 JSON of
{"invitation": <the ISSUED_FIELDS of the read model>, "salt": <salt>})). The issued fields never
change, so an addressee can recompute it from GET /invitations/{reference} at any time.
"""

import hashlib

from hcoc.lib.canonical import canonical_dumps, canonical_loads
from hcoc.lib.timeutil import rfc3339

from .models import Answer, Audience, Invitation

ISSUED_FIELDS = (
    "reference",
    "state",
    "site_id",
    "site_name",
    "opens",
    "closes",
    "access",
    "audience",
    "named_states",
    "places",
    "reply_by",
    "remarks",
    "issued_at",
    "entered_by_icc",
)


def issued_model(inv: Invitation) -> dict:
    """What was issued: the part of the read model that never changes."""
    return {
        "reference": inv.reference,
        "state": inv.state_id,
        "site_id": inv.site_id,
        "site_name": inv.site.name,
        "opens": inv.opens.isoformat(),
        "closes": inv.closes.isoformat(),
        "access": inv.access,
        "audience": inv.audience,
        "named_states": sorted(a.state_id for a in inv.addressees.all()),
        "places": inv.places,
        "reply_by": inv.reply_by.isoformat(),
        "remarks": inv.remarks,
        "issued_at": rfc3339(inv.issued_at),
        "entered_by_icc": inv.entered_by_icc,
    }


def commitment_of(issued: dict, salt: str) -> str:
    data = canonical_dumps({"invitation": issued, "salt": salt}).encode("utf-8")
    return "sha256:" + hashlib.sha256(data).hexdigest()


def invitation_read_model(
    inv: Invitation, *, all_replies: bool, own_state: str | None = None, history: bool = False
) -> dict:
    """The read model. `all_replies`: the inviter and the ICC see every state's replies (with
    the observers' names); anyone else sees only `own_state`'s. `history` adds superseded
    replies (marked with superseded_at)."""
    confirmed = {c.state_id: c for c in inv.confirmations.all()}
    replies = []
    counts = {Answer.ACCEPT: 0, Answer.DECLINE: 0}
    for r in inv.replies.all():
        if r.superseded_at is None:
            counts[r.answer] += 1
        if r.superseded_at is not None and not history:
            continue
        if not all_replies and r.state_id != own_state:
            continue
        c = confirmed.get(r.state_id)
        replies.append(
            {
                "state": r.state_id,
                "answer": r.answer,
                "observers": canonical_loads(r.observers),
                "replied_at": rfc3339(r.replied_at),
                "entered_by_icc": r.entered_by_icc,
                "confirmed_at": rfc3339(c.confirmed_at) if c and c.reply_id == r.pk else None,
                "superseded_at": rfc3339(r.superseded_at),
            }
        )
    confirmed_places = sum(c.observers_count for c in confirmed.values())
    named = inv.audience == Audience.NAMED
    return {
        **issued_model(inv),
        "seq": inv.seq,
        "status": inv.status,
        "withdrawn_at": rfc3339(inv.withdrawn_at),
        "salt": inv.salt if named else None,
        "commitment": inv.commitment if named else None,
        "replies": replies,
        "accepted": counts[Answer.ACCEPT],
        "declined": counts[Answer.DECLINE],
        "confirmed_places": confirmed_places,
        "places_left": inv.places - confirmed_places,
    }


def feed_payload(inv: Invitation) -> dict:
    """What the feed carries: the whole read model for an invitation open to all; for a named
    one only its reference and the commitment, since every subscriber reads the one sequence."""
    if inv.audience == Audience.NAMED:
        return {"reference": inv.reference, "audience": "named", "commitment": inv.commitment}
    return invitation_read_model(inv, all_replies=True)


def declaration_details(invitations: list[dict]) -> str:
    """The text of an annual declaration's observers section (its `details`), from the state's
    invitations of the year (one paragraph each); the declaration format itself is unchanged.

    A declaration goes to every subscribing state, and a restricted invitation is for the
    states it names only (decision 0003): only invitations open to all are described; the
    restricted ones are counted, which every state already knows from their commitments in
    the feed, and never described (site, dates, access)."""
    paragraphs = []
    restricted = 0
    for i in invitations:
        if i["audience"] != Audience.ALL:
            restricted += 1
            continue
        paragraphs.append(
            f"{i['reference']}: observers invited to {i['site_name']} ({i['site_id']}), "
            f"{i['opens']} to {i['closes']}, open to every subscribing state, "
            f"{i['places']} places, {i['confirmed_places']} observers confirmed. "
            f"Access: {i['access']}"
        )
    if restricted:
        paragraphs.append(
            f"{restricted} further invitation{'s' if restricted > 1 else ''} addressed to named "
            "states "
            + ("are" if restricted > 1 else "is")
            + " not described here: only the states named may see "
            + ("them." if restricted > 1 else "it.")
        )
    return "\n\n".join(paragraphs)
