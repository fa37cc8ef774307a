"""The issuer portal (issuers, and admins, who see every organization; see `newswire.web.session`
for sign-in):

    /portal                                 the organization's releases, newest first, with their
                                            state and times, and a "New release" button
    /portal/releases/new                    compose: the fields of a release (the same intake as
                                            the API, `newswire.intake.validate`), a live Markdown
                                            preview, industries as a filterable tree, regions,
                                            languages, schedule or embargo, a live reach estimate
    /portal/releases/{id}                   the release as it stands, its status timeline (every
                                            transition: who, when, why), the desk's reason, its
                                            editions and versions; submit, withdraw
    /portal/releases/{id}/edit              compose again (drafts and changes requested)
    /portal/releases/{id}/report            the distribution report with SVG charts
    /portal/releases/{id}/report.csv        one row per delivery
    POST /portal/preview                    Markdown -> the sanitized HTML intake stores
    POST /portal/reach                      the reach estimate of the form as it stands (JSON)

An issuer only ever sees its own organization's releases (another's are 404, through
`newswire.actions.releases.get_release`); editors are refused (403: the desk works at /desk).
Every POST checks the CSRF token; actions run in one transaction and redirect (303) back with a
flash; a refused action shows its message with the action's status; bad input shows the compose
form again with every bad field named (422), keeping what was typed. The pages work without
JavaScript: the preview and the reach estimate are then shown by the "Preview" button.

The compose form's values and their way into intake: `newswire.web.portal.form`; a release's
deliveries one by one (the report's table and CSV, without personal data for issuers):
`newswire.report.deliveries`; the charts: `newswire.render.charts`; the script that makes the
form live: `render/static/portal.js`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from newswire import i18n
from newswire.actions import releases as actions
from newswire.actions.accounts import get_organization_or_none
from newswire.domain.errors import FieldError, InvalidRelease, NewswireError
from newswire.domain.lifecycle import Action, Role, State
from newswire.domain.release import content_from_json
from newswire.intake.markdown import markdown_to_html, sanitize_html
from newswire.intake.validate import MAX_BODY_CHARS
from newswire.render.html import render_page
from newswire.report import deliveries
from newswire.store.models import Release
from newswire.web import pages
from newswire.web.portal import form as composing
from newswire.web.portal.common import PAGE_SIZE, _done, _lang
from newswire.web.portal.labels import NOT_POSSIBLE, STATE_LABELS, TITLES
from newswire.web.portal.readership import readership_context
from newswire.web.portal.views import (
    _compose,
    _estimate,
    _is_admin,
    _list_row,
    _may,
    _release_page,
    _report_context,
    _shown,
)
from newswire.web.session import CurrentUser, SignedIn, check_csrf, html, interface_language


class PortalOnly(Exception):
    """An editor (or another role) opened the issuer portal."""


def _not_for_you(request: Request, _: PortalOnly) -> HTMLResponse:
    lang = interface_language(request)
    return _message(
        request,
        403,
        i18n.gettext(lang, "Not allowed"),
        i18n.gettext(
            lang,
            "The issuer portal is for issuers and admins; "
            "the editorial desk works in the review queue.",
        ),
    )


# Portal routes answer their refusals with a page: an editor gets 403, a release the user may
# not see 404, a move from the wrong state 409 (never a JSON error, never a 500).
_PortalRoute = pages.guarded_route(
    {PortalOnly: _not_for_you, NewswireError: lambda request, exc: _refused(request, exc)}
)


router = APIRouter(prefix="/portal", include_in_schema=False, route_class=_PortalRoute)


def portal_user(user: CurrentUser) -> SignedIn:
    """An issuer (its own organization's releases) or an admin (every organization's)."""
    if user.actor.role not in (Role.ISSUER, Role.ADMIN):
        raise PortalOnly
    return user


PortalUser = Annotated[SignedIn, Depends(portal_user)]


async def _form(request: Request) -> FormData:
    return await request.form()


Posted = Annotated[FormData, Depends(_form)]


Text = Annotated[str, Form()]


def _message(
    request: Request, status: int, title: str, message: str, back: str | None = None
) -> HTMLResponse:
    return pages.message(request, "portal/message.html", status, title, message, back=back)


def _refused(request: Request, exc: NewswireError) -> HTMLResponse:
    return pages.refused(request, "portal/message.html", exc, TITLES, NOT_POSSIBLE, back="/portal")


@router.get("", response_class=HTMLResponse)
def index(request: Request, user: PortalUser, state: str = "", page: str = "1") -> HTMLResponse:
    lang = _lang(request)
    chosen = [State(state)] if state in STATE_LABELS else []
    number = max(1, int(page)) if page.isdigit() and len(page) <= 6 else 1
    with request.app.state.db.session() as s:
        rows = actions.list_releases(
            s, user.actor, states=chosen, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE
        )
        releases = [_list_row(r, user, lang) for r in rows[:PAGE_SIZE]]
    return html(
        request,
        "portal/index.html",
        releases=releases,
        all_organizations=_is_admin(user),
        states=[(key, i18n.gettext(lang, label)) for key, label in STATE_LABELS.items()],
        state=state if chosen else "",
        page=number,
        more=len(rows) > PAGE_SIZE,
        done=_done(request),
    )


@router.get("/releases/new", response_class=HTMLResponse)
def new_release(request: Request, user: PortalUser) -> HTMLResponse:
    return _compose(request, user, composing.blank(_lang(request)))


@router.post("/releases", response_model=None)
def create(request: Request, user: PortalUser, form: Posted) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    lang = _lang(request)
    values = composing.values_from(form, lang)
    step = str(form.get("action", "save"))
    if step == "preview":
        return _compose(request, user, values, **_shown(request, user, values, None))
    organization_id = None
    problems: list[FieldError] = []
    if _is_admin(user):
        with request.app.state.db.session() as s:
            org = get_organization_or_none(s, values["organization"])
            if org is None or org.kind != "issuer":
                problems.append(
                    FieldError("organization", "missing", "choose the organization it is for")
                )
            else:
                organization_id = org.id
    now = datetime.now(UTC)
    try:
        content = composing.validate(values, now)
        if problems:
            raise InvalidRelease(problems)
    except InvalidRelease as exc:
        errors = problems + [e for e in exc.errors if e not in problems]
        return _compose(request, user, values, status=422, errors=errors)
    with request.app.state.db.session() as s:
        release = actions.create_release(
            s, user.actor, content, organization_id=organization_id,
            submit=step == "submit", now=now,
        )  # fmt: skip
        release_id = release.id
    done = "submitted" if step == "submit" else "saved"
    return RedirectResponse(f"/portal/releases/{release_id}?done={done}", status_code=303)


@router.get("/releases/{release_id}/edit", response_class=HTMLResponse)
def edit_page(release_id: str, request: Request, user: PortalUser) -> HTMLResponse:
    lang = _lang(request)
    with request.app.state.db.session() as s:
        release = actions.get_release(s, user.actor, release_id)
        if not _may(State(release.state), user, Action.EDIT):
            return _not_editable(request, release)
        values = composing.values_of(content_from_json(release.content), lang)
        estimate = _estimate(request, s, user, values, release)
        preview = content_from_json(release.content).body_html
        return _compose(request, user, values, release=release, preview=preview, estimate=estimate)


def _not_editable(request: Request, release: Release) -> HTMLResponse:
    lang = _lang(request)
    message = i18n.gettext(
        lang,
        "A release can be edited only as a draft or when the desk asks for changes; "
        "this one is: {state}.",
        state=pages.label(STATE_LABELS, release.state, lang),
    )
    return _message(
        request, 409, i18n.gettext(lang, "Not possible"), message, f"/portal/releases/{release.id}"
    )


@router.post("/releases/{release_id}/edit", response_model=None)
def edit(release_id: str, request: Request, user: PortalUser, form: Posted) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    lang = _lang(request)
    values = composing.values_from(form, lang)
    step = str(form.get("action", "save"))
    with request.app.state.db.session() as s:
        release = actions.get_release(s, user.actor, release_id)
        if not _may(State(release.state), user, Action.EDIT):
            return _not_editable(request, release)
        if step == "preview":
            return _compose(
                request, user, values, release=release, **_shown(request, user, values, release)
            )
        now = datetime.now(UTC)
        try:
            content = composing.validate(values, now)
        except InvalidRelease as exc:
            return _compose(request, user, values, release=release, status=422, errors=exc.errors)
    with request.app.state.db.session() as s:
        actions.edit_release(s, user.actor, release_id, content, now=now)
        if step == "submit":
            actions.submit_release(s, user.actor, release_id, now=now)
    done = "submitted" if step == "submit" else "saved"
    return RedirectResponse(f"/portal/releases/{release_id}?done={done}", status_code=303)


@router.post("/preview", response_class=HTMLResponse)
def preview(
    request: Request,
    user: PortalUser,
    csrf_token: Text = "",
    body: Text = "",
    body_format: Text = "markdown",
) -> HTMLResponse:
    """The body as intake stores it: Markdown rendered and sanitized (scripts, event handlers
    and unsafe links removed), or HTML sanitized. A fragment for the compose page's preview."""
    check_csrf(request, csrf_token)
    text = body.replace("\r\n", "\n")[:MAX_BODY_CHARS]
    fragment = sanitize_html(text) if body_format == "html" else markdown_to_html(text)
    return HTMLResponse(fragment, headers={"Cache-Control": "no-store"})


@router.post("/reach")
def reach_estimate(request: Request, user: PortalUser, form: Posted) -> JSONResponse:
    """The reach estimate of the compose form as it stands (the form's fields, as posted):
    recipients by channel, language and country, and the panel's HTML for the page."""
    check_csrf(request, str(form.get("csrf_token", "")))
    lang = _lang(request)
    values = composing.values_from(form, lang)
    release = None
    with request.app.state.db.session() as s:
        release_id = str(form.get("release_id", ""))
        if release_id:
            release = actions.get_release(s, user.actor, release_id)
        estimate = _estimate(request, s, user, values, release)
    panel = render_page("portal/_reach.html", lang=lang, estimate=estimate)
    return JSONResponse(
        {
            "recipients": estimate["recipients"],
            "targets": estimate["targets"],
            "outlets": estimate["outlets"],
            "journalists": estimate["journalists"],
            "terminals": estimate["terminals"],
            "partner_sites": estimate["partner_sites"],
            "by_channel": estimate["by_channel"],
            "by_language": estimate["by_language"],
            "by_country": estimate["by_country"],
            "html": panel,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/releases/{release_id}", response_class=HTMLResponse)
def release_page(release_id: str, request: Request, user: PortalUser) -> HTMLResponse:
    with request.app.state.db.session() as s:
        return _release_page(request, s, user, release_id)


def _act(
    request: Request,
    user: SignedIn,
    release_id: str,
    done: str,
    run: Callable[[Session], object],
    form: Mapping[str, str] | None = None,
) -> Response:
    """One action in one transaction; back to the release (303), or the page with the refusal
    and what was typed."""

    def failed(**refusal: Any) -> HTMLResponse:
        with request.app.state.db.session() as s:
            return _release_page(request, s, user, release_id, form=form, **refusal)

    return pages.act(request, run, f"/portal/releases/{release_id}", failed, done=done)


@router.post("/releases/{release_id}/submit", response_model=None)
def submit(release_id: str, request: Request, user: PortalUser, csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    return _act(
        request, user, release_id, "submitted",
        lambda s: actions.submit_release(s, user.actor, release_id),
    )  # fmt: skip


@router.post("/releases/{release_id}/withdraw", response_model=None)
def withdraw(
    release_id: str, request: Request, user: PortalUser, csrf_token: Text = "", reason: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    return _act(
        request, user, release_id, "withdrawn",
        lambda s: actions.withdraw(s, user.actor, release_id, reason),
        form={"reason": reason},
    )  # fmt: skip


@router.get("/releases/{release_id}/report", response_class=HTMLResponse)
def report_page(release_id: str, request: Request, user: PortalUser) -> HTMLResponse:
    lang = _lang(request)
    with request.app.state.db.session() as s:
        release = actions.get_release(s, user.actor, release_id)
        context = _report_context(request, s, user, release)
        context["readership"] = readership_context(request, s, release.id)
        return html(
            request,
            "portal/report.html",
            r=release,
            state_label=pages.label(STATE_LABELS, release.state, lang),
            first_published=pages.when(release.first_published_at, lang),
            **context,
        )


@router.get("/releases/{release_id}/report.csv", response_model=None)
def report_csv(release_id: str, request: Request, user: PortalUser) -> Response:
    """Every delivery of the release, one row each (streamed: a release may reach millions)."""
    db = request.app.state.db
    full = user.actor.is_desk
    with db.session() as s:
        actions.get_release(s, user.actor, release_id)

    def chunks() -> Iterator[str]:
        with db.session() as s:
            yield from deliveries.csv_chunks(deliveries.rows(s, release_id, full=full))

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="report-{release_id}.csv"',
            "Cache-Control": "no-store",
        },
    )
