"""Every error leaves as JSON naming the problem; never a traceback, never a 500 for bad input."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from newswire.domain.errors import NewswireError
from newswire.intake.validate import field_errors

log = logging.getLogger(__name__)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NewswireError)
    async def newswire_error(_request: Request, exc: NewswireError) -> JSONResponse:
        return JSONResponse(exc.as_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = list(exc.errors())
        skip = 1 if raw and raw[0].get("loc", ("",))[0] in ("body", "query", "path") else 0
        errors = field_errors(raw, skip=skip)
        listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
        return JSONResponse(
            {
                "error": "validation_failed",
                "message": f"{len(errors)} invalid field(s): {listed}",
                "errors": [e.as_dict() for e in errors],
            },
            status_code=422,
        )

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        message = str(exc.detail)
        if exc.status_code == 400 and "parsing the body" in message:
            message = "the request body is not valid UTF-8 JSON"
        return JSONResponse(
            {"error": code, "message": message},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse(
            {"error": "internal", "message": "an unexpected error occurred; it has been logged"},
            status_code=500,
        )
