"""Domain errors: raised once by services and selectors, mapped once to HTTP (api.py) or forms.

They are Django-free so that services, the CLI and tests share them.
"""

from dataclasses import dataclass


@dataclass
class FieldProblem:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class DomainError(Exception):
    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str = "", errors: list[FieldProblem] | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []


class InvalidInput(DomainError):
    """One answer carrying every problem found in the input, each with its field path."""

    status = 422
    title = "Invalid input"
    type_slug = "invalid-input"

    def __init__(self, errors: list[FieldProblem], detail: str = ""):
        super().__init__(detail or f"{len(errors)} problem(s) in the request", errors)


class NotAuthenticated(DomainError):
    status = 401
    title = "Not authenticated"
    type_slug = "not-authenticated"


class PermissionDenied(DomainError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class NotFound(DomainError):
    """Also raised for things that exist but the caller may not see: never reveal them."""

    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class UnsupportedMediaType(DomainError):
    """A request body in a media type the operation does not take (docs/formats.md: JSON bodies are
    sent as `Content-Type: application/json`, in UTF-8)."""

    status = 415
    title = "Unsupported media type"
    type_slug = "unsupported-media-type"
