"""Reads of the transparency log, each behind the access rule: subscribers and the ICC."""

import json
import re

from django.utils.translation import gettext as _

from hcoc.lib.errors import FieldProblem, InvalidInput, NotFound
from hcoc.lib.timeutil import rfc3339
from hcoc.states.access import require_exchange_reader
from hcoc.states.names import name_of, names_of

from . import services, trust
from .client import b64
from .keys import log_signer
from .models import Checkpoint, Cosignature, KeyKind, LogEntry, StateKey
from .tlog import merkle, note
from .verifier import KeyRecord, leaf_signature_problem

MAX_ENTRIES = 1000


def checkpoint_note(cp: Checkpoint, lines: list[str] | None = None) -> str:
    """The checkpoint's signed note with every cosignature gathered for it (`lines`, when the
    caller fetched them already)."""
    if lines is None:
        lines = list(
            Cosignature.objects.filter(checkpoint=cp)
            .order_by("key_id")
            .values_list("line", flat=True)
        )
    text = cp.note
    for line in lines:
        text = note.signature_add(text, line)
    return text


def checkpoint_latest_for(*, actor) -> str:
    require_exchange_reader(actor)
    return checkpoint_note(services.checkpoint_current())


def checkpoints_for(*, actor, after_size: int, limit: int) -> dict:
    """Checkpoints oldest first (each with its cosignatures): what a verifier checks the tree
    against, and what a split view would show up in."""
    require_exchange_reader(actor)
    services.checkpoint_current()
    rows = list(Checkpoint.objects.filter(size__gt=after_size).order_by("size")[: limit + 1])
    page = rows[:limit]
    lines: dict[int, list[str]] = {}
    cosigs = Cosignature.objects.filter(checkpoint__in=[cp.size for cp in page]).order_by("key_id")
    for size, line in cosigs.values_list("checkpoint_id", "line"):
        lines.setdefault(size, []).append(line)
    return {
        "checkpoints": [
            {
                "size": cp.size,
                "created_at": rfc3339(cp.created_at),
                "note": checkpoint_note(cp, lines.get(cp.size, [])),
            }
            for cp in page
        ],
        "more": len(rows) > limit,
    }


def tree_size() -> int:
    return services.log_head().size


def entries_for(*, actor, start: int, end: int) -> dict:
    """Leaves start..end inclusive (as RFC 6962 get-entries), at most MAX_ENTRIES."""
    require_exchange_reader(actor)
    if end < start:
        raise InvalidInput([FieldProblem("end", _("must not be less than start"))])
    end = min(end, start + MAX_ENTRIES - 1)
    rows = LogEntry.objects.filter(index__gte=start, index__lte=end).order_by("index")
    return {
        "entries": [
            {"index": e.index, "seq": e.seq, "leaf": e.leaf, "leaf_hash": b64(bytes(e.leaf_hash))}
            for e in rows.only("index", "seq", "leaf", "leaf_hash")
        ]
    }


def inclusion_proof_for(*, actor, index: int, size: int) -> dict:
    require_exchange_reader(actor)
    current = tree_size()
    if size < 1 or size > current:
        raise InvalidInput(
            [FieldProblem("size", _("must be between 1 and %(current)s") % {"current": current})]
        )
    if index >= size:
        raise InvalidInput(
            [FieldProblem("index", _("must be less than size (%(size)s)") % {"size": size})]
        )
    hashes = merkle.inclusion_proof(index, size, services.nodes_get)
    return {"index": index, "size": size, "hashes": [b64(h) for h in hashes]}


def consistency_proof_for(*, actor, old: int, new: int) -> dict:
    require_exchange_reader(actor)
    current = tree_size()
    if new > current:
        raise InvalidInput(
            [
                FieldProblem(
                    "to", _("must not exceed the tree size (%(current)s)") % {"current": current}
                )
            ]
        )
    if old > new:
        raise InvalidInput([FieldProblem("from", _("must not exceed to"))])
    hashes = merkle.consistency_proof(old, new, services.nodes_get) if old else []
    return {"from": old, "to": new, "hashes": [b64(h) for h in hashes]}


def key_as_dict(key: StateKey) -> dict:
    return {
        "key_id": key.key_id,
        "state": key.state_id,
        "kind": key.kind,
        "public_key": b64(bytes(key.public_key)),
        "fingerprint": trust.fingerprint(bytes(key.public_key)),
        "valid_from": rfc3339(key.valid_from),
        "revoked_at": rfc3339(key.revoked_at),
        "registered_index": key.registered_index,
        "revoked_index": key.revoked_index,
        "certified_by": key.certified_by or key.endorsed_by or None,
        "user": key.user.username if key.user_id else None,
        "note_reference": key.note_reference or None,
        "cosignature_vkey": services.cosignature_vkey(key) if key.kind == "state" else None,
    }


def keys_for(*, actor) -> dict:
    require_exchange_reader(actor)
    return {
        "origin": log_signer().name,
        "vkey": log_signer().vkey(),
        "keys": [
            key_as_dict(k)
            for k in StateKey.objects.select_related("user").order_by("state_id", "key_id")
        ],
    }


def keys_listed() -> list[dict]:
    """Every key, for people: with its state's name and what vouches for it."""
    keys = list(StateKey.objects.select_related("user").order_by("state_id", "kind", "key_id"))
    names = names_of({k.state_id for k in keys})  # in the reader's language (CLDR)
    return [
        {**key_as_dict(k), "state_name": names.get(k.state_id, k.state_id), "model": k}
        for k in keys
    ]


def signing_overview(user) -> dict:
    """What the signing page shows a state's user: the state's root, the user's browser keys,
    and the key id a new browser key of theirs will have."""
    root = services.state_root(user.state_id)
    mine = list(
        StateKey.objects.filter(user=user, kind=KeyKind.BROWSER).order_by("registered_index")
    )
    slug = re.sub(r"[^A-Za-z0-9._-]", "_", user.username)[:24]
    n = len(mine) + 1
    while StateKey.objects.filter(key_id=f"{user.state_id}-browser-{slug}-{n}").exists():
        n += 1
    return {
        "root": root,
        "root_fingerprint": trust.fingerprint(bytes(root.public_key)) if root else "",
        "my_keys": mine,
        "new_key_id": f"{user.state_id}-browser-{slug}-{n}",
        "state_name": name_of(user.state_id),  # in the reader's language (CLDR)
    }


def signing_config(user) -> dict | None:
    """For every page of a state's user (a template context processor): the browser keys that
    static/hcoc/sign.js may sign with, and whether the state signs everything (has a root)."""
    if not (user.is_authenticated and user.state_id):
        return None
    keys = StateKey.objects.filter(user=user, kind=KeyKind.BROWSER, revoked_at__isnull=True)
    return {
        "user": user.username,
        "keys": list(keys.values_list("key_id", flat=True)),
        "rooted": services.state_rooted(user.state_id),
    }


def receipt_for(*, actor, index: int) -> dict:
    require_exchange_reader(actor)
    return services.receipt(index)


def entry_for_seq(seq: int) -> LogEntry | None:
    return LogEntry.objects.filter(seq=seq).first()


def entry_status(entry: LogEntry) -> dict:
    """For pages: the entry's place in the log, re-checked now against the latest checkpoint
    (leaf hash, inclusion proof, and the signature it carries)."""

    cp = services.checkpoint_covering(entry.index)
    checks = {"leaf_hash": False, "included": False, "signature": None}
    digest = merkle.leaf_hash(entry.leaf.encode())
    checks["leaf_hash"] = digest == bytes(entry.leaf_hash)
    proof = merkle.inclusion_proof(entry.index, cp.size, services.nodes_get)
    try:
        merkle.verify_inclusion(entry.index, cp.size, digest, proof, bytes(cp.root))
        checks["included"] = True
    except merkle.ProofError:
        pass
    leaf = json.loads(entry.leaf)
    signature = leaf.get("signature")
    if signature:
        key = StateKey.objects.filter(key_id=signature["key_id"]).first()
        problem = "unknown key"
        if key is not None:
            problem = leaf_signature_problem(leaf, KeyRecord.from_model(key))
        checks["signature"] = problem is None
    # In the name of a state that had a root by then: only a key its root certified counts.
    actor_state = (leaf.get("actor") or {}).get("state")
    rooted = actor_state and services.state_rooted(actor_state, before_index=entry.index)
    if rooted and not leaf["type"].startswith("key."):
        key = StateKey.objects.filter(key_id=(signature or {}).get("key_id", "")).first()
        if key is None or not key.certified_by or key.kind not in (KeyKind.STATE, KeyKind.BROWSER):
            checks["signature"] = False
            checks["not_signed_by"] = actor_state
    return {
        "index": entry.index,
        "checkpoint_size": cp.size,
        "signed_by": signature["key_id"] if signature else None,
        "signature_kind": signature["kind"] if signature else None,
        "verified": checks["leaf_hash"] and checks["included"] and checks["signature"] is not False,
        "not_signed_by": checks.get("not_signed_by"),
        "checks": checks,
    }


def require_entry(index: int) -> LogEntry:
    entry = LogEntry.objects.filter(index=index).first()
    if entry is None:
        raise NotFound(_("No log entry %(index)s.") % {"index": index})
    return entry


def log_status_for_seq(*, actor, seq: int) -> dict | None:
    """For an item's page: its log entry and whether it checks out now (None if not logged)."""
    require_exchange_reader(actor)
    entry = entry_for_seq(seq)
    return entry_status(entry) if entry is not None else None


def log_overview_for(*, actor) -> dict:
    require_exchange_reader(actor)

    current = services.checkpoint_current()
    cosigned = Checkpoint.objects.filter(cosigs__isnull=False).order_by("-size").distinct().first()
    cosigners = []
    if cosigned is not None:
        cosigners = list(
            Cosignature.objects.filter(checkpoint=cosigned)
            .order_by("key_id")
            .values("key_id", "key__state_id", "received_at")
        )
    recent = LogEntry.objects.order_by("-index").only(
        "index", "seq", "type", "at", "state", "key_id"
    )[:20]
    return {
        "checkpoint": current,
        "checkpoint_note": checkpoint_note(current),
        "root_b64": b64(bytes(current.root)),
        "cosigned": cosigned,
        "cosigners": cosigners,
        "origin": log_signer().name,
        "vkey": log_signer().vkey(),
        "keys": list(StateKey.objects.order_by("state_id", "key_id")),
        "recent": recent,
    }
