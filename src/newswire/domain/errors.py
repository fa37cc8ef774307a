"""Errors that name the problem: the web answers them with 4xx JSON, the CLI with a message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One bad field: where it is, which rule it broke, and a sentence for a person."""

    field: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


class NewswireError(Exception):
    """Base of every error a user can cause; `status` is the HTTP status the web answers with."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def as_dict(self) -> dict[str, object]:
        return {"error": self.code, "message": self.message}


class InvalidRelease(NewswireError):
    """Validation found one or more bad fields; every one of them is listed."""

    status = 422
    code = "validation_failed"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(f"{len(errors)} invalid field(s): {listed}")

    def as_dict(self) -> dict[str, object]:
        return {
            "error": self.code,
            "message": self.message,
            "errors": [e.as_dict() for e in self.errors],
        }


class IllegalTransition(NewswireError):
    status = 409
    code = "illegal_transition"


class Forbidden(NewswireError):
    status = 403
    code = "forbidden"


class NotAuthenticated(NewswireError):
    status = 401
    code = "not_authenticated"


class NotFound(NewswireError):
    status = 404
    code = "not_found"


class Conflict(NewswireError):
    status = 409
    code = "conflict"


class BadConfiguration(NewswireError, ValueError):
    """A configuration file in the data folder cannot be used; the message names the file."""

    status = 500
    code = "bad_configuration"
