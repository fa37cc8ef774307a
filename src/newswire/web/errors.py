"""Every error leaves as JSON naming the problem; never a traceback, never a 500 for bad input."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from newswire.domain.errors import NewswireError
from newswire.intake.validate import field_errors

log = logging.getLogger(__name__)


class FieldErrorBody(BaseModel):
    field: str
    rule: str
    message: str


class ErrorBody(BaseModel):
    """What every error answer carries (some add details of their own)."""

    model_config = ConfigDict(extra="allow")

    error: str
    message: str
    errors: list[FieldErrorBody] | None = None


_ERROR_ANSWERS = {
    400: "the request cannot be read",
    401: "an API key is required, or the key is unknown or revoked",
    403: "the key's role may not do this",
    404: "no such object, or not one this key may see",
    409: "the object's state does not allow this",
    413: "the request body is too large",
    422: "invalid fields, each named",
    429: "too many requests; try again later",
}


# The error answers every API operation may give, declared on the API routers so that the
# OpenAPI document lists them with their body (and ours replaces FastAPI's own 422 model).
ERROR_ANSWERS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in _ERROR_ANSWERS.items()
}


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
