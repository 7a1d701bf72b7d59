"""Standard Webhooks verification for a state's receiver (https://www.standardwebhooks.com/):
`webhook-signature: v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, keyed
with the base64-decoded part of the endpoint's secret after `whsec_`."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping

from .errors import VerificationError
from .models import FeedItem

TOLERANCE_SECONDS = 5 * 60


def _secret_bytes(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the webhook secret is whsec_ followed by base64") from None


def verify_webhook(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> FeedItem:
    """The delivered feed item, once its signature verifies and its timestamp is within
    `tolerance` seconds of now; VerificationError otherwise. Drop an item whose `webhook-id`
    you already have: a retry or replay of the same item carries the same id."""
    raw = verify_webhook_signature(secret, headers, body, tolerance=tolerance, now=now)
    try:
        return FeedItem.from_dict(json.loads(raw))
    except (ValueError, TypeError) as e:
        raise VerificationError(f"the signed body is not a feed item: {e}") from None


def verify_webhook_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bytes:
    """The body, once the Standard Webhooks signature verifies (any payload, not only the
    exchange's feed items); VerificationError otherwise."""
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id = lower.get("webhook-id")
    stamp = lower.get("webhook-timestamp")
    signatures = lower.get("webhook-signature")
    if not (msg_id and stamp and signatures):
        raise VerificationError("webhook-id, webhook-timestamp and webhook-signature are required")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise VerificationError("webhook-timestamp is not Unix seconds") from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise VerificationError(f"webhook-timestamp is more than {tolerance} s from now")
    raw = body.encode() if isinstance(body, str) else bytes(body)
    signed = f"{msg_id}.{timestamp}.".encode() + raw
    expected = hmac.new(_secret_bytes(secret), signed, hashlib.sha256).digest()
    for candidate in signatures.split(" "):
        version, _, encoded = candidate.partition(",")
        if version != "v1":
            continue
        try:
            given = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(given, expected):
            return raw
    raise VerificationError("no webhook-signature matches the body under this secret")
