"""What the operator's pages share: their words (marked for the `operator` catalog), the
renderer, stamps and details, and the checks on posted fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.domain.errors import NewswireError
from newswire.domain.lifecycle import Role
from newswire.web import pages
from newswire.web.session import html, interface_language

N_ = i18n.N_


LIVE_ROWS = 50  # attempts on the live page, and the most one poll returns


DEAD_SHOWN = 200


CREATED_SHOWN = 200  # imported rows listed in the report (the count is always complete)


DONE = {
    "org-created": N_("Organization created."),
    "user-created": N_("User created. They can sign in with the password you set."),
    "role-changed": N_("Role changed. It applies at once, to the user's API keys too."),
    "translator-changed": N_("Translator's languages and trust saved. They apply at once."),
    "key-revoked": N_("API key revoked: requests with it are refused from now on."),
    "replayed": N_(
        "{count} dead letter(s) queued again: they are pending and go out on the worker's "
        "next round."
    ),
}


LABELS = {
    # delivery states
    "pending": N_("pending"),
    "sending": N_("sending"),
    "delivered": N_("delivered"),
    "failed": N_("failed"),
    "dead": N_("dead"),
    # attempt outcomes (delivered and failed as above)
    "retry": N_("will retry"),
    "gone": N_("gone: endpoint disabled"),
    "interrupted": N_("interrupted: the worker stopped mid-try"),
    # circuit breaker states
    "closed": N_("closed: sending"),
    "open": N_("open: paused"),
    "half_open": N_("half-open: probing"),
    # roles and organization kinds
    "issuer": N_("Issuer"),
    "editor": N_("Editor"),
    "admin": N_("Administrator"),
    "translator": N_("Translator"),
    "wire": N_("Wire"),
    # delivery kinds
    "original": N_("original"),
    "correction": N_("correction"),
    "retraction": N_("retraction"),
    # channels
    "email": N_("Email"),
    "webhook": N_("Webhook"),
    "websub": N_("WebSub"),
    "stream": N_("Stream"),
}


ROLES = (Role.ISSUER, Role.EDITOR, Role.ADMIN, Role.TRANSLATOR)


class _Invalid(NewswireError):
    status = 422
    code = "invalid_input"


def _label(lang: str) -> Callable[[str | None], str]:
    def label(value: str | None) -> str:
        if value is None:
            return ""
        message = LABELS.get(value)
        return i18n.gettext(lang, message) if message else value

    return label


def _stamp(value: datetime) -> str:
    """An attempt's time to the second, the same in every language."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _detail(status: str | None, detail: str | None) -> str:
    """An attempt's detail, unless it only repeats the status ("HTTP 500" beside "500")."""
    if not detail or detail in (status, f"HTTP {status}"):
        return ""
    return detail


def _page(
    request: Request, template: str, section: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """Render an operator page: the section for the navigation, the labels, the ``?done=``
    message, in the interface language."""
    count = request.query_params.get("count", "0")
    return html(
        request,
        template,
        status=status,
        section=section,
        label=_label(interface_language(request)),
        done=pages.flash(request, DONE, count=int(count) if count.isdigit() else 0),
        **context,
    )


def _db(request: Request) -> Any:
    return request.app.state.db


def _required(value: str, message: str, lang: str) -> str:
    value = value.strip()
    if not value:
        raise _Invalid(i18n.gettext(lang, message))
    return value


def _bounded(value: str, field: str, limit: int, lang: str) -> str:
    """Refuse what the database column cannot hold (`field`: the form's label, translated)."""
    value = value.strip()
    if len(value) > limit:
        raise _Invalid(
            i18n.gettext(
                lang,
                "{field} is too long: at most {limit} characters.",
                field=i18n.gettext(lang, field),
                limit=limit,
            )
        )
    return value


def _role(value: str, lang: str) -> Role:
    try:
        role = Role(value)
    except ValueError:
        role = Role.SYSTEM
    if role not in ROLES:
        raise _Invalid(i18n.gettext(lang, "Choose a role: issuer, editor, admin or translator."))
    return role


def _count(s: Session, model: Any) -> int:
    return int(s.scalar(select(func.count()).select_from(model)) or 0)
