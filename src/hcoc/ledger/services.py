"""Writes to the transparency log: leaves, checkpoints, keys, cosignatures.

Every leaf is appended by `leaf_append`, under the exchange's one write lock (`sequence_lock`) and inside the
transaction that writes what the leaf records, so the log and the exchange can never disagree:
either both commit or neither does, and leaf indexes are gap-free in commit order.
"""

import re
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hcoc.accounts.access import is_state_role, require_icc
from hcoc.accounts.models import User
from hcoc.lib.canonical import canonical_dumps_embedding
from hcoc.lib.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from hcoc.lib.timeutil import rfc3339
from hcoc.states.access import may_submit, require_state_member
from hcoc.states.models import State

from . import request_context, trust
from .client import b64, unb64
from .keys import log_signer
from .models import Checkpoint, Cosignature, KeyKind, LeafType, LogEntry, LogHead, LogNode, StateKey
from .tlog import merkle, note

KEY_ID = re.compile(r"^[A-Z]{3}-[A-Za-z0-9._-]{1,40}$")


# ---- the tree -------------------------------------------------------------------------------


def node_key(level: int, index: int) -> int:
    return index << 6 | level


def nodes_get(coords) -> dict[tuple[int, int], bytes]:
    """The NodeGetter the proof code asks: every node it needs in one query."""
    coords = list(coords)
    if not coords:
        return {}
    wanted = {node_key(level, index): (level, index) for level, index in coords}
    rows = LogNode.objects.filter(key__in=list(wanted)).values_list("key", "hash")
    return {wanted[k]: bytes(h) for k, h in rows}


def log_head() -> LogHead:
    head = LogHead.objects.filter(id=1).first()
    return head or LogHead.objects.create(id=1, size=0, frontier=b"")


# The append path runs once per leaf under the exchange's one write lock, so it speaks SQL
# directly: four statements instead of the ORM's seven, each without the ORM's overhead. Every
# name put into these statements is a table or column name of this app's models (quoted by the
# backend), every value a parameter: hence the `noqa: S608`s.
def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _append_facts(actor_id: int | None, at: datetime) -> tuple:
    """(size, frontier) of the log, (role, state, whether that state has a root) of the
    actor, and whether the log's last leaf is dated after `at`, in one query."""
    head, user, key = LogHead._meta.db_table, User._meta.db_table, StateKey._meta.db_table
    entries = LogEntry._meta.db_table
    when = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as c:
        c.execute(
            f"SELECT h.{_q('size')}, h.{_q('frontier')}, u.{_q('role')}, u.{_q('state_id')}, "  # noqa: S608
            f"(SELECT COUNT(*) FROM {_q(key)} k WHERE k.{_q('state_id')} = "
            f"u.{_q('state_id')} AND k.{_q('kind')} = %s AND k.{_q('valid_from')} <= %s), "
            f"(SELECT e.{_q('at')} > %s FROM {_q(entries)} e "
            f"ORDER BY e.{_q('index')} DESC LIMIT 1) "
            f"FROM {_q(head)} h LEFT JOIN {_q(user)} u ON u.{_q('id')} = %s "
            f"WHERE h.{_q('id')} = 1",
            [KeyKind.ROOT.value, when, when, actor_id],
        )
        row = c.fetchone()
    if row is None:  # the first leaf ever: make the head, then ask again
        log_head()
        return _append_facts(actor_id, at)
    size, frontier, role, actor_state, roots, backdated = row
    return size, bytes(frontier), role, actor_state, bool(roots), bool(backdated)


# Leaves whose authority is the state's root's own signature in them, not a request's.
_SELF_AUTHORISED = (LeafType.KEY_REGISTERED, LeafType.KEY_REVOKED)


def _signature_for(leaf: dict, *, rooted: bool):
    """(key id, signature member) of a leaf: the signature of the request that made it (an
    API request's HCoC-Signature, or a page's form signed in the user's browser). A state with
    a root acts only signed: an unsigned act in its name is refused, so that the exchange
    cannot act as a state (and a forged entry fails every verifier: "not signed by")."""
    signed = request_context.signed_request.get()
    if signed is not None:
        request = {"method": signed.method, "path": signed.path}
        if signed.body is not None:
            request["body"] = signed.body
        else:
            request["body_sha256"] = signed.body_sha256
        leaf["request"] = request
        return signed.key_id, {
            "kind": signed.kind,
            "key_id": signed.key_id,
            "created": signed.created,
            "sig": b64(signed.sig),
        }
    if rooted and leaf["type"] not in _SELF_AUTHORISED:
        state = leaf["actor"]["state"]
        raise PermissionDenied(
            _(
                "%(state)s signs everything done in its name, and this was not signed: on the pages, "
                "set up signing in this browser (your account page); through the API, sign the "
                "request with a key your state's root certified."
            )
            % {"state": state}
        )
    return "", None


def sequence_lock() -> datetime:
    """Take the exchange's one write lock and return the time of what is written under it.

    Every event (exchange.services.event_transaction) and every leaf of the transparency log is
    appended under this lock; call it inside the writing transaction (it is held until commit).
    On PostgreSQL it locks the log's head in EXCLUSIVE mode, which still lets readers read the
    log and the feed; on SQLite the IMMEDIATE transaction already holds the database's single
    write lock.

    Order is truth: the time is read only once the lock is held, so commit order and time order
    agree, and it is never earlier than the log's last leaf (a clock stepped back by NTP must not
    make an honest exchange look like a forger to every state's verifier). Every leaf and event
    is dated with this time; `leaf_append` refuses one dated before the leaf before it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_lock must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        # The lock and the last leaf's time in one round trip (two statements, no parameters).
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {_q(LogHead._meta.db_table)} IN EXCLUSIVE MODE; "  # noqa: S608
                f"SELECT {_q('at')} FROM {_q(LogEntry._meta.db_table)} "
                f"ORDER BY {_q('index')} DESC LIMIT 1"
            )
            cursor.nextset()
            row = cursor.fetchone()
        now = timezone.now()
        last = row[0] if row else None
    else:
        now = timezone.now()
        last = LogEntry.objects.order_by("-index").values_list("at", flat=True).first()
    return max(now, last) if last is not None else now


def leaf_append(
    *,
    type: str,
    at: datetime,
    state: str,
    body: dict[str, Any],
    actor_id: int | None,
    seq: int | None = None,
) -> LogEntry:
    """Append one leaf. Call inside the writing transaction, after `sequence_lock()` (which
    `exchange.services.event_transaction()` takes), with `at` the time it returned. `body` is the leaf's own part: {"event": ...},
    {"acknowledgement": ...} or {"key": ...}; values wrapped in `Canonical` (a stored payload)
    are embedded without being parsed again."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("leaf_append must run inside the writing transaction")
    size, frontier_bytes, role, actor_state, rooted, backdated = _append_facts(actor_id, at)
    if backdated:
        # Every verifier would call this entry back-dated. Times come from sequence_lock(),
        # taken under the lock and never before the last leaf, so this is a caller's bug.
        raise RuntimeError(f"a leaf dated {rfc3339(at)} is earlier than the log's last leaf")
    index = size
    leaf = {
        "v": 1,
        "index": index,
        "type": type,
        "at": rfc3339(at),
        "state": state,
        "actor": {"role": role, "state": actor_state},
        **body,
        "signature": None,
    }
    key_id, leaf["signature"] = _signature_for(leaf, rooted=rooted and is_state_role(role))
    text = canonical_dumps_embedding(leaf)
    digest = merkle.leaf_hash(text.encode())
    frontier = merkle.Frontier.from_bytes(size, frontier_bytes)
    completed = frontier.append(digest)
    entry = LogEntry(
        index=index,
        seq=seq,
        type=type,
        at=at,
        state=state,
        key_id=key_id,
        leaf=text,
        leaf_hash=digest,
    )
    nodes, entries, head = (
        LogNode._meta.db_table,
        LogEntry._meta.db_table,
        LogHead._meta.db_table,
    )
    columns = ", ".join(
        _q(n) for n in ("index", "seq", "type", "at", "state", "key_id", "leaf", "leaf_hash")
    )
    node_rows = [(node_key(level, i), h) for level, i, h in completed]
    entry_row = [
        index,
        seq,
        type,
        connection.ops.adapt_datetimefield_value(at),
        state,
        key_id,
        text,
        digest,
    ]
    insert_nodes = f"INSERT INTO {_q(nodes)} ({_q('key')}, {_q('hash')}) VALUES "  # noqa: S608
    insert_entry = f"INSERT INTO {_q(entries)} ({columns}) VALUES ({', '.join(['%s'] * 8)})"  # noqa: S608
    update_head = (
        f"UPDATE {_q(head)} SET {_q('size')} = %s, {_q('frontier')} = %s WHERE {_q('id')} = 1"  # noqa: S608
    )
    values = ", ".join(["(%s, %s)"] * len(node_rows))
    flat_nodes = [x for row in node_rows for x in row]
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            # One round trip: PostgreSQL runs data-modifying statements in a WITH together.
            c.execute(
                f"WITH n AS ({insert_nodes}{values}), e AS ({insert_entry}) {update_head}",
                [*flat_nodes, *entry_row, frontier.size, frontier.to_bytes()],
            )
        else:
            c.execute(insert_nodes + values, flat_nodes)
            c.execute(insert_entry, entry_row)
            c.execute(update_head, [frontier.size, frontier.to_bytes()])
    noted = request_context.appended.get()
    if noted is not None:
        # The request will answer with a receipt for this leaf (the API's middleware): its
        # checkpoint is signed here, under the lock and in the writer's transaction, dated as the
        # leaf, instead of in a second locked transaction after the commit (on PostgreSQL, a
        # second commit and its WAL flush for every write). Order is truth: the checkpoint's
        # size and time are decided under the one lock, with the leaf they cover.
        _checkpoint_head(frontier, at)
        noted.append(index)
    return entry


def _checkpoint_head(frontier: merkle.Frontier, at: datetime) -> Checkpoint:
    """Sign and store a checkpoint of the log as this transaction leaves it (`frontier`, after
    its last append); under the lock, inside the writing transaction."""
    root = frontier.root()
    signer = log_signer()
    body = note.Checkpoint(signer.name, frontier.size, root, []).body()
    return Checkpoint.objects.create(
        size=frontier.size, root=root, note=signer.sign(body), created_at=at
    )


# ---- checkpoints and receipts ---------------------------------------------------------------


def checkpoint_current() -> Checkpoint:
    """A signed checkpoint of the whole log as it is now: the latest, or a new one if leaves
    came since. Signing is cheap (one Ed25519 signature), so every reader gets a fresh one."""
    head = log_head()
    latest = Checkpoint.objects.order_by("-size").first()
    if latest is not None and latest.size >= head.size:
        return latest
    with transaction.atomic():
        now = sequence_lock()
        head = log_head()
        latest = Checkpoint.objects.filter(size=head.size).first()
        if latest is not None:
            return latest
        return _checkpoint_head(merkle.Frontier.from_bytes(head.size, bytes(head.frontier)), now)


def checkpoint_covering(index: int) -> Checkpoint:
    found = Checkpoint.objects.filter(size__gt=index).order_by("size").first()
    return found or checkpoint_current()


def receipt(index: int) -> dict:
    """What proves that leaf `index` is in the log: its hash, a signed checkpoint that includes
    it, and the inclusion proof from the leaf to that checkpoint's root."""
    entry = LogEntry.objects.filter(index=index).only("index", "seq", "leaf_hash").first()
    if entry is None:
        raise NotFound(_("No log entry %(index)s.") % {"index": index})
    cp = checkpoint_covering(index)
    return {
        "index": index,
        "seq": entry.seq,
        "leaf_hash": b64(bytes(entry.leaf_hash)),
        "checkpoint": cp.note,
        "inclusion_proof": [b64(h) for h in merkle.inclusion_proof(index, cp.size, nodes_get)],
    }


# ---- state keys -----------------------------------------------------------------------------
#
# A state's keys are made by the state (hcoc.ledger.trust); the exchange records them, after
# checking the signatures that authorise them, and can never make, sign or replace one:
# - the state's first root proves possession (it signs its own credential); every later root
#   is endorsed by the root before it (rotation; the old root is then retired);
# - every other key (a system's API key, a user's browser key) is certified by the root;
# - a revocation is signed by the state's root;
# - the ICC records the diplomatic note that confirms a root's fingerprint, nothing more.
# Each is a log leaf carrying those signatures, so every verifier checks them offline.


def _key_leaf(key: StateKey, *, actor, type: str, now: datetime, extra: dict) -> LogEntry:
    record = {
        "key_id": key.key_id,
        "state": key.state_id,
        "kind": key.kind,
        "public_key": b64(bytes(key.public_key)),
        "valid_from": rfc3339(key.valid_from),
    }
    if key.user_id is not None:
        record["user"] = key.user.username
    for name in ("proof", "endorsed_by", "endorsement", "certified_by", "certificate"):
        if getattr(key, name):
            record[name] = getattr(key, name)
    return leaf_append(
        type=type,
        at=now,
        state=key.state_id,
        body={"key": {**record, **extra}},
        actor_id=actor.pk,
    )


def _subscriber(iso3: str) -> State:
    state = State.objects.filter(iso3=iso3).first()
    if state is None:
        raise NotFound(_("No state %(iso3)s in the registry.") % {"iso3": repr(iso3)})
    if not state.is_subscribing_now:
        raise InvalidInput(
            [FieldProblem("state", _("%(iso3)s is not a subscribing state") % {"iso3": iso3})]
        )
    return state


def _own_state(actor, state_iso3: str, *, submitter: bool = True) -> State:
    """The actor's own state: a state's keys are registered by its own people, never the ICC
    (a reader registers only a browser key of its own)."""
    actor = require_state_member(actor)
    if actor.state_id != state_iso3:
        raise PermissionDenied(
            _("Only the state's own people register or revoke its keys; the ICC has no state.")
        )
    if submitter and not may_submit(actor):
        raise PermissionDenied(_("Your role may register a browser key of your own, no other key."))
    return _subscriber(state_iso3)


def _key_fields(state: State, key_id: str, public_key: str) -> tuple[bytes, list[FieldProblem]]:
    problems = []
    if not KEY_ID.match(key_id or ""):
        problems.append(
            FieldProblem(
                "key_id", _("must be the state's code, '-', then 1-40 of A-Z a-z 0-9 . _ -")
            )
        )
    elif not key_id.startswith(state.iso3 + "-"):
        problems.append(
            FieldProblem("key_id", _("must start with %(iso3)s-") % {"iso3": state.iso3})
        )
    raw = b""
    try:
        raw = unb64(public_key or "")
    except ValueError:
        problems.append(FieldProblem("public_key", _("must be base64 (standard alphabet)")))
    else:
        if len(raw) != 32:
            problems.append(FieldProblem("public_key", _("must be a 32-byte Ed25519 public key")))
    return raw, problems


def state_rooted(state_iso3: str, *, before_index: int | None = None) -> bool:
    """Whether the state has ever had a root (by leaf `before_index`, if given): from then on
    everything done in its name must be signed by a key its root certified."""
    roots = StateKey.objects.filter(state_id=state_iso3, kind=KeyKind.ROOT)
    if before_index is not None:
        roots = roots.filter(registered_index__lt=before_index)
    return roots.exists()


def state_root(state_iso3: str) -> StateKey | None:
    """The state's current root (None if it has none yet)."""
    return (
        StateKey.objects.filter(state_id=state_iso3, kind=KeyKind.ROOT, revoked_at__isnull=True)
        .order_by("-registered_index")
        .first()
    )


def _new_key(state: State, key_id: str, kind: str, raw: bytes, now: datetime, **fields) -> StateKey:
    if StateKey.objects.filter(key_id=key_id).exists():
        raise Conflict(
            _("Key id %(key_id)s is already registered; key ids are never reused.")
            % {"key_id": key_id}
        )
    return StateKey(
        key_id=key_id,
        state=state,
        kind=kind,
        public_key=raw,
        valid_from=now,  # never before its own leaf
        registered_index=0,
        **fields,
    )


def root_register(
    *,
    actor,
    state_iso3: str,
    key_id: str,
    public_key: str,
    proof: str,
    endorsed_by: str = "",
    endorsement: str = "",
) -> StateKey:
    """A state registers its root: the first one proves possession (`proof`, the root's own
    signature of its credential); a later one is also endorsed by the current root, which it
    then replaces. Nobody else, the ICC included, can give a state a root or replace it."""
    state = _own_state(actor, state_iso3)
    raw, problems = _key_fields(state, key_id, public_key)
    if problems:
        raise InvalidInput(problems)
    message = trust.credential_message(
        trust.credential(state=state.iso3, key_id=key_id, kind=trust.ROOT, public_key=raw)
    )
    if not trust.signature_ok(raw, proof, message):
        raise InvalidInput(
            [FieldProblem("proof", _("must be the root's own signature of its credential"))]
        )
    with transaction.atomic():
        now = sequence_lock()
        current = state_root(state.iso3)
        if current is None and state_rooted(state.iso3):
            raise Conflict(  # never reached while roots are only rotated, kept as the rule
                _(
                    "%(iso3)s's root was retired without a successor: a new root would need the old "
                    "one's endorsement (recovering a lost root is not supported)."
                )
                % {"iso3": state.iso3}
            )
        if current is not None:
            if endorsed_by != current.key_id:
                raise InvalidInput(
                    [
                        FieldProblem(
                            "endorsed_by",
                            _(
                                "%(iso3)s has the root %(key_id)s: a new root must be endorsed by it (hcoc key "
                                "rotate)"
                            )
                            % {"iso3": state.iso3, "key_id": current.key_id},
                        )
                    ]
                )
            if not trust.signature_ok(bytes(current.public_key), endorsement, message):
                raise InvalidInput(
                    [
                        FieldProblem(
                            "endorsement",
                            _("is not %(key_id)s's signature of the new root")
                            % {"key_id": current.key_id},
                        )
                    ]
                )
        elif endorsed_by or endorsement:
            raise InvalidInput(
                [
                    FieldProblem(
                        "endorsed_by",
                        _("%(iso3)s has no root yet: nothing to endorse") % {"iso3": state.iso3},
                    )
                ]
            )
        key = _new_key(
            state,
            key_id,
            KeyKind.ROOT,
            raw,
            now,
            proof=proof,
            endorsed_by=endorsed_by if current else "",
            endorsement=endorsement if current else "",
        )
        entry = _key_leaf(key, actor=actor, type=LeafType.KEY_REGISTERED, now=now, extra={})
        key.registered_index = entry.index
        key.save()
        if current is not None:  # the old root is retired by the same leaf
            current.revoked_at = now
            current.revocation_reason = f"replaced by {key_id}"
            current.revoked_index = entry.index
            current.save(update_fields=["revoked_at", "revocation_reason", "revoked_index"])
    return key


def credential_register(
    *,
    actor,
    state_iso3: str,
    key_id: str,
    public_key: str,
    certified_by: str,
    certificate: str,
    kind: str = KeyKind.STATE,
    user: str | None = None,
) -> StateKey:
    """A state registers a key its root certified: a system's API key (kind `state`) or one
    user's browser key (kind `browser`, registered by that user)."""
    state = _own_state(actor, state_iso3, submitter=kind != KeyKind.BROWSER)
    raw, problems = _key_fields(state, key_id, public_key)
    owner = None
    if kind not in trust.CERTIFIED_KINDS:
        problems.append(FieldProblem("kind", _("must be state (a system's key) or browser")))
    elif kind == KeyKind.BROWSER:
        if user != actor.username:
            problems.append(
                FieldProblem("user", _("a browser key is registered by the user it belongs to"))
            )
        owner = actor
    elif user:
        problems.append(FieldProblem("user", _("only a browser key names a user")))
    if problems:
        raise InvalidInput(problems)
    statement = trust.credential(
        state=state.iso3, key_id=key_id, kind=kind, public_key=raw, user=user or None
    )
    with transaction.atomic():
        now = sequence_lock()
        root = state_root(state.iso3)
        if root is None:
            raise InvalidInput(
                [
                    FieldProblem(
                        "certified_by",
                        _("%(iso3)s has no root yet: register one first (hcoc key init)")
                        % {"iso3": state.iso3},
                    )
                ]
            )
        if certified_by != root.key_id:
            raise InvalidInput(
                [
                    FieldProblem(
                        "certified_by",
                        _("must be %(iso3)s's root, %(key_id)s")
                        % {"iso3": state.iso3, "key_id": root.key_id},
                    )
                ]
            )
        if not trust.signature_ok(
            bytes(root.public_key), certificate, trust.credential_message(statement)
        ):
            raise InvalidInput(
                [
                    FieldProblem(
                        "certificate",
                        _("is not %(key_id)s's signature of this key") % {"key_id": root.key_id},
                    )
                ]
            )
        key = _new_key(
            state,
            key_id,
            kind,
            raw,
            now,
            certified_by=root.key_id,
            certificate=certificate,
            user=owner,
        )
        entry = _key_leaf(key, actor=actor, type=LeafType.KEY_REGISTERED, now=now, extra={})
        key.registered_index = entry.index
        key.save()
    return key


def key_revoke(
    *, actor, state_iso3: str, key_id: str, reason: str, revoked_by: str, revocation: str
) -> StateKey:
    """The state revokes one of its keys with its root's signature. Revocation takes effect
    now (never in the past, which would turn honest entries into forgeries in every verifier's
    eyes); the revocation is a log leaf."""
    state = _own_state(actor, state_iso3)
    if not (reason or "").strip():
        raise InvalidInput([FieldProblem("reason", _("say why the key is revoked"))])
    if len(reason) > 500:
        raise InvalidInput([FieldProblem("reason", _("at most 500 characters"))])
    with transaction.atomic():
        now = sequence_lock()
        key = StateKey.objects.filter(key_id=key_id, state_id=state.iso3).first()
        if key is None:
            raise NotFound(
                _("No key %(key_id)s of %(iso3)s.") % {"key_id": key_id, "iso3": state.iso3}
            )
        if key.revoked_at is not None:
            raise Conflict(
                _("Key %(key_id)s was already revoked at %(rfc3339)s.")
                % {"key_id": key_id, "rfc3339": rfc3339(key.revoked_at)}
            )
        if key.kind == KeyKind.ROOT:
            raise InvalidInput(
                [
                    FieldProblem(
                        "key_id",
                        _(
                            "a root is not revoked but replaced: make a new one it endorses "
                            "(hcoc key rotate), which retires it"
                        ),
                    )
                ]
            )
        root = state_root(state.iso3)
        if root is None or revoked_by != root.key_id:
            expected = root.key_id if root else "its root (it has none)"
            raise InvalidInput(
                [
                    FieldProblem(
                        "revoked_by",
                        _("must be %(iso3)s's root, %(expected)s")
                        % {"iso3": state.iso3, "expected": expected},
                    )
                ]
            )
        statement = trust.revocation(state=state.iso3, key_id=key_id, reason=reason)
        if not trust.signature_ok(
            bytes(root.public_key), revocation, trust.revocation_message(statement)
        ):
            raise InvalidInput(
                [
                    FieldProblem(
                        "revocation",
                        _("is not %(key_id)s's signature of this revocation")
                        % {"key_id": root.key_id},
                    )
                ]
            )
        key.revoked_at = now
        key.revocation_reason = reason
        key.revoked_by, key.revocation = root.key_id, revocation
        entry = _key_leaf(
            key,
            actor=actor,
            type=LeafType.KEY_REVOKED,
            now=now,
            extra={
                "revoked_at": rfc3339(now),
                "reason": reason,
                "revoked_by": root.key_id,
                "revocation": revocation,
            },
        )
        key.revoked_index = entry.index
        key.save()
    return key


def root_confirm(
    *, actor, state_iso3: str, key_id: str, fingerprint: str, note_reference: str
) -> StateKey:
    """The ICC records the diplomatic note in which a state confirmed its root's fingerprint.
    The note changes no key: it tells every state which root the state itself vouched for."""
    actor = require_icc(actor)
    problems = []
    try:
        given = trust.fingerprint_normal(fingerprint)
    except ValueError as e:
        problems.append(FieldProblem("fingerprint", str(e)))
        given = ""
    note_reference = (note_reference or "").strip()
    if not note_reference:
        problems.append(FieldProblem("note_reference", _("give the note's reference")))
    elif len(note_reference) > 200:
        problems.append(FieldProblem("note_reference", _("at most 200 characters")))
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        now = sequence_lock()
        key = StateKey.objects.filter(key_id=key_id, state_id=state_iso3, kind=KeyKind.ROOT).first()
        if key is None:
            raise NotFound(
                _("No root %(key_id)s of %(state_iso3)s.")
                % {"key_id": key_id, "state_iso3": state_iso3}
            )
        if trust.fingerprint_normal(trust.fingerprint(bytes(key.public_key))) != given:
            raise InvalidInput(
                [
                    FieldProblem(
                        "fingerprint",
                        _(
                            "the note's fingerprint is not %(key_id)s's: do not confirm it; ask %(state_iso3)s "
                            "which root it made"
                        )
                        % {"key_id": key_id, "state_iso3": state_iso3},
                    )
                ]
            )
        if key.note_reference:
            raise Conflict(
                _("%(key_id)s was already confirmed by note %(note_reference)s.")
                % {"key_id": key_id, "note_reference": key.note_reference}
            )
        entry = leaf_append(
            type=LeafType.KEY_CONFIRMED,
            at=now,
            state=state_iso3,
            body={
                "key": {
                    "key_id": key.key_id,
                    "state": state_iso3,
                    "fingerprint": given,
                    "note_reference": note_reference,
                }
            },
            actor_id=actor.pk,
        )
        key.note_reference = note_reference
        key.confirmed_index = entry.index
        key.save(update_fields=["note_reference", "confirmed_index"])
    return key


# ---- witnesses ------------------------------------------------------------------------------

COSIGNATURE_MAX_SKEW = 600


def cosignature_add(*, actor, checkpoint: str, cosignature: str) -> Cosignature:
    """A state's witness cosigns a checkpoint it has verified (C2SP tlog-cosignature). Only the
    state's own keys (never a custodial key, which the exchange holds) can witness."""
    actor = require_state_member(actor)
    try:
        if "\n\n" in checkpoint:  # a whole signed note: its text is the checkpoint body
            checkpoint = note.note_parse(checkpoint)[0]
        cp = note.checkpoint_parse(checkpoint)
    except note.NoteError as e:
        raise InvalidInput([FieldProblem("checkpoint", str(e))]) from None
    if cp.origin != log_signer().name:
        raise InvalidInput(
            [
                FieldProblem(
                    "checkpoint", _("not a checkpoint of %(name)s") % {"name": log_signer().name}
                )
            ]
        )
    stored = Checkpoint.objects.filter(size=cp.size).first()
    if stored is None:
        raise InvalidInput(
            [FieldProblem("checkpoint", _("no checkpoint of size %(size)s") % {"size": cp.size})]
        )
    if bytes(stored.root) != cp.root:
        raise Conflict(
            _(
                "The log's checkpoint of size %(size)s has another root: your view and the log's "
                "differ."
            )
            % {"size": cp.size}
        )
    line = cosignature if cosignature.endswith("\n") else cosignature + "\n"
    name = line.removeprefix("\u2014 ").split(" ", 1)[0]
    key = StateKey.objects.filter(key_id=name).first()
    if key is None or key.state_id != actor.state_id:
        raise PermissionDenied(_("Cosign with a registered key of your own state."))
    if key.kind != KeyKind.STATE:
        raise InvalidInput(
            [
                FieldProblem(
                    "cosignature", _("only a system's key (kind state) witnesses checkpoints")
                )
            ]
        )
    now = timezone.now()
    if not key.valid_at(now):
        raise InvalidInput(
            [FieldProblem("cosignature", _("key %(name)s is not valid now") % {"name": name})]
        )
    verifier = note.CosignatureVerifier.from_vkey(cosignature_vkey(key))
    try:
        timestamp = verifier.verify(cp.body(), line)
    except note.NoteError as e:
        raise InvalidInput([FieldProblem("cosignature", str(e))]) from None
    if abs(timestamp - int(now.timestamp())) > COSIGNATURE_MAX_SKEW:
        raise InvalidInput([FieldProblem("cosignature", _("timestamp too far from now"))])
    existing = Cosignature.objects.filter(checkpoint=stored, key=key).first()
    if existing is not None:
        return existing
    return Cosignature.objects.create(
        checkpoint=stored, key=key, line=line, timestamp=timestamp, received_at=now
    )


def cosignature_vkey(key: StateKey) -> str:
    public = Ed25519PublicKey.from_public_bytes(bytes(key.public_key))
    return note.CosignatureVerifier(key.key_id, public).vkey()
