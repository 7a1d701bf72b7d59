"""hcoc-client: a client of the HCoC Exchange API (/api/v1). See the package's README."""

from .client import OPERATIONS, Client, FileCursor, MemoryCursor
from .errors import (
    BadRequest,
    BadSignature,
    Conflict,
    FieldProblem,
    Forbidden,
    HcocError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    ProblemError,
    RateLimited,
    TransportFailed,
    Unavailable,
    VerificationError,
)
from .models import *  # noqa: F403
from .models import MODELS
from .proofs import Checkpoint, verify_receipt
from .signing import SigningKey
from .webhooks import verify_webhook, verify_webhook_signature

__all__ = [
    "OPERATIONS",
    "MODELS",
    "BadRequest",
    "BadSignature",
    "Checkpoint",
    "Client",
    "Conflict",
    "FieldProblem",
    "FileCursor",
    "Forbidden",
    "HcocError",
    "InvalidInput",
    "MemoryCursor",
    "NotAuthenticated",
    "NotFound",
    "PayloadTooLarge",
    "ProblemError",
    "RateLimited",
    "SigningKey",
    "TransportFailed",
    "Unavailable",
    "VerificationError",
    "verify_receipt",
    "verify_webhook",
    "verify_webhook_signature",
    *(m.__name__ for m in MODELS),
]
