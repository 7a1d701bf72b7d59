"""Writes of live delivery: endpoints (register, delete, replay), one delivery attempt, e-mail
alerts and the ICC's chases. Nothing here is called by a write of the exchange: deliveries and
alerts are made by the worker (`hcoc deliver`) from the feed, which is the outbox."""

import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection, send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from hcoc.accounts.access import require_icc
from hcoc.accounts.models import Role, User
from hcoc.exchange.models import Event, EventKind
from hcoc.exchange.selectors import (
    acknowledgement_status_for,
    event_as_item,
    feed_page_for,
    unacknowledged_states,
)
from hcoc.lib.errors import Conflict, DomainError, FieldProblem, InvalidInput
from hcoc.lib.timeutil import rfc3339
from hcoc.states.models import PointOfContact

from . import signing, transport
from .access import require_registrar, require_remover
from .addresses import Refused, check
from .alerts import (
    DEFAULT_MODES,
    KIND_LABELS,
    Audience,
    recipients,
    render_alert,
    render_digest,
)
from .models import (
    Alert,
    AlertMode,
    AlertPreference,
    Attempt,
    Chase,
    Endpoint,
    EndpointStatus,
    MailCursor,
)
from .selectors import endpoint_get_for

MAX_ENDPOINTS_PER_STATE = 10
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 3600.0
CHASE_LOOKBACK_DAYS = 30  # the daily chase covers the items of the last 30 days
MAIL_BATCH = 500


def _last_seq() -> int:
    return Event.objects.aggregate(m=Max("seq"))["m"] or 0


# ---- endpoints --------------------------------------------------------------------------------


def endpoint_register(*, actor, url: str) -> tuple[Endpoint, str]:
    """A new endpoint of the actor's state, delivered every item after the feed's current end
    (earlier ones with a replay). Returns it and its secret, which is shown this once."""
    actor = require_registrar(actor)
    try:
        check(url, allowed=settings.WEBHOOK_ALLOWED_NETWORKS)
    except Refused as e:
        raise InvalidInput([FieldProblem("url", f"the URL {e}")]) from None
    with transaction.atomic():
        if Endpoint.objects.filter(state_id=actor.state_id).count() >= MAX_ENDPOINTS_PER_STATE:
            raise Conflict(
                f"A state may register at most {MAX_ENDPOINTS_PER_STATE} webhook endpoints; "
                "delete one first."
            )
        secret = signing.secret_new()
        endpoint = Endpoint.objects.create(
            state_id=actor.state_id,
            url=url,
            secret=secret,
            created_by=actor,
            created_at=timezone.now(),
            cursor=_last_seq(),
        )
    return endpoint, secret


def endpoint_delete(*, actor, endpoint_id: int) -> None:
    actor = require_remover(actor)
    endpoint = endpoint_get_for(actor=actor, endpoint_id=endpoint_id)
    endpoint.delete()  # its delivery log with it


def endpoint_replay(*, actor, endpoint_id: int, after: int) -> Endpoint:
    """Deliver again every item after `after` (the cursor moves back); a disabled endpoint is
    enabled again: this is how a state turns it back on once its receiver works."""
    actor = require_registrar(actor)
    endpoint = endpoint_get_for(actor=actor, endpoint_id=endpoint_id)
    last = _last_seq()
    if not 0 <= after <= last:
        raise InvalidInput([FieldProblem("after", f"must be between 0 and {last}, the last seq")])
    Endpoint.objects.filter(pk=endpoint.pk).update(
        cursor=after,
        status=EndpointStatus.ACTIVE,
        failures=0,
        failing_since=None,
        next_attempt_at=None,
        disabled_at=None,
        disabled_reason="",
    )
    endpoint.refresh_from_db()
    return endpoint


# ---- delivering -------------------------------------------------------------------------------
# In three steps, so that the worker's threads only wait on the network and every database write
# of a batch of deliveries is one short transaction: plan (read each due endpoint's next item
# through the feed's selector, sign it), post (no database), record (the attempts and the
# cursors, together).


@dataclass(frozen=True)
class Planned:
    """One delivery to make: an endpoint's next item, signed."""

    endpoint: Endpoint  # as read when planned (its cursor, failures)
    seq: int
    body: bytes
    headers: dict[str, str]
    replay: bool
    refused: str = ""  # not to be sent (the registering user may no longer read the exchange)


@dataclass(frozen=True)
class Outcome:
    planned: Planned
    status: int | None
    error: str
    latency_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def endpoints_due(now=None) -> list[int]:
    """Active endpoints behind the feed whose backoff, if any, has run out."""
    now = now or timezone.now()
    qs = Endpoint.objects.filter(status=EndpointStatus.ACTIVE, cursor__lt=_last_seq())
    return [
        pk
        for pk, next_at in qs.values_list("pk", "next_attempt_at")
        if next_at is None or next_at <= now
    ]


def deliveries_plan(endpoint_ids: list[int]) -> list[Planned]:
    """The next item of each endpoint, read through the feed's own selector as the user who
    registered it (so an endpoint receives exactly what that user may read of GET /feed), as
    the JSON body GET /feed would serve, signed. Endpoints at one cursor share one read."""
    endpoints = Endpoint.objects.filter(
        pk__in=endpoint_ids, status=EndpointStatus.ACTIVE
    ).select_related("created_by__state")
    pages: dict[tuple[int, int], dict | DomainError] = {}
    planned = []
    at = timezone.now()
    for endpoint in endpoints:
        key = (endpoint.created_by_id, endpoint.cursor)
        if key not in pages:
            try:
                pages[key] = feed_page_for(
                    actor=endpoint.created_by, after=endpoint.cursor, limit=1
                )
            except DomainError as e:
                pages[key] = e
        page = pages[key]
        if isinstance(page, DomainError):
            refused = f"not delivered: {page.detail}"
            planned.append(Planned(endpoint, endpoint.cursor + 1, b"", {}, False, refused))
            continue
        if not page["items"]:
            continue
        item = page["items"][0]
        body = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        msg_id = signing.webhook_id(endpoint.pk, item["seq"])
        headers = signing.headers(secret=endpoint.secret, msg_id=msg_id, at=at, body=body)
        replay = item["seq"] <= endpoint.high_water
        planned.append(Planned(endpoint, item["seq"], body.encode(), headers, replay))
    return planned


def delivery_post(planned: Planned) -> Outcome:
    """Send one planned delivery (no database: the worker's threads run this)."""
    if planned.refused:
        return Outcome(planned, None, planned.refused, 0)
    started = time.perf_counter()
    answer = transport.post(
        planned.endpoint.url,
        planned.body,
        planned.headers,
        allowed=settings.WEBHOOK_ALLOWED_NETWORKS,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
    )
    latency = int((time.perf_counter() - started) * 1000)
    return Outcome(planned, answer.status, answer.error, latency)


def deliveries_record(outcomes: list[Outcome]) -> int:
    """Log every attempt and move each endpoint on, in one transaction: a 2xx moves the cursor
    past the item; a failure backs off (full jitter) or, after the retry period or on a 410,
    disables the endpoint, whose state is then told. A cursor moves only from where the plan
    read it: a replay in between moved it back, and wins. Returns the items delivered."""
    now = timezone.now()
    delivered, disabled = 0, []
    with transaction.atomic():
        # An endpoint deleted while its delivery was in flight has no log left to write to.
        ids = {o.planned.endpoint.pk for o in outcomes}
        kept = set(Endpoint.objects.filter(pk__in=ids).values_list("pk", flat=True))
        outcomes = [o for o in outcomes if o.planned.endpoint.pk in kept]
        Attempt.objects.bulk_create(
            [
                Attempt(
                    endpoint_id=o.planned.endpoint.pk,
                    seq=o.planned.seq,
                    webhook_id=signing.webhook_id(o.planned.endpoint.pk, o.planned.seq),
                    at=now,
                    status_code=o.status,
                    latency_ms=o.latency_ms,
                    error=o.error[:500],
                    ok=o.ok,
                    replay=o.planned.replay,
                )
                for o in outcomes
            ]
        )
        # Delivered: one UPDATE for each (cursor, item) pair, usually one for the whole batch.
        moved: dict[tuple[int, int], list[int]] = defaultdict(list)
        for o in outcomes:
            if o.ok:
                moved[(o.planned.endpoint.cursor, o.planned.seq)].append(o.planned.endpoint.pk)
        for (cursor, seq), ids in moved.items():
            delivered += Endpoint.objects.filter(pk__in=ids, cursor=cursor).update(
                cursor=seq,
                high_water=Greatest(F("high_water"), Value(seq)),
                failures=0,
                failing_since=None,
                next_attempt_at=None,
            )
        for o in outcomes:
            endpoint = o.planned.endpoint
            mine = Endpoint.objects.filter(pk=endpoint.pk, cursor=endpoint.cursor)
            if o.ok:
                continue
            failing_since = endpoint.failing_since or now
            failures = endpoint.failures + 1
            if o.status == 410:
                reason = "the receiver answered 410 Gone"
            elif now - failing_since >= timedelta(hours=settings.WEBHOOK_RETRY_HOURS):
                reason = (
                    f"every delivery failed for {settings.WEBHOOK_RETRY_HOURS:g} hours "
                    f"(last: {o.error or 'no answer'})"
                )
            else:
                backoff = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** min(failures, 30))
                mine.update(
                    failures=failures,
                    failing_since=failing_since,
                    next_attempt_at=now + timedelta(seconds=random.uniform(0, backoff)),
                )
                continue
            if mine.update(
                status=EndpointStatus.DISABLED,
                failures=failures,
                failing_since=failing_since,
                next_attempt_at=None,
                disabled_at=now,
                disabled_reason=reason[:500],
            ):
                disabled.append((endpoint, reason))
    for endpoint, reason in disabled:
        _tell_state_disabled(endpoint, reason)
    return delivered


def _state_addresses(state_id: str) -> list[str]:
    """A state's points of contact and its submitters, by e-mail."""
    contacts = PointOfContact.objects.filter(state_id=state_id).exclude(email="")
    users = User.objects.filter(state_id=state_id, is_active=True, role=Role.SUBMITTER)
    found = [c.email for c in contacts] + [u.email for u in users.exclude(email="")]
    return sorted(set(found))


def _tell_state_disabled(endpoint: Endpoint, reason: str) -> None:
    to = _state_addresses(endpoint.state_id)
    if not to:
        return
    send_mail(
        f"HCoC: webhook endpoint {endpoint.pk} of {endpoint.state_id} is disabled",
        f"The exchange stopped delivering to your webhook endpoint {endpoint.url} "
        f"(id {endpoint.pk}): {reason}.\n\nIts last delivered item is #{endpoint.cursor}; "
        "nothing after it is lost. Once your receiver works again, replay from there "
        f'(POST /api/v1/webhooks/{endpoint.pk}/replay {{"after": {endpoint.cursor}}}, or '
        f"on {settings.SITE_URL}/account), which also enables the endpoint again.\n\n"
        "HCoC Exchange",
        settings.DEFAULT_FROM_EMAIL,
        to,
    )


def deliver_due(*, rounds: int = 1000) -> int:
    """Deliver in this thread, one item per due endpoint a round, until none is due (or
    `rounds`): `hcoc deliver --once` and the tests. The worker runs the same steps with the
    posts in parallel threads. Returns the items delivered."""
    delivered = 0
    for _ in range(rounds):
        planned = deliveries_plan(endpoints_due())
        if not planned:
            break
        delivered += deliveries_record([delivery_post(p) for p in planned])
    return delivered


# ---- e-mail alerts ----------------------------------------------------------------------------


def alert_modes_set(*, user: User, modes: dict[str, str]) -> None:
    """The user's own choices (only its own: it is the actor)."""
    problems = [
        FieldProblem(kind, "unknown kind of item") for kind in modes if kind not in EventKind.values
    ] + [
        FieldProblem(kind, "must be immediate, digest or none")
        for kind, mode in modes.items()
        if mode not in AlertMode.values
    ]
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        for kind, mode in modes.items():
            if mode == DEFAULT_MODES[kind]:
                AlertPreference.objects.filter(user=user, kind=kind).delete()
            else:
                AlertPreference.objects.update_or_create(
                    user=user, kind=kind, defaults={"mode": mode}
                )


def _modes_by_user(users: list[User]) -> dict[int, dict[str, str]]:
    modes = {u.pk: dict(DEFAULT_MODES) for u in users}
    for user_id, kind, mode in AlertPreference.objects.filter(user_id__in=list(modes)).values_list(
        "user_id", "kind", "mode"
    ):
        modes[user_id][kind] = mode
    return modes


def alerts_start_at_feed_end() -> None:
    """E-mail alerts consider only items from now on (the demo, after making its history)."""
    last = _last_seq()
    for name in ("immediate", "digest"):
        MailCursor.objects.update_or_create(name=name, defaults={"seq": last})


def daily_run_claim(today) -> bool:
    """True once a day (the worker's digests and chases), also across the worker's restarts."""
    with transaction.atomic():
        row = MailCursor.objects.select_for_update().get_or_create(
            name="daily", defaults={"seq": 0}
        )[0]
        if row.seq >= today.toordinal():
            return False
        row.seq = today.toordinal()
        row.save(update_fields=["seq"])
    return True


def _cursor(name: str) -> MailCursor:
    return MailCursor.objects.get_or_create(name=name, defaults={"seq": 0})[0]


def _claim(user: User, seqs: list[int], mode: str) -> list[int]:
    """Record the items as mailed to the user before sending (never twice); those already
    recorded, at once or in a digest, are left out."""
    have = set(Alert.objects.filter(user=user, seq__in=seqs).values_list("seq", flat=True))
    new = [s for s in seqs if s not in have]
    now = timezone.now()
    try:
        with transaction.atomic():
            Alert.objects.bulk_create(
                [Alert(user=user, seq=s, mode=mode, sent_at=now) for s in new]
            )
    except IntegrityError:  # another run recorded one of them first
        return []
    return new


def _send(messages: list[tuple[User, list[int], EmailMultiAlternatives]]) -> None:
    """Send; a message that could not go is unrecorded, so the next run tries it again."""
    with get_connection() as connection:
        for user, seqs, message in messages:
            message.connection = connection
            try:
                message.send()
            except Exception:
                Alert.objects.filter(user=user, seq__in=seqs).delete()
                raise


def _message(user: User, subject: str, text: str, html: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    return message


def alerts_send_immediate(*, limit: int = MAIL_BATCH) -> int:
    """Mail each new item at once to whoever chose `immediate` for its kind. Returns how many
    messages went."""
    cursor = _cursor("immediate")
    events = list(Event.objects.filter(seq__gt=cursor.seq).order_by("seq")[:limit])
    if not events:
        return 0
    users = recipients()
    modes = _modes_by_user(users)
    audience = Audience()
    sent = 0
    for event in events:
        item = event_as_item(event)
        outgoing = []
        for user in users:
            if modes[user.pk][item["kind"]] != AlertMode.IMMEDIATE:
                continue
            if not audience.may_mail(user, item) or not _claim(
                user, [item["seq"]], AlertMode.IMMEDIATE
            ):
                continue
            outgoing.append((user, [item["seq"]], _message(user, *render_alert(item, user))))
        _send(outgoing)
        sent += len(outgoing)
        MailCursor.objects.filter(name="immediate").update(seq=event.seq)
    return sent


def digests_send(*, limit: int = 5000) -> int:
    """One message per user who chose `digest` for some kind, listing the items of those kinds
    since the last digest. An item is never mailed twice to anyone. Returns messages sent."""
    cursor = _cursor("digest")
    events = list(Event.objects.filter(seq__gt=cursor.seq).order_by("seq")[:limit])
    if not events:
        return 0
    items = [event_as_item(e) for e in events]
    users = recipients()
    modes = _modes_by_user(users)
    audience = Audience()
    outgoing = []
    for user in users:
        mine = [
            i
            for i in items
            if modes[user.pk][i["kind"]] == AlertMode.DIGEST and audience.may_mail(user, i)
        ]
        claimed = set(_claim(user, [i["seq"] for i in mine], AlertMode.DIGEST)) if mine else set()
        mine = [i for i in mine if i["seq"] in claimed]
        if mine:
            seqs = [i["seq"] for i in mine]
            outgoing.append((user, seqs, _message(user, *render_digest(mine, user))))
    _send(outgoing)
    MailCursor.objects.filter(name="digest").update(seq=events[-1].seq)
    return len(outgoing)


# ---- the ICC's chases -------------------------------------------------------------------------


def _chase(seq_states: dict[int, list[str]], *, by: User | None) -> dict[str, list[int]]:
    """Record, then mail, one message per state listing its items: {state: newly chased seqs}.
    A (seq, state) already chased today is left out: never twice the same day."""
    now = timezone.now()
    chased: dict[str, list[int]] = {}
    for seq, states in sorted(seq_states.items()):
        for state in states:
            try:
                with transaction.atomic():
                    Chase.objects.create(
                        seq=seq,
                        state_id=state,
                        day=now.date(),
                        at=now,
                        by=by,
                        recipients=", ".join(_contacts(state)),
                    )
            except IntegrityError:
                continue
            chased.setdefault(state, []).append(seq)
    events = {e.seq: e for e in Event.objects.filter(seq__in=list(seq_states))}
    for state, seqs in chased.items():
        to = _contacts(state)
        if not to:
            continue
        lines = "\n".join(
            f"- #{s} {KIND_LABELS.get(events[s].kind, events[s].kind)}: {events[s].subject} "
            f"({events[s].state_id}), "
            f"in the exchange since {rfc3339(events[s].at)}"
            for s in seqs
        )
        send_mail(
            f"HCoC: {state} has not acknowledged {len(seqs)} {'item' if len(seqs) == 1 else 'items'}",
            "The Immediate Central Contact reminds you that your state has not yet "
            f"acknowledged receipt of:\n{lines}\n\nAcknowledge them in your inbox: "
            f"{settings.SITE_URL}/inbox (or POST /api/v1/acknowledgements).\n\nHCoC Exchange",
            settings.DEFAULT_FROM_EMAIL,
            to,
        )
    return chased


def _contacts(state: str) -> list[str]:
    return sorted(
        set(
            PointOfContact.objects.filter(state_id=state)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def chase_due_at(at):
    """When an item that entered the exchange at `at` may be chased: states have
    HCOC_CHASE_AFTER_HOURS to acknowledge it first (the button's page says so before the click,
    and the button refuses until then)."""
    return at + timedelta(hours=settings.CHASE_AFTER_HOURS)


def chase_item(*, actor, seq: int) -> dict[str, list[int]]:
    """The ICC's button: chase every state that has not acknowledged item `seq`, once it has
    been in the exchange for HCOC_CHASE_AFTER_HOURS."""
    actor = require_icc(actor)
    status = acknowledgement_status_for(actor=actor, seq=seq)
    event = Event.objects.get(seq=seq)
    due = chase_due_at(event.at)
    if timezone.now() < due:
        # Said as people read times everywhere else (the pages' `utc` filter's form).
        raise Conflict(
            f"Item #{seq} can be chased from {due.astimezone(UTC):%Y-%m-%d %H:%M} UTC: "
            "states have until then to acknowledge it."
        )
    return _chase({seq: status["not_acknowledged"]}, by=actor)


def chases_send_due() -> dict[str, list[int]]:
    """The daily chase: every item of the last CHASE_LOOKBACK_DAYS days that has been in the
    exchange for HCOC_CHASE_AFTER_HOURS, to each state that has not acknowledged it."""
    now = timezone.now()
    seqs = list(
        Event.objects.filter(
            at__lte=now - timedelta(hours=settings.CHASE_AFTER_HOURS),
            at__gte=now - timedelta(days=CHASE_LOOKBACK_DAYS),
        ).values_list("seq", flat=True)
    )
    missing = {seq: states for seq, states in unacknowledged_states(seqs).items() if states}
    return _chase(missing, by=None)
