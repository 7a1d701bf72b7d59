"""Review, then confirm: a page sends only what its sender reviewed, and only once.

Every submission through the pages (a PLN or its amendment, a declaration, a launch report) is
shown first as every state will receive it; nothing is stored. The review page's form carries
two fields to the confirmation:

- `payload`: the API body that was reviewed, as JSON text. It stays readable because the user's
  browser key signs the form's fields (static/hcoc/sign.js, ledger.middleware) and the log keeps
  them: a verifier reads in the signed form exactly what the state's key signed.
- `review`: a token the server signed with its key (django.core.signing), salted with the
  purpose and the user: the payload's SHA-256, a single-use nonce, and what the page needs
  again (`extra`: the form's fields as entered, the crosscheck it was reviewed against).

A payload changed after the review no longer matches its token, and a token changed, made for
another user or another form is refused (ReviewChanged): only what was reviewed is sent. A
review older than MAX_AGE is `expired`: the page shows it again, never sends it as it is.

Once: the nonce is claimed (ReviewUse, unique per user) in the transaction that sends, so a
second click, a reload or an old tab (even two requests at the same moment: the second waits at
the unique index, or SQLite's write lock, and finds the claim) gets ReviewUsed and sends nothing.
A send that fails rolls its claim back with it.

    token = review_token(request.user, purpose="pln", payload=payload_text, extra={...})
    reviewed = review_read(request.user, request.POST, purpose="pln")   # or ReviewChanged
    if reviewed.used: ...; if reviewed.expired: ...
    n = review_send(request.user, reviewed, lambda: notification_submit(...))  # or ReviewUsed
"""

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone

from .models import ReviewUse

SALT = "hcoc.ui.review"
PAYLOAD_FIELD = "payload"
REVIEW_FIELD = "review"
# A review left open longer than this is shown again (with the exchange's facts of the moment)
# before it can be confirmed; claims older than it can never be needed again.
MAX_AGE = 6 * 3600

T = TypeVar("T")


class ReviewChanged(Exception):
    """The payload or the token was changed after the review (or the token is another user's,
    or another form's): nothing may be sent from it."""


class ReviewUsed(Exception):
    """This review was already confirmed: what it sent is not sent again."""


@dataclass(frozen=True)
class Reviewed:
    """What a confirmation carries back, checked: the body as reviewed (parsed), the review's
    own data, whether it expired, and whether it was already confirmed."""

    payload: dict
    extra: dict = field(default_factory=dict)
    nonce: str = ""
    expired: bool = False
    used: bool = False


def payload_text(body: dict) -> str:
    """The payload field's text for an API body (what the review page carries and shows)."""
    return json.dumps(body, ensure_ascii=False)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _salt(user, purpose: str) -> str:
    return f"{SALT}:{purpose}:{user.pk}"


def review_token(user, *, purpose: str, payload: str, extra: dict | None = None) -> str:
    """The review page's signed token for `payload` (the payload field's exact text)."""
    return signing.dumps(
        {
            "payload_sha256": _digest(payload),
            "nonce": secrets.token_urlsafe(16),
            "extra": extra or {},
        },
        salt=_salt(user, purpose),
        compress=True,
    )


def review_read_or_back(
    request, *, purpose: str, changed: str, back: str
) -> "Reviewed | HttpResponseBase":
    """`review_read` of the request's POST; or, when the payload or the token was changed, the
    redirect back to the form (`back`, a URL), with `changed` (what the page says of it) shown
    as an error: nothing is sent."""
    try:
        return review_read(request.user, request.POST, purpose=purpose)
    except ReviewChanged:
        messages.error(request, changed)
        return redirect(back)


def review_read(user, post, *, purpose: str) -> Reviewed:
    """The reviewed payload and data of a confirmation's POST. Raises ReviewChanged when the
    payload or the token was changed, or the token is not this user's for this purpose."""
    token, text = post.get(REVIEW_FIELD, ""), post.get(PAYLOAD_FIELD, "")
    salt = _salt(user, purpose)
    expired = False
    try:
        data = signing.loads(token, salt=salt, max_age=MAX_AGE)
    except signing.SignatureExpired:
        # Authentic but old: shown again, never sent as it is.
        data, expired = signing.loads(token, salt=salt), True
    except signing.BadSignature:
        raise ReviewChanged from None
    if not isinstance(data, dict) or data.get("payload_sha256") != _digest(text):
        raise ReviewChanged
    try:
        payload = json.loads(text)
    except json.JSONDecodeError:
        raise ReviewChanged from None  # only ever from a token signed over broken text
    if not isinstance(payload, dict):
        raise ReviewChanged
    nonce = data["nonce"]
    used = ReviewUse.objects.filter(user=user, nonce=nonce).exists()
    return Reviewed(payload, data.get("extra") or {}, nonce, expired, used)


def review_send(user, reviewed: Reviewed, send: Callable[[], T]) -> T:
    """Claim the review and send it, in one transaction: `send()`'s result, or ReviewUsed
    (nothing sent) when this review was already confirmed."""
    if reviewed.expired:
        raise ValueError("an expired review is shown again, never sent")
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReviewUse.objects.create(user=user, nonce=reviewed.nonce, used_at=now)
        except IntegrityError:
            raise ReviewUsed from None
        # No claim older than a review can live is needed: those reviews are never sent.
        ReviewUse.objects.filter(used_at__lt=now - timedelta(seconds=MAX_AGE)).delete()
        return send()
