"""Standard Webhooks (https://www.standardwebhooks.com/): the secret, the id and the signature
headers of one delivery, with the maintained `standardwebhooks` package."""

import base64
import secrets
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)


def secret_new() -> str:
    """`whsec_` + base64 of 32 random bytes (the specification's recommended 24 to 64)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_id(endpoint_id: int, seq: int) -> str:
    """Stable per item and endpoint: a retry or a replay of the same item carries the same id,
    so a receiver can drop what it already has."""
    return f"msg_hcoc_{endpoint_id}_{seq}"


def headers(*, secret: str, msg_id: str, at: datetime, body: str) -> dict[str, str]:
    """`webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`."""
    timestamp = int(at.timestamp())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
    }
