"""One error body for every failure: ``{"error": {"code": …, "message": …}}`` (sync-api §2)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from central.context import CentralError
from central.verify import BackendUnavailable
from kiosk.errors import UserError, one_line

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024 * 1024
RETRY_AFTER_S = 2
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "bad_request",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "busy",
    500: "internal",
    503: "unavailable",
}


def error_response(
    status: int, message: str, *, code: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The error body with its status; 429 and 503 carry ``Retry-After``."""
    headers = dict(headers or {})
    if status in (429, 503):
        headers.setdefault("Retry-After", str(RETRY_AFTER_S))
    body = {"error": {"code": code or _CODES.get(status, "error"), "message": one_line(message)}}
    return JSONResponse(body, status_code=status, headers=headers)


def unauthorized() -> JSONResponse:
    """The one answer for every token problem: nothing says which it was."""
    return error_response(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})


class Unauthorized(Exception):
    """Raised by the auth dependencies; answered by :func:`unauthorized`."""


def _validation_message(exc: RequestValidationError) -> tuple[int, str]:
    err = exc.errors()[0]
    if err.get("type") == "json_invalid" or tuple(err.get("loc", ())) == ("body",):
        return 400, "the body is not a JSON object"
    loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return 422, f"{loc}: {msg}" if loc else msg


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into error bodies."""

    @app.exception_handler(Unauthorized)
    async def _unauthorized(request: Request, exc: Unauthorized) -> JSONResponse:
        return unauthorized()

    @app.exception_handler(CentralError)
    async def _central(request: Request, exc: CentralError) -> JSONResponse:
        return error_response(exc.status, str(exc), code=exc.code)

    @app.exception_handler(UserError)
    async def _user(request: Request, exc: UserError) -> JSONResponse:
        return error_response(422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, message = _validation_message(exc)
        return error_response(status, message)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail))

    @app.exception_handler(BackendUnavailable)
    async def _backend(request: Request, exc: BackendUnavailable) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after_s)}
        return error_response(503, f"verification unavailable: {exc}", headers=headers)

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", one_line(str(exc.orig)))
        return error_response(503, "the database is busy or unreachable; try again")

    @app.exception_handler(DBAPIError)
    async def _db(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return error_response(503, "the database connection was lost; try again")
        log.error("database error", exc_info=exc)
        return error_response(500, "internal error")

    @app.exception_handler(Exception)
    async def _defect(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        return error_response(500, "internal error")


class Guard:
    """ASGI middleware: refuse bodies over :data:`MAX_BODY_BYTES` (413) and more than
    ``max_concurrent`` requests in progress in this process (429 with ``Retry-After``)."""

    def __init__(self, app: ASGIApp, max_concurrent: int = 64) -> None:
        self.app = app
        self.max_concurrent = max_concurrent
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await error_response(413, "the body is larger than 16 MiB")(scope, receive, send)
            return
        if self.active >= self.max_concurrent:
            await error_response(429, "the server is busy; try again")(scope, receive, send)
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
