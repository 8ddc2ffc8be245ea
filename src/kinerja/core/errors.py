"""Error kinds shared by every area, with the codes clients see in ``extensions.code``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class DomainError(Exception):
    code = "INTERNAL"

    def __init__(self, message: str, *, field: str | None = None, extensions: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extensions = extensions or {}


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class NotFound(DomainError):
    code = "NOT_FOUND"

    def __init__(self, message: str = "Not found", **kwargs: Any):
        super().__init__(message, **kwargs)


class BadUserInput(DomainError):
    code = "BAD_USER_INPUT"


class Conflict(DomainError):
    code = "CONFLICT"


class RateLimited(DomainError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after: int, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.extensions["retryAfter"] = retry_after


@dataclass(frozen=True)
class FieldError:
    """One expected failure of a mutation, reported in its payload's userErrors."""

    field: str | None
    code: str
    message: str


class ValidationFailed(DomainError):
    """One or more input fields are invalid; carries every problem found, not just the first."""

    code = "BAD_USER_INPUT"

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


def field_errors(exc: DomainError) -> list[FieldError]:
    if isinstance(exc, ValidationFailed):
        return exc.errors
    return [FieldError(exc.field, exc.code, exc.message)]
