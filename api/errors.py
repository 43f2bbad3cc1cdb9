"""The one table that maps errors to HTTP problem responses (RFC 9457)."""

from __future__ import annotations

import logging

from eventsourcing.persistence import OperationalError as StoreOperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import (
    AlreadyExistsError,
    ConcurrencyConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StoreNotEmptyError,
    TransitionNotAllowedError,
)

log = logging.getLogger("smc.api")

STATUS: dict[type[DomainError], int] = {
    InvalidInputError: 422,
    NotFoundError: 404,
    AlreadyExistsError: 409,
    ConcurrencyConflictError: 409,
    TransitionNotAllowedError: 409,
    PermissionDeniedError: 403,
    StoreNotEmptyError: 409,
}


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def status_for(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS and issubclass(cls, DomainError):
            return STATUS[cls]
    return 400


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    def _domain(request: Request, exc: DomainError) -> JSONResponse:
        del request
        return problem(status_for(exc), exc.title, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        del request
        errors = [
            {"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid"}
        detail = f"{'.'.join(first['loc'])}: {first['msg']}"
        return problem(422, "Invalid input", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        del request
        response = problem(exc.status_code, _title(exc.status_code), str(exc.detail))
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(StoreOperationalError)
    def _store_down(request: Request, exc: StoreOperationalError) -> JSONResponse:
        del request
        log.error("event store unavailable: %s", exc)
        return problem(503, "Store unavailable", "the event store cannot be reached; try again")


def _title(status: int) -> str:
    return {
        400: "Bad request",
        401: "Sign-in required",
        403: "Permission denied",
        404: "Not found",
        405: "Method not allowed",
        409: "Conflict",
        413: "Too large",
        429: "Too many requests",
        503: "Unavailable",
    }.get(status, "Error")
