"""The operator's pages as they are shown: organizations, users, API keys, the recipient
import form and its per-row report, dead letters, and the live activity rows."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.audience import importing
from newswire.deliver import outbox
from newswire.store.models import ApiKey, Organization, Release, User
from newswire.web import pages
from newswire.web.operator.common import (
    CREATED_SHOWN,
    DEAD_SHOWN,
    ROLES,
    _db,
    _detail,
    _Invalid,
    _iso,
    _label,
    _page,
    _stamp,
)
from newswire.web.session import interface_language


def _organizations_page(
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    lang = interface_language(request)
    with _db(request).session() as s:
        rows = s.execute(
            select(Organization, func.count(User.id))
            .outerjoin(User, User.organization_id == Organization.id)
            .group_by(Organization.id)
            .order_by(Organization.kind.desc(), Organization.slug)
        ).all()
        organizations = [
            {
                "slug": org.slug,
                "name": org.name,
                "kind": org.kind,
                "website": org.website,
                "users": int(users),
                "created": pages.when(org.created_at, lang),
            }
            for org, users in rows
        ]
    return _page(
        request,
        "operator/organizations.html",
        "organizations",
        status=status,
        organizations=organizations,
        error=error,
        form=form or {"kind": "issuer"},
    )


def _users_page(
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    lang = interface_language(request)
    with _db(request).session() as s:
        users = [
            {
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "role": u.role,
                "organization": u.organization.name,
                "organization_kind": u.organization.kind,
                "languages": ", ".join(u.language_list),
                "trusted": u.trusted,
                "created": pages.when(u.created_at, lang),
            }
            for u in s.scalars(select(User).order_by(User.email))
        ]
        organizations = [
            (o.slug, o.name, o.kind)
            for o in s.scalars(select(Organization).order_by(Organization.name))
        ]
    return _page(
        request,
        "operator/users.html",
        "users",
        status=status,
        users=users,
        organizations=organizations,
        roles=[r.value for r in ROLES],
        error=error,
        form=form or {"role": "issuer"},
    )


def _keys_page(
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    lang = interface_language(request)
    with _db(request).session() as s:
        keys = [
            {
                "prefix": key.prefix,
                "name": key.name,
                "owner": email or "",
                "role": key.role,
                "organization": key.organization.name,
                "created": pages.when(key.created_at, lang),
                "last_used": pages.when(key.last_used_at, lang),
                "revoked": pages.when(key.revoked_at, lang),
            }
            for key, email in s.execute(
                select(ApiKey, User.email)
                .outerjoin(User, User.id == ApiKey.user_id)
                .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
            )
        ]
        owners = [(u.id, u.email, u.role) for u in s.scalars(select(User).order_by(User.email))]
    return _page(
        request,
        "operator/api_keys.html",
        "api-keys",
        status=status,
        keys=keys,
        owners=owners,
        error=error,
        form=form or {},
    )


def _import_page(
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    report: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    return _page(
        request,
        "operator/import.html",
        "import",
        status=status,
        error=error,
        report=report,
        form=form or {"format": "auto"},
    )


def _format_of(name: str, chosen: str, lang: str) -> str:
    if chosen in ("csv", "json"):
        return chosen
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix in ("csv", "json"):
        return suffix
    raise _Invalid(
        i18n.gettext(
            lang,
            "Cannot tell the format of {name}: name the file .csv or .json, or choose the format.",
            name=name or "?",
        )
    )


def _who(row: dict[str, Any]) -> str:
    """A row's name and email, to recognise it in the report."""
    parts = [str(row.get(k)) for k in ("name", "email") if isinstance(row.get(k), str | int)]
    return " · ".join(p for p in parts if p)


def _report(raw: bytes, fmt: str, report: importing.ImportReport) -> dict[str, Any]:
    """The import report for the page: counts, every rejected row with its problems, and the
    rows that were created."""
    rows = dict(importing.read_rows(raw, fmt))  # the file already read once: it is valid
    problems: dict[int, list[importing.RowProblem]] = {}
    for p in report.problems:
        problems.setdefault(p.line, []).append(p)
    rejected = [
        {"line": line, "who": _who(rows.get(line, {})), "problems": problems[line]}
        for line in sorted(problems)
    ]
    created = (
        [{"line": line, "who": _who(row)} for line, row in rows.items() if line not in problems]
        if report.imported
        else []
    )
    return {
        "rows": report.rows,
        "valid": report.valid,
        "imported": report.imported,
        "rejected": rejected,
        "created": created[:CREATED_SHOWN],
        "created_more": max(0, len(created) - CREATED_SHOWN),
    }


def _dead_page(request: Request, *, status: int = 200, error: str | None = None) -> HTMLResponse:
    lang = interface_language(request)
    with _db(request).session() as s:
        letters = [
            {
                **outbox.dead_letter_summary(d),
                "kind": d.kind,
                "created": pages.when(d.created_at, lang),
            }
            for d in outbox.dead_letters(s, limit=DEAD_SHOWN)
        ]
        total = outbox.state_counts(s)["dead"]
    return _page(
        request,
        "operator/dead_letters.html",
        "dead-letters",
        status=status,
        error=error,
        letters=letters,
        total=total,
    )


def _live_rows(s: Session, activity: list[outbox.Activity], lang: str) -> list[dict[str, Any]]:
    """Attempts as the page and its script show them, newest first."""
    label = _label(lang)
    ids = {a.release_id for a in activity}
    headlines: dict[str, str] = {}
    if ids:
        query = select(Release.id, Release.headline).where(Release.id.in_(ids))
        headlines = {release_id: headline for release_id, headline in s.execute(query)}
    return [
        {
            "id": a.attempt_id,
            "at": _stamp(a.at),
            "iso": _iso(a.at),
            "outcome": a.outcome,
            "outcome_label": label(a.outcome),
            "status": a.status or "",
            "detail": _detail(a.status, a.detail),
            "latency": f"{a.latency_ms:.0f} ms" if a.latency_ms is not None else "",
            "delivery": a.delivery_id,
            "release": a.release_id,
            "headline": headlines.get(a.release_id, a.release_id),
            "version": a.version,
            "kind_label": label(a.kind),
            "channel_label": label(a.channel),
            "address": a.address,
            "state": a.state,
            "state_label": label(a.state),
        }
        for a in reversed(activity)
    ]
