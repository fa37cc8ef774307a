"""The operator's pages (admins only; sign-in through `newswire.web.session`):

    /operator                       counts of organizations, users, recipients and deliveries
    /operator/organizations         the organizations; create one (as `newswire org create`)
    /operator/users                 the users with organization and role; create one; change a
                                    user's role (their API keys follow)
    /operator/api-keys              the keys; create one for a user (the key is shown once, on
                                    the result page); revoke one (as `newswire apikey ...`)
    /operator/recipients/import     upload a CSV or JSON file of recipients; the import report
                                    (as `newswire recipients import`)
    /operator/endpoints             endpoint health: the circuit breaker each endpoint's recent
                                    attempts imply, its latest failures, counts
    /operator/dead-letters          dead letters, replayed one by one or all shown at once
                                    (as `newswire deliveries dead` / `replay`)
    /operator/live                  the latest delivery attempts; /static/operator.js polls
                                    /operator/live.json?after=<attempt id> every 2 s and adds
                                    new ones at the top (without JS: reload the page)

Editors and issuers get a 403 page; anonymous visitors are sent to the sign-in page. Every
form posts with the session's CSRF token to an action route that calls the same function as
the CLI and the API, in one transaction, and redirects back (303) with a message; a refused
action shows its message on the page with its 4xx status, with what was typed kept.
Messages from the domain (a taken slug, a short password) stay English; the rest of the page
speaks the interface language (catalog area "operator").
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.actions import accounts
from newswire.audience import importing
from newswire.deliver import outbox
from newswire.domain.errors import NewswireError
from newswire.domain.lifecycle import Role
from newswire.store.models import Organization, Recipient, User
from newswire.web import pages
from newswire.web.operator.common import (
    LIVE_ROWS,
    N_,
    _bounded,
    _count,
    _db,
    _detail,
    _Invalid,
    _iso,
    _page,
    _required,
    _role,
    _stamp,
)
from newswire.web.operator.views import (
    _dead_page,
    _format_of,
    _import_page,
    _keys_page,
    _live_rows,
    _organizations_page,
    _report,
    _users_page,
)
from newswire.web.params import Int64, fits_int64
from newswire.web.session import CurrentUser, SignedIn, check_csrf, interface_language

"""The flash message after each action (``?done=``), translated where it is shown."""


class AdminOnly(Exception):
    """A signed-in user who is not an admin opened an operator page (a 403 page)."""


def admin_user(user: CurrentUser) -> SignedIn:
    if user.actor.role is not Role.ADMIN:
        raise AdminOnly
    return user


AdminUser = Annotated[SignedIn, Depends(admin_user)]


def _refused(request: Request, _: AdminOnly) -> HTMLResponse:
    lang = interface_language(request)
    return pages.message(
        request,
        "operator/message.html",
        403,
        i18n.gettext(lang, "Not allowed"),
        i18n.gettext(lang, "The operator pages are for admins; your account cannot open them."),
    )


# answers AdminOnly, raised by the AdminUser dependency, with the 403 page
_AdminRoute = pages.guarded_route({AdminOnly: _refused})


router = APIRouter(prefix="/operator", include_in_schema=False, route_class=_AdminRoute)


Text = Annotated[str, Form()]


@router.get("", response_class=HTMLResponse)
def overview(request: Request, user: AdminUser) -> HTMLResponse:
    with _db(request).session() as s:
        deliveries = outbox.state_counts(s)
        counts = {
            "organizations": _count(s, Organization),
            "users": _count(s, User),
            "recipients": _count(s, Recipient),
            "pending": deliveries["pending"] + deliveries["sending"],
            "failed": deliveries["failed"],
            "dead": deliveries["dead"],
            "delivered": deliveries["delivered"],
        }
    return _page(request, "operator/overview.html", "overview", counts=counts)


@router.get("/organizations", response_class=HTMLResponse)
def organizations(request: Request, user: AdminUser) -> HTMLResponse:
    return _organizations_page(request)


@router.post("/organizations", response_model=None)
def create_organization(
    request: Request,
    user: AdminUser,
    csrf_token: Text = "",
    slug: Text = "",
    name: Text = "",
    kind: Text = "issuer",
    website: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    lang = interface_language(request)
    form = {"slug": slug, "name": name, "kind": kind, "website": website}

    def run(s: Session) -> str:
        accounts.create_organization(
            s,
            slug=slug.strip(),
            name=_bounded(
                _required(name, "An organization needs a name.", lang), N_("Name"), 200, lang
            ),
            kind=kind,
            website=_bounded(website, N_("Website"), 500, lang) or None,
        )
        return "org-created"

    return pages.act(
        request,
        run,
        "/operator/organizations",
        lambda **kw: _organizations_page(request, form=form, **kw),
    )


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, user: AdminUser) -> HTMLResponse:
    return _users_page(request)


@router.post("/users", response_model=None)
def create_user(
    request: Request,
    user: AdminUser,
    csrf_token: Text = "",
    name: Text = "",
    email: Text = "",
    password: Text = "",
    role: Text = "",
    organization: Text = "",
    languages: Text = "",
    trusted: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    lang = interface_language(request)
    form = {"name": name, "email": email, "role": role, "organization": organization}
    form |= {"languages": languages, "trusted": trusted}

    def run(s: Session) -> str:
        accounts.create_user(
            s,
            email=_bounded(email, N_("Email"), 320, lang),
            name=_bounded(_required(name, "A user needs a name.", lang), N_("Name"), 200, lang),
            role=_role(role, lang),
            organization=accounts.get_organization(
                s, _required(organization, "Choose the user's organization.", lang)
            ),
            password=password,
            languages=languages,  # a translator's languages; none: all
            trusted=bool(trusted),
        )
        return "user-created"

    return pages.act(
        request, run, "/operator/users", lambda **kw: _users_page(request, form=form, **kw)
    )


@router.post("/users/{user_id}/role", response_model=None)
def change_role(
    user_id: Int64, request: Request, user: AdminUser, csrf_token: Text = "", role: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    lang = interface_language(request)

    def run(s: Session) -> str:
        accounts.set_role(s, user_id, _role(role, lang))
        return "role-changed"

    return pages.act(request, run, "/operator/users", lambda **kw: _users_page(request, **kw))


@router.post("/users/{user_id}/translator", response_model=None)
def change_translator(
    user_id: Int64,
    request: Request,
    user: AdminUser,
    csrf_token: Text = "",
    languages: Text = "",
    trusted: Text = "",
) -> Response:
    check_csrf(request, csrf_token)

    def run(s: Session) -> str:
        accounts.set_translator(s, user_id, languages=languages, trusted=bool(trusted))
        return "translator-changed"

    return pages.act(request, run, "/operator/users", lambda **kw: _users_page(request, **kw))


@router.get("/api-keys", response_class=HTMLResponse)
def api_keys(request: Request, user: AdminUser) -> HTMLResponse:
    return _keys_page(request)


@router.post("/api-keys", response_model=None)
def create_api_key(
    request: Request, user: AdminUser, csrf_token: Text = "", owner: Text = "", name: Text = ""
) -> Response:
    """The key is on this response only: it is never stored, so it cannot be shown again."""
    check_csrf(request, csrf_token)
    lang = interface_language(request)
    form = {"owner": owner, "name": name}
    try:
        with _db(request).session() as s:
            owner_id = int(owner) if owner.strip().isdigit() else None
            owner_user = s.get(User, owner_id) if owner_id and fits_int64(owner_id) else None
            if owner_user is None:
                raise _Invalid(i18n.gettext(lang, "Choose the user the key acts as."))
            row, key = accounts.create_api_key(
                s,
                name=_bounded(
                    _required(name, "A key needs a name that says what it is for.", lang),
                    N_("What it is for"),
                    200,
                    lang,
                ),
                user=owner_user,
            )
            created = {
                "key": key,
                "prefix": row.prefix,
                "name": row.name,
                "owner": owner_user.email,
                "role": row.role,
            }
    except NewswireError as exc:
        return _keys_page(request, status=exc.status, error=exc.message, form=form)
    return _page(request, "operator/api_key_created.html", "api-keys", created=created)


@router.post("/api-keys/{prefix}/revoke", response_model=None)
def revoke_api_key(
    prefix: str, request: Request, user: AdminUser, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)

    def run(s: Session) -> str:
        accounts.revoke_api_key(s, prefix)
        return "key-revoked"

    return pages.act(request, run, "/operator/api-keys", lambda **kw: _keys_page(request, **kw))


@router.get("/recipients/import", response_class=HTMLResponse)
def import_form(request: Request, user: AdminUser) -> HTMLResponse:
    return _import_page(request)


@router.post("/recipients/import", response_model=None)
def import_recipients(
    request: Request,
    user: AdminUser,
    file: Annotated[UploadFile | None, File()] = None,
    csrf_token: Text = "",
    format: Text = "auto",
    valid_only: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    lang = interface_language(request)
    form = {"format": format, "valid_only": valid_only}
    name = PurePath((file.filename or "") if file else "").name
    try:
        if file is None or not name:
            raise _Invalid(i18n.gettext(lang, "Choose a CSV or JSON file to upload."))
        fmt = _format_of(name, format, lang)
        raw = file.file.read()
        if not raw.strip():
            raise _Invalid(i18n.gettext(lang, "The file {name} is empty.", name=name))
        with _db(request).session() as s:
            done = importing.import_recipients(
                s,
                raw,
                fmt,
                source=f"import of {name} by {user.email}"[:300],
                valid_only=bool(valid_only),
            )
        report = _report(raw, fmt, done)
    except NewswireError as exc:
        return _import_page(request, status=exc.status, error=exc.message, form=form)
    report["file"] = name
    refused = bool(report["rejected"]) and not report["imported"]
    return _import_page(request, status=422 if refused else 200, report=report, form=form)


@router.get("/endpoints", response_class=HTMLResponse)
def endpoints(request: Request, user: AdminUser) -> HTMLResponse:
    now = datetime.now(UTC)
    with _db(request).session() as s:
        health = outbox.endpoint_health(s, now=now)
        rows = [
            {
                "channel": h.channel,
                "address": h.address,
                "breaker": h.breaker,
                "consecutive_failures": h.consecutive_failures,
                "retry_in": round(h.retry_in_s),
                "delivered": h.attempts["delivered"],
                "retried": h.attempts["retry"],
                "failed": h.attempts["failed"] + h.attempts["gone"],
                "pending": h.deliveries["pending"] + h.deliveries["sending"],
                "dead": h.deliveries["dead"],
                "last": _stamp(h.last_attempt_at),
                "last_iso": _iso(h.last_attempt_at),
                "disabled": h.disabled,
                "failures": [
                    {
                        "at": _stamp(a.at),
                        "iso": _iso(a.at),
                        "outcome": a.outcome,
                        "status": a.status or "",
                        "detail": _detail(a.status, a.detail),
                    }
                    for a in h.failures
                ],
            }
            for h in health
        ]
    channels: dict[str, Counter[str]] = {}
    for row in rows:
        totals = channels.setdefault(row["channel"], Counter())
        totals["endpoints"] += 1
        totals["troubled"] += row["breaker"] != "closed"
        for key in ("delivered", "retried", "failed", "pending", "dead"):
            totals[key] += row[key]
    return _page(
        request,
        "operator/endpoints.html",
        "endpoints",
        endpoints=rows,
        channels=sorted(channels.items()),
    )


@router.get("/dead-letters", response_class=HTMLResponse)
def dead_letters(request: Request, user: AdminUser) -> HTMLResponse:
    return _dead_page(request)


@router.post("/dead-letters/replay", response_model=None)
def replay(
    request: Request,
    user: AdminUser,
    csrf_token: Text = "",
    ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Replay the dead letters named in the form (one, or all shown): pending again, from the
    start of the retry schedule."""
    check_csrf(request, csrf_token)
    lang = interface_language(request)
    chosen = sorted({i.strip() for i in ids or [] if i.strip()})
    try:
        if not chosen:
            raise _Invalid(i18n.gettext(lang, "Choose at least one dead letter to replay."))
        with _db(request).session() as s:
            count = outbox.replay(s, chosen, now=datetime.now(UTC))
    except NewswireError as exc:
        return _dead_page(request, status=exc.status, error=exc.message)
    return RedirectResponse(f"/operator/dead-letters?done=replayed&count={count}", status_code=303)


@router.get("/live", response_class=HTMLResponse)
def live(request: Request, user: AdminUser) -> HTMLResponse:
    lang = interface_language(request)
    with _db(request).session() as s:
        rows = _live_rows(s, outbox.activity(s, limit=LIVE_ROWS), lang)
    cursor = rows[0]["id"] if rows else 0
    return _page(request, "operator/live.html", "live", rows=rows, cursor=cursor)


@router.get("/live.json", response_model=None)
def live_json(
    request: Request, user: AdminUser, after: Annotated[Int64, Query(ge=0)] = 0
) -> JSONResponse:
    """The attempts after attempt id `after` (at most LIVE_ROWS, newest first) and the cursor
    to ask from next time."""
    lang = interface_language(request)
    with _db(request).session() as s:
        rows = _live_rows(s, outbox.activity(s, after=after, limit=LIVE_ROWS), lang)
    cursor = rows[0]["id"] if rows else after
    return JSONResponse({"cursor": cursor, "rows": rows}, headers={"Cache-Control": "no-store"})
