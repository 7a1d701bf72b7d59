"""Typed exceptions: every RFC 9457 problem the exchange answers is raised as the class of its
`type` (`urn:hcoc:problem:<slug>`), never returned as None."""

from __future__ import annotations

from dataclasses import dataclass, field

PROBLEM_TYPE = "urn:hcoc:problem:"


@dataclass
class FieldProblem:
    field: str
    message: str


class HcocError(Exception):
    """Anything this package raises on purpose."""


@dataclass
class ProblemError(HcocError):
    """An RFC 9457 problem answer. `slug` is the part of `type` after `urn:hcoc:problem:`."""

    status: int
    type: str
    title: str
    detail: str
    errors: list[FieldProblem] = field(default_factory=list)

    slug_of_class = ""

    def __post_init__(self):
        super().__init__(str(self))

    @property
    def slug(self) -> str:
        return self.type.removeprefix(PROBLEM_TYPE)

    def __str__(self) -> str:
        fields = "; ".join(f"{e.field}: {e.message}" for e in self.errors)
        return f"{self.status} {self.title}: {self.detail}" + (f" ({fields})" if fields else "")


class BadRequest(ProblemError):
    slug_of_class = "bad-request"


class InvalidInput(ProblemError):
    """422: the request's fields, each problem naming its field (`errors`)."""

    slug_of_class = "invalid-input"


class NotAuthenticated(ProblemError):
    slug_of_class = "not-authenticated"


class Forbidden(ProblemError):
    slug_of_class = "forbidden"


class NotFound(ProblemError):
    """404: it does not exist, or the caller may not see it."""

    slug_of_class = "not-found"


class Conflict(ProblemError):
    """409: the object's state forbids it (or an Idempotency-Key still in progress)."""

    slug_of_class = "conflict"


class BadSignature(ProblemError):
    """The HCoC-Signature was refused: unknown or revoked key, wrong key, clock skew, replay."""

    slug_of_class = "bad-signature"


class PayloadTooLarge(ProblemError):
    slug_of_class = "payload-too-large"


class LengthRequired(ProblemError):
    slug_of_class = "length-required"


class UnsupportedMediaType(ProblemError):
    slug_of_class = "unsupported-media-type"


class RateLimited(ProblemError):
    """429 once the retries are spent; `retry_after` in seconds when the exchange said."""

    slug_of_class = "rate-limited"
    retry_after: float | None = None


class Unavailable(ProblemError):
    """503 once the retries are spent."""

    slug_of_class = "unavailable"


PROBLEM_CLASSES: dict[str, type[ProblemError]] = {
    c.slug_of_class: c
    for c in (
        BadRequest,
        InvalidInput,
        NotAuthenticated,
        Forbidden,
        NotFound,
        Conflict,
        BadSignature,
        PayloadTooLarge,
        LengthRequired,
        UnsupportedMediaType,
        RateLimited,
        Unavailable,
    )
}
# A problem type this version does not know still raises by its status.
STATUS_CLASSES: dict[int, type[ProblemError]] = {
    400: BadRequest,
    401: NotAuthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    411: LengthRequired,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: InvalidInput,
    429: RateLimited,
    503: Unavailable,
}


def problem_from_response(status: int, body: object) -> ProblemError:
    """The exception for an error answer; an answer that is not a problem document (a proxy's
    HTML page) still raises, by its status, with what it said."""
    if isinstance(body, dict) and isinstance(body.get("type"), str):
        slug = body["type"].removeprefix(PROBLEM_TYPE)
        cls = PROBLEM_CLASSES.get(slug) or STATUS_CLASSES.get(status, ProblemError)
        errors = [
            FieldProblem(str(e.get("field", "")), str(e.get("message", "")))
            for e in body.get("errors") or []
            if isinstance(e, dict)
        ]
        return cls(
            status=status,
            type=body["type"],
            title=str(body.get("title", "")),
            detail=str(body.get("detail", "")),
            errors=errors,
        )
    cls = STATUS_CLASSES.get(status, ProblemError)
    text = body if isinstance(body, str) else ""
    return cls(status=status, type="about:blank", title=f"HTTP {status}", detail=text[:500])


class TransportFailed(HcocError):
    """The exchange could not be reached (connection refused, reset, timed out) after every
    retry. The request may or may not have been applied: send it again with the same
    Idempotency-Key (`Client.post(..., idempotency_key=...)`) and it will be applied once."""

    def __init__(self, message: str, idempotency_key: str | None = None):
        super().__init__(message)
        self.idempotency_key = idempotency_key


class VerificationError(HcocError):
    """A receipt, proof, signed note or webhook does not verify."""
