"""Webhooks: a state's endpoints (register, delete, replay) and their delivery, at least once and
in seq order, signed per Standard Webhooks. Nothing here is called by a write of the exchange:
the worker (`hcoc deliver`, worker.py) delivers from the feed, which is the outbox; each endpoint
keeps its cursor in it."""

import json
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hcoc.accounts.models import User
from hcoc.exchange.access import require_feed_reader
from hcoc.exchange.models import Event
from hcoc.exchange.selectors import feed_page
from hcoc.lib.errors import Conflict, DomainError, FieldProblem, InvalidInput
from hcoc.states.languages import addresses_by_language
from hcoc.states.models import PointOfContact
from hcoc.states.names import name_of

from . import signing, transport
from .access import require_registrar, require_remover
from .addresses import Refused, check
from .models import Attempt, Endpoint, EndpointStatus
from .selectors import endpoint_get_for

MAX_ENDPOINTS_PER_STATE = 10
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 3600.0


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
        raise InvalidInput([FieldProblem("url", _("the URL %(e)s") % {"e": e})]) from None
    with transaction.atomic():
        if Endpoint.objects.filter(state_id=actor.state_id).count() >= MAX_ENDPOINTS_PER_STATE:
            raise Conflict(
                _(
                    "A state may register at most %(MAX_ENDPOINTS_PER_STATE)s webhook endpoints; delete "
                    "one first."
                )
                % {"MAX_ENDPOINTS_PER_STATE": MAX_ENDPOINTS_PER_STATE}
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
        raise InvalidInput(
            [
                FieldProblem(
                    "after", _("must be between 0 and %(last)s, the last seq") % {"last": last}
                )
            ]
        )
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
# In three steps, so that the worker's event loop only waits on the network and every database write
# of a batch of deliveries is one short transaction: plan (read each due endpoint's next item
# through the feed's selector, sign it), post (no database), record (the attempts and the
# cursors, together).


@dataclass(frozen=True)
class PlannedDelivery:
    """One delivery to make: an endpoint's next item, signed."""

    endpoint: Endpoint  # as read when planned (its cursor, failures)
    seq: int
    body: bytes
    headers: dict[str, str]
    replay: bool
    refused: str = ""  # not to be sent (the registering user may no longer read the exchange)


@dataclass(frozen=True)
class DeliveryOutcome:
    planned: PlannedDelivery
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


def deliveries_plan(endpoint_ids: list[int]) -> Iterator[PlannedDelivery]:
    """The next item of each endpoint, as the user who registered it may read GET /feed (the
    feed's own rule, `require_feed_reader`, asked for each such user), as the JSON body GET /feed
    would serve, signed. Every reader of the feed reads the same sequence
    (`selectors.feed_page_for`), so endpoints at one cursor share one read and one encoding of
    the body. One at a time, as each is ready: the worker sends the first while it plans the
    next."""
    endpoints = Endpoint.objects.filter(
        pk__in=endpoint_ids, status=EndpointStatus.ACTIVE
    ).select_related("created_by__state")
    refused: dict[int, DomainError | None] = {}  # by registering user
    pages: dict[int, tuple[dict, str, bytes] | None] = {}  # by cursor
    at = timezone.now()
    for endpoint in endpoints:
        if endpoint.created_by_id not in refused:
            try:
                require_feed_reader(endpoint.created_by)
                refused[endpoint.created_by_id] = None
            except DomainError as e:
                refused[endpoint.created_by_id] = e
        if (no := refused[endpoint.created_by_id]) is not None:
            why = f"not delivered: {no.detail}"
            yield PlannedDelivery(endpoint, endpoint.cursor + 1, b"", {}, False, why)
            continue
        if endpoint.cursor not in pages:
            page = feed_page(after=endpoint.cursor, limit=1)
            item = page["items"][0] if page["items"] else None
            body = json.dumps(item, ensure_ascii=False, separators=(",", ":")) if item else ""
            pages[endpoint.cursor] = (item, body, body.encode()) if item else None
        read = pages[endpoint.cursor]
        if read is None:
            continue
        item, body, encoded = read
        msg_id = signing.webhook_id(endpoint.pk, item["seq"])
        headers = signing.headers(secret=endpoint.secret, msg_id=msg_id, at=at, body=body)
        replay = item["seq"] <= endpoint.high_water
        yield PlannedDelivery(endpoint, item["seq"], encoded, headers, replay)


async def delivery_post_async(planned: PlannedDelivery, pool: transport.Pool) -> DeliveryOutcome:
    """Send one planned delivery (no database), on `pool`'s kept connections: the worker runs
    this on its event loop, hundreds at once."""
    if planned.refused:
        return DeliveryOutcome(planned, None, planned.refused, 0)
    started = time.perf_counter()
    answer = await pool.post(
        planned.endpoint.url,
        planned.body,
        planned.headers,
        allowed=settings.WEBHOOK_ALLOWED_NETWORKS,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
    )
    latency = int((time.perf_counter() - started) * 1000)
    return DeliveryOutcome(planned, answer.status, answer.error, latency)


def delivery_post(planned: PlannedDelivery) -> DeliveryOutcome:
    """Send one planned delivery from synchronous code (`hcoc deliver --once`, the tests): the
    worker's own coroutine, on a loop and a pool of its own."""

    async def once() -> DeliveryOutcome:
        pool = transport.Pool()
        try:
            return await delivery_post_async(planned, pool)
        finally:
            pool.close()

    return transport.run_apart(once())


def deliveries_record(outcomes: list[DeliveryOutcome]) -> int:
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
            if o.ok:
                continue
            endpoint = o.planned.endpoint
            mine = Endpoint.objects.filter(pk=endpoint.pk, cursor=endpoint.cursor)
            failing_since = endpoint.failing_since or now
            failures = endpoint.failures + 1
            if o.status != 410 and now - failing_since < timedelta(
                hours=settings.WEBHOOK_RETRY_HOURS
            ):
                backoff = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** min(failures, 30))
                mine.update(
                    failures=failures,
                    failing_since=failing_since,
                    next_attempt_at=now + timedelta(seconds=random.uniform(0, backoff)),
                )
                continue
            # Recorded in English, as the API shows it; the state's e-mail says it in its own.
            with translation.override(settings.LANGUAGE_CODE):
                reason = disabled_reason(o.status, o.error)
            if mine.update(
                status=EndpointStatus.DISABLED,
                failures=failures,
                failing_since=failing_since,
                next_attempt_at=None,
                disabled_at=now,
                disabled_reason=reason[:500],
            ):
                disabled.append((endpoint, o.status, o.error))
    for endpoint, status, error in disabled:
        _tell_state_disabled(endpoint, status=status, error=error)
    return delivered


def disabled_reason(status: int | None, error: str) -> str:
    """Why an endpoint was disabled, in the active language: a 410, or the retry period over."""
    if status == 410:
        return _("the receiver answered 410 Gone")
    return _("every delivery failed for %(hours)s hours (last: %(error)s)") % {
        "hours": f"{settings.WEBHOOK_RETRY_HOURS:g}",
        "error": error or _("no answer"),
    }


def _state_addresses(state_id: str) -> list[str]:
    """A state's points of contact and its submitters, by e-mail."""
    contacts = PointOfContact.objects.filter(state_id=state_id).exclude(email="")
    users = User.objects.submitters().filter(state_id=state_id, is_active=True)
    found = [c.email for c in contacts] + [u.email for u in users.exclude(email="")]
    return sorted(set(found))


def _tell_state_disabled(endpoint: Endpoint, *, status: int | None, error: str) -> None:
    """E-mail the state's addresses that `endpoint` is disabled, each in its reader's language
    (hcoc.states.languages)."""
    for language, to in addresses_by_language(
        _state_addresses(endpoint.state_id), endpoint.state_id
    ).items():
        with translation.override(language):
            subject, body = _disabled_message(endpoint, disabled_reason(status, error))
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def _disabled_message(endpoint: Endpoint, reason: str) -> tuple[str, str]:
    words = {
        "id": endpoint.pk,
        "state": name_of(endpoint.state_id),
        "url": endpoint.url,
        "reason": reason,
        "cursor": endpoint.cursor,
        "site": settings.SITE_URL,
    }
    return (
        _("HCoC: webhook endpoint %(id)s of %(state)s is disabled") % words,
        _(
            "The exchange stopped delivering to your webhook endpoint %(url)s (id %(id)s): "
            "%(reason)s.\n\nIts last delivered item is #%(cursor)s; nothing after it is lost. "
            "Once your receiver works again, replay from there (POST "
            '/api/v1/webhooks/%(id)s/replay {"after": %(cursor)s}, or on %(site)s/account), '
            "which also enables the endpoint again.\n\nHCoC Exchange"
        )
        % words,
    )


def deliver_due(*, rounds: int = 1000) -> int:
    """Deliver in this thread, one item per due endpoint a round, until none is due (or
    `rounds`): `hcoc deliver --once` and the tests. The worker runs the same steps with the
    posts in flight together on its event loop. Returns the items delivered."""
    delivered = 0
    for _round in range(rounds):
        planned = list(deliveries_plan(endpoints_due()))
        if not planned:
            break
        delivered += deliveries_record([delivery_post(p) for p in planned])
    return delivered
