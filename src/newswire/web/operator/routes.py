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
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.actions import accounts
from newswire.audience import importing
from newswire.deliver import outbox
from newswire.domain.errors import NewswireError
from newswire.domain.lifecycle import Role
from newswire.store.models import ApiKey, Organization, Recipient, Release, User
from newswire.web import pages
from newswire.web.session import CurrentUser, SignedIn, check_csrf, html, interface_language

N_ = i18n.N_

LIVE_ROWS = 50  # attempts on the live page, and the most one poll returns
DEAD_SHOWN = 200
CREATED_SHOWN = 200  # imported rows listed in the report (the count is always complete)

DONE = {
    "org-created": N_("Organization created."),
    "user-created": N_("User created. They can sign in with the password you set."),
    "role-changed": N_("Role changed. It applies at once, to the user's API keys too."),
    "key-revoked": N_("API key revoked: requests with it are refused from now on."),
    "replayed": N_(
        "{count} dead letter(s) queued again: they are pending and go out on the worker's "
        "next round."
    ),
}
"""The flash message after each action (``?done=``), translated where it is shown."""

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
    # circuit breaker states
    "closed": N_("closed: sending"),
    "open": N_("open: paused"),
    "half_open": N_("half-open: probing"),
    # roles and organization kinds
    "issuer": N_("Issuer"),
    "editor": N_("Editor"),
    "admin": N_("Administrator"),
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
ROLES = (Role.ISSUER, Role.EDITOR, Role.ADMIN)


# --- admins only -------------------------------------------------------------------------------


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


# --- shared helpers ----------------------------------------------------------------------------


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
        raise _Invalid(i18n.gettext(lang, "Choose a role: issuer, editor or admin."))
    return role


# --- overview ----------------------------------------------------------------------------------


def _count(s: Session, model: Any) -> int:
    return int(s.scalar(select(func.count()).select_from(model)) or 0)


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


# --- organizations -----------------------------------------------------------------------------


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


# --- users -------------------------------------------------------------------------------------


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
) -> Response:
    check_csrf(request, csrf_token)
    lang = interface_language(request)
    form = {"name": name, "email": email, "role": role, "organization": organization}

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
        )
        return "user-created"

    return pages.act(
        request, run, "/operator/users", lambda **kw: _users_page(request, form=form, **kw)
    )


@router.post("/users/{user_id}/role", response_model=None)
def change_role(
    user_id: int, request: Request, user: AdminUser, csrf_token: Text = "", role: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    lang = interface_language(request)

    def run(s: Session) -> str:
        accounts.set_role(s, user_id, _role(role, lang))
        return "role-changed"

    return pages.act(request, run, "/operator/users", lambda **kw: _users_page(request, **kw))


# --- API keys ----------------------------------------------------------------------------------


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
            owner_user = s.get(User, int(owner)) if owner.strip().isdigit() else None
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


# --- recipients import -------------------------------------------------------------------------


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


@router.get("/recipients/import", response_class=HTMLResponse)
def import_form(request: Request, user: AdminUser) -> HTMLResponse:
    return _import_page(request)


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


# --- endpoint health ---------------------------------------------------------------------------


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


# --- dead letters ------------------------------------------------------------------------------


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


# --- live distribution -------------------------------------------------------------------------


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


@router.get("/live", response_class=HTMLResponse)
def live(request: Request, user: AdminUser) -> HTMLResponse:
    lang = interface_language(request)
    with _db(request).session() as s:
        rows = _live_rows(s, outbox.activity(s, limit=LIVE_ROWS), lang)
    cursor = rows[0]["id"] if rows else 0
    return _page(request, "operator/live.html", "live", rows=rows, cursor=cursor)


@router.get("/live.json", response_model=None)
def live_json(
    request: Request, user: AdminUser, after: Annotated[int, Query(ge=0)] = 0
) -> JSONResponse:
    """The attempts after attempt id `after` (at most LIVE_ROWS, newest first) and the cursor
    to ask from next time."""
    lang = interface_language(request)
    with _db(request).session() as s:
        rows = _live_rows(s, outbox.activity(s, after=after, limit=LIVE_ROWS), lang)
    cursor = rows[0]["id"] if rows else after
    return JSONResponse({"cursor": cursor, "rows": rows}, headers={"Cache-Control": "no-store"})
