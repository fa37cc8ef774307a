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

from collections import defaultdict
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
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from newswire import i18n, taxonomy
from newswire.actions import editions as translations
from newswire.actions import releases as actions
from newswire.actions.accounts import get_organization_or_none
from newswire.audience.targeting import facts_for, reach, targets
from newswire.deliver import outbox
from newswire.domain.errors import FieldError, InvalidRelease, NewswireError
from newswire.domain.lifecycle import Action, Role, State, allowed_actions
from newswire.domain.release import content_from_json
from newswire.i18n import N_
from newswire.intake.markdown import markdown_to_html, sanitize_html
from newswire.intake.validate import MAX_BODY_CHARS
from newswire.render import charts
from newswire.render.html import render_page
from newswire.report import deliveries
from newswire.store.models import Organization, Release
from newswire.web import pages
from newswire.web.portal import form as composing
from newswire.web.session import CurrentUser, SignedIn, check_csrf, html, interface_language

# --- messages ------------------------------------------------------------------------------------

STATE_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted for review"),
    "changes_requested": N_("Changes requested"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected by the desk"),
    "scheduled": N_("Scheduled"),
    "embargoed": N_("Embargoed"),
    "published": N_("Published"),
    "corrected": N_("Corrected"),
    "retracted": N_("Retracted"),
    "withdrawn": N_("Withdrawn"),
}
ACTION_LABELS = {
    "create": N_("Draft created"),
    "edit": N_("Edited"),
    "submit": N_("Submitted for review"),
    "request_changes": N_("Changes requested"),
    "approve": N_("Approved"),
    "reject": N_("Rejected by the desk"),
    "schedule": N_("Scheduled for publication"),
    "embargo": N_("Held until the embargo lifts"),
    "publish": N_("Published"),
    "correct": N_("Corrected"),
    "retract": N_("Retracted"),
    "withdraw": N_("Withdrawn"),
    "place": N_("Placed in sections"),
}
ROLE_LABELS = {
    "issuer": N_("issuer"),
    "editor": N_("editor"),
    "admin": N_("administrator"),
    "system": N_("automatic"),
}
EDITION_LABELS = {
    "pending": N_("Waiting for translation"),
    "needs_review": N_("Waiting for the desk's review"),
    "needs_translator": N_("Waiting for a human translator"),
    "approved": N_("Approved for distribution"),
}
CHANNEL_LABELS = {
    "email": N_("Email"),
    "webhook": N_("Webhook"),
    "stream": N_("Terminal stream"),
    "websub": N_("WebSub"),
}
DELIVERY_LABELS = {
    "delivered": N_("Delivered"),
    "pending": N_("Pending"),
    "failed": N_("Failed"),
    "dead": N_("Dead-lettered"),
}
DONE = {
    "saved": N_("Draft saved."),
    "submitted": N_(
        "Submitted for review. The desk checks it and approves it or asks for changes."
    ),
    "withdrawn": N_("Withdrawn. It will not be published."),
}
FIELD_LABELS = {
    "organization": N_("Organization"),
    "headline": N_("Headline"),
    "subheadline": N_("Subheadline"),
    "language": N_("Language of the release"),
    "dateline": N_("Dateline"),
    "dateline.city": N_("Dateline city"),
    "dateline.country": N_("Dateline country"),
    "dateline.date": N_("Dateline date"),
    "body": N_("Body"),
    "body_format": N_("Body"),
    "boilerplate": N_("About the issuer (boilerplate)"),
    "contacts": N_("Press contact"),
    "attachments": N_("Image or file"),
    "industries": N_("Industries"),
    "regions": N_("Regions and countries"),
    "keywords": N_("Keywords"),
    "tickers": N_("Stock tickers"),
    "target_languages": N_("Translations"),
    "allow_machine_translation": N_("Machine translation"),
    "publish_at": N_("Publication time"),
    "embargo_until": N_("Publication time"),
    "timezone": N_("Time zone"),
    "release": N_("Release"),
}
PART_LABELS = {
    "name": N_("Name"),
    "organization": N_("Organization"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "role": N_("Job title"),
    "url": N_("Address (URL)"),
    "alt": N_("Text alternative"),
    "caption": N_("Caption"),
    "media_type": N_("Type"),
}
SEVERITY_LABELS = {"error": N_("Blocking"), "warning": N_("Warning")}
KIND_LABELS = {
    "original": N_("Original"),
    "correction": N_("Correction"),
    "retraction": N_("Retraction"),
}
UNKNOWN = N_("Unknown")

# --- constants -----------------------------------------------------------------------------------

EDITABLE = (State.DRAFT, State.CHANGES_REQUESTED)
PUBLIC = (State.PUBLISHED, State.CORRECTED, State.RETRACTED)
STATE_COLORS = {
    "delivered": "#1d6b35",
    "pending": "#a86b00",
    "failed": "#8a1c1c",
    "dead": "#4a4f57",
}
CHANNEL_COLORS = {
    "email": "#0b5cad", "webhook": "#7a3e9d", "stream": "#1d6b35", "websub": "#a84f00",
}  # fmt: skip
PAGE_SIZE = 100
TABLE_ROWS = 50
CSV_COLUMNS = deliveries.COLUMNS


# --- who may open the portal ---------------------------------------------------------------------


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


def _lang(request: Request) -> str:
    return interface_language(request)


def _t(request: Request) -> Callable[..., str]:
    lang = _lang(request)
    return lambda message, **params: i18n.gettext(lang, message, **params)


def _message(
    request: Request, status: int, title: str, message: str, back: str | None = None
) -> HTMLResponse:
    return pages.message(request, "portal/message.html", status, title, message, back=back)


TITLES = {404: N_("Not found"), 403: N_("Not allowed")}
NOT_POSSIBLE = N_("Not possible")


def _refused(request: Request, exc: NewswireError) -> HTMLResponse:
    return pages.refused(request, "portal/message.html", exc, TITLES, NOT_POSSIBLE, back="/portal")


# --- small helpers -------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str:
    value = pages.utc(value)
    return value.isoformat(timespec="milliseconds") if value else ""


def _label(labels: Mapping[str, str], key: str, lang: str) -> str:
    return i18n.gettext(lang, labels[key]) if key in labels else key.replace("_", " ")


def _region_label(code: str, lang: str) -> str:
    try:
        return taxonomy.region_name(code, lang)
    except ValueError:
        return i18n.gettext(lang, UNKNOWN) if code == "unknown" else code


def _language_label(tag: str, lang: str) -> str:
    return i18n.gettext(lang, UNKNOWN) if tag == "unknown" else i18n.language_name(tag, lang)


def _is_admin(user: SignedIn) -> bool:
    return user.actor.role is Role.ADMIN


# --- the list ------------------------------------------------------------------------------------


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


def _done(request: Request) -> str | None:
    return pages.flash(request, DONE)


def _list_row(r: Release, user: SignedIn, lang: str) -> dict[str, Any]:
    state = State(r.state)
    goes_out = r.first_published_at or r.release_time
    return {
        "id": r.id,
        "headline": r.headline,
        "language": r.language,
        "organization": r.organization.name,
        "state": r.state,
        "state_label": _label(STATE_LABELS, r.state, lang),
        "updated": pages.when(r.updated_at, lang),
        "updated_iso": _iso(r.updated_at),
        "goes_out": pages.when(goes_out, lang) if state not in (State.DRAFT,) else "",
        "goes_out_iso": _iso(goes_out),
        "editable": _may(state, user, Action.EDIT),
        "reported": r.current_version > 0,
    }


def _may(state: State, user: SignedIn, action: Action) -> bool:
    return action in allowed_actions(state, user.actor.role)


# --- compose: the form's values ------------------------------------------------------------------


# --- compose: errors next to their fields --------------------------------------------------------


def _field_label(field: str, lang: str) -> str:
    parts = field.split(".")
    if parts[0] in ("contacts", "attachments") and len(parts) > 1 and parts[1].isdigit():
        base = i18n.gettext(lang, FIELD_LABELS[parts[0]]) + f" {int(parts[1]) + 1}"
        if len(parts) > 2 and parts[2] in PART_LABELS:
            return f"{base}: {i18n.gettext(lang, PART_LABELS[parts[2]])}"
        return base
    for key in (".".join(parts[:2]), parts[0]):
        if key in FIELD_LABELS:
            return i18n.gettext(lang, FIELD_LABELS[key])
    return field


def _errors(errors: list[FieldError], lang: str) -> tuple[dict[str, list[str]], list[dict]]:
    by_slot: defaultdict[str, list[str]] = defaultdict(list)
    summary = []
    for e in sorted(errors, key=composing.position):
        slot = composing.slot(e.field)
        by_slot[slot].append(e.message)
        summary.append(
            {
                "anchor": composing.anchor(slot),
                "label": _field_label(e.field, lang),
                "field": e.field,
                "message": e.message,
            }
        )
    return dict(by_slot), summary


# --- compose: the page ---------------------------------------------------------------------------


def _organizations(s: Session) -> list[tuple[str, str]]:
    rows = s.scalars(
        select(Organization).where(Organization.kind == "issuer").order_by(Organization.name)
    )
    return [(o.slug, o.name) for o in rows]


def _compose(
    request: Request,
    user: SignedIn,
    values: Mapping[str, Any],
    *,
    release: Release | None = None,
    status: int = 200,
    errors: list[FieldError] | None = None,
    preview: str | None = None,
    estimate: dict[str, Any] | None = None,
    error: str | None = None,
) -> HTMLResponse:
    lang = _lang(request)
    by_slot, summary = _errors(errors or [], lang)
    contacts, attachments = composing.rows_to_show(values)
    organizations: list[tuple[str, str]] = []
    if _is_admin(user) and release is None:
        with request.app.state.db.session() as s:
            organizations = _organizations(s)
    languages = [(tag, i18n.language_name(tag, lang)) for tag in taxonomy.LANGUAGES]
    return html(
        request,
        "portal/compose.html",
        status=status,
        release=release,
        action=f"/portal/releases/{release.id}/edit" if release else "/portal/releases",
        v=values,
        chosen_industries=set(values["industries"]),
        chosen_regions={str(r).upper() for r in values["regions"]},
        countries_chosen=bool(
            {str(r).upper() for r in values["regions"]} - set(taxonomy.REGION_GROUPS)
        ),
        chosen_targets=set(values["target_languages"]),
        contacts=contacts,
        attachments=attachments,
        errors=by_slot,
        summary=summary,
        industry_tree=taxonomy.industry_tree(lang),
        region_groups=[(g, taxonomy.region_name(g, lang)) for g in sorted(taxonomy.REGION_GROUPS)],
        countries=taxonomy.countries_by_name(lang),
        languages=languages,
        timezones=composing.timezones(values["timezone"]),
        media_types=composing.MEDIA_TYPES,
        organizations=organizations,
        preview=Markup(preview) if preview is not None else None,
        estimate=estimate,
        error=error,
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


def _shown(
    request: Request, user: SignedIn, values: Mapping[str, Any], release: Release | None
) -> dict[str, Any]:
    """The server-side preview and reach estimate (the page without JavaScript shows these)."""
    body = values["body"][:MAX_BODY_CHARS]
    preview = sanitize_html(body) if values["body_format"] == "html" else markdown_to_html(body)
    with request.app.state.db.session() as s:
        estimate = _estimate(request, s, user, values, release)
    return {"preview": preview, "estimate": estimate}


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
        state=_label(STATE_LABELS, release.state, lang),
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


# --- live preview and reach estimate -------------------------------------------------------------


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


def _estimate(
    request: Request,
    s: Session,
    user: SignedIn,
    values: Mapping[str, Any],
    release: Release | None,
) -> dict[str, Any]:
    """The reach of the form's choices (`newswire.audience.targeting.reach`), labelled."""
    lang = _lang(request)
    content = composing.reach_content(values)
    organization_id = user.actor.organization_id or 0
    if release is not None:
        organization_id = release.organization_id
    elif _is_admin(user):
        org = (
            get_organization_or_none(s, values["organization"]) if values["organization"] else None
        )
        organization_id = org.id if org else 0
    facts = facts_for(content, organization_id, content.target_languages)
    with request.app.state.audience.current(s) as current:
        found = reach(targets(s, current, facts))
    return {
        **found,
        "channels": [(_label(CHANNEL_LABELS, k, lang), n) for k, n in found["by_channel"].items()],
        "languages": [(_language_label(k, lang), n) for k, n in found["by_language"].items()],
        "countries": [(_region_label(k, lang), n) for k, n in found["by_country"].items()][:10],
    }


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


# --- one release ---------------------------------------------------------------------------------


def _release_page(
    request: Request,
    s: Session,
    user: SignedIn,
    release_id: str,
    *,
    status: int = 200,
    error: str | None = None,
    form: Mapping[str, str] | None = None,
) -> HTMLResponse:
    lang = _lang(request)
    release = actions.get_release(s, user.actor, release_id)
    content = content_from_json(release.content)
    state = State(release.state)
    history = actions.transitions_of(s, user.actor, release.id)
    timeline = [
        {
            "at": pages.when(t.at, lang),
            "at_iso": _iso(t.at),
            "action": t.action,
            "label": _label(ACTION_LABELS, t.action, lang),
            "who": t.actor_label,
            "role": _label(ROLE_LABELS, t.role, lang),
            "from_state": _label(STATE_LABELS, t.from_state, lang),
            "to_state": _label(STATE_LABELS, t.to_state, lang),
            "moved": t.from_state != t.to_state,
            "reason": t.reason,
        }
        for t in history
    ]
    desk_reason = None
    if state in (State.CHANGES_REQUESTED, State.REJECTED, State.WITHDRAWN):
        wanted = {
            State.CHANGES_REQUESTED: "request_changes",
            State.REJECTED: "reject",
            State.WITHDRAWN: "withdraw",
        }[state]
        last = next((t for t in reversed(history) if t.action == wanted), None)
        if last is not None:
            desk_reason = {"kind": wanted, "reason": last.reason, "who": last.actor_label}
    editions = [
        {
            "language": e.language,
            "name": i18n.language_name(e.language, lang),
            "status": e.status,
            "status_label": _label(EDITION_LABELS, e.status, lang),
            "machine": e.machine_translated,
            "post_edited": e.post_edited,
            "public": e.status == "approved" and state in PUBLIC,
        }
        for e in translations.editions_of(s, release.id)
    ]
    versions = [
        {"number": v.number, "kind": v.kind, "at": pages.when(v.published_at, lang)}
        for v in actions.versions_of(s, release.id)
    ]
    return html(
        request,
        "portal/release.html",
        status=status,
        r=release,
        c=content,
        body=Markup(content.body_html),
        organization=release.organization.name,
        state_label=_label(STATE_LABELS, release.state, lang),
        timeline=timeline,
        desk_reason=desk_reason,
        editions=editions,
        versions=versions,
        industries=[taxonomy.get_industry(code).label(lang) for code in content.industries],
        regions=[_region_label(code, lang) for code in content.regions],
        targets=[i18n.language_name(t, lang) for t in content.target_languages],
        language_name=i18n.language_name(content.language, lang),
        embargo=pages.when(content.embargo_until, lang),
        publish_at=pages.when(content.publish_at, lang),
        first_published=pages.when(release.first_published_at, lang),
        checks=[
            c
            for c in (release.checks or {}).get("results", [])
            if not c["passed"] and c["severity"] in SEVERITY_LABELS
        ],
        severity_labels={k: i18n.gettext(lang, v) for k, v in SEVERITY_LABELS.items()},
        kind_labels={k: i18n.gettext(lang, v) for k, v in KIND_LABELS.items()},
        can_edit=_may(state, user, Action.EDIT),
        can_submit=_may(state, user, Action.SUBMIT),
        can_withdraw=_may(state, user, Action.WITHDRAW),
        is_public=state in PUBLIC,
        has_report=release.current_version > 0,
        done=_done(request),
        error=error,
        form=form or {},
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


# --- the distribution report ---------------------------------------------------------------------


def _interval(step_s: int) -> str:
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if step_s >= size and step_s % size == 0:
            return f"{step_s // size} {unit}"
    return f"{step_s} s"


def _charts(
    _: Callable[..., str],
    states: list[charts.Series],
    channels: list[charts.Series],
    times: list[tuple[datetime, str]],
    by_country: list[tuple[str, Mapping[str, int]]],
    by_language: list[tuple[str, Mapping[str, int]]],
    failures: list[tuple[str, int]],
) -> dict[str, Markup | None]:
    buckets, step = charts.time_buckets(times)
    return {
        "time": charts.stacked_columns(
            "chart-time", _("Deliveries over time, by channel"),
            _("Deliveries completed per interval of {interval} (UTC), split by channel.",
              interval=_interval(step)),
            buckets, channels, width=560, height=260,
        ) if buckets else None,
        "country": charts.stacked_bars(
            "chart-country", _("Deliveries by country"),
            _("Deliveries per recipient country, split by state."), by_country, states,
            width=480, label_width=140,
        ) if by_country else None,
        "language": charts.stacked_bars(
            "chart-language", _("Deliveries by language"),
            _("Deliveries per language sent, split by state."), by_language, states,
            width=480, label_width=140,
        ) if by_language else None,
        "failures": charts.stacked_bars(
            "chart-failures", _("Failures by reason"),
            _("Deliveries not (yet) delivered after an attempt, by the last answer received."),
            [(reason, {"failed": n}) for reason, n in failures],
            [charts.Series("failed", _("Deliveries"), STATE_COLORS["failed"])],
            label_width=300,
        ) if failures else None,
    }  # fmt: skip


def _report_context(
    request: Request, s: Session, user: SignedIn, release: Release
) -> dict[str, Any]:
    """The figures (`newswire.deliver.outbox.report`), the deliveries one by one
    (`newswire.report.deliveries`, without personal data for an issuer) and the charts."""
    lang = _lang(request)
    _ = _t(request)  # named so that the message extractor finds what it translates
    full = user.actor.is_desk
    figures = outbox.report(s, release.id)
    states = [
        charts.Series(key, i18n.gettext(lang, DELIVERY_LABELS[key]), STATE_COLORS[key])
        for key in deliveries.STATES
    ]
    by_channel = deliveries.by_state(figures["by_channel"])
    channels = [
        charts.Series(key, _label(CHANNEL_LABELS, key, lang), CHANNEL_COLORS.get(key, "#555f6d"))
        for key in sorted(by_channel)
    ]
    by_country = [
        (_region_label(k, lang), v) for k, v in deliveries.by_state(figures["by_country"]).items()
    ]
    by_language = [
        (_language_label(k, lang), v)
        for k, v in deliveries.by_state(figures["by_language"]).items()
    ]
    failures = deliveries.failures(s, release.id, full=full)
    times = deliveries.delivered_times(s, release.id)
    table = list(deliveries.rows(s, release.id, full=full, limit=TABLE_ROWS))
    for row in table:
        row["status_label"] = _label(DELIVERY_LABELS, deliveries.state_key(row["status"]), lang)
        row["channel_label"] = _label(CHANNEL_LABELS, row["channel"], lang)
    spread = figures["first_attempt_spread_ms"]
    return {
        "figures": figures,
        "spread": f"{spread / 1000:.1f}" if spread is not None else None,
        "charts": _charts(_, states, channels, times, by_country, by_language, failures),
        "tables": [
            (
                "h-by-channel",
                _("By channel"),
                [(_label(CHANNEL_LABELS, k, lang), v) for k, v in by_channel.items()],
            ),
            ("h-by-country", _("By country"), by_country),
            ("h-by-language", _("By language"), by_language),
        ],
        "states": [(x.key, x.label) for x in states],
        "failures": failures,
        "deliveries": table,
        "more_rows": figures["targets"] > TABLE_ROWS,
        "editions": [
            {
                **e,
                "name": i18n.language_name(e["language"], lang),
                "status_label": _label(EDITION_LABELS, e["status"], lang),
            }
            for e in figures["editions"]
        ],
        "full": full,
    }


@router.get("/releases/{release_id}/report", response_class=HTMLResponse)
def report_page(release_id: str, request: Request, user: PortalUser) -> HTMLResponse:
    lang = _lang(request)
    with request.app.state.db.session() as s:
        release = actions.get_release(s, user.actor, release_id)
        context = _report_context(request, s, user, release)
        return html(
            request,
            "portal/report.html",
            r=release,
            state_label=_label(STATE_LABELS, release.state, lang),
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
