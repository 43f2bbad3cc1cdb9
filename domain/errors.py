"""Domain and application errors. HTTP codes are assigned only in api/errors.py."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user can cause; ``detail`` is shown to them."""

    title = "Request not allowed"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInputError(DomainError):
    title = "Invalid input"


class NotFoundError(DomainError):
    title = "Not found"


class AlreadyExistsError(DomainError):
    title = "Already exists"


class ConcurrencyConflictError(DomainError):
    """Someone else changed the same thing at the same time, and retrying did not help."""

    title = "Conflicting change"


class TransitionNotAllowedError(DomainError):
    title = "Not allowed in the current state"


class PermissionDeniedError(DomainError):
    title = "Permission denied"


class StoreNotEmptyError(DomainError):
    title = "Store is not empty"
