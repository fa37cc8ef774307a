"""The editorial desk's pages (editors and admins; see `newswire.web.session` for sign-in):

    /desk                                   the review queue (submitted, oldest first, with the
                                            automated checks), releases waiting to go out, recent
                                            publications and the translations to review
    /desk/releases/{id}                     one release: checks, diff against its previous
                                            version, and the forms to approve, request changes,
                                            reject, place, correct and retract
    /desk/releases/{id}/editions/{lang}     source and translation side by side with the QA
                                            flags; post-edit and approve

Every form posts to an action route that checks the CSRF token, calls the action function in
`newswire.actions.releases` / `newswire.translate.editions` in one transaction, and redirects
back (303). A refused action shows its message on the page with the action's status (never 500).
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.actions import releases as actions
from newswire.domain.errors import NewswireError
from newswire.domain.lifecycle import State
from newswire.domain.release import Section, content_from_json
from newswire.intake.markdown import markdown_to_html
from newswire.render.html import section_label
from newswire.store.models import Edition, Release
from newswire.translate import editions as translations
from newswire.web.session import DeskUser, check_csrf, html

router = APIRouter(prefix="/desk", include_in_schema=False)

DONE = {
    "approved": "Approved: the release is scheduled (or embargoed) for publication.",
    "rejected": "Rejected. The issuer sees the reason.",
    "changes": "Changes requested. The issuer sees the reason.",
    "placed": "Sections saved.",
    "retracted": "Retracted: the retraction goes to everyone who received the release.",
    "corrected": "Corrected: the correction goes to everyone who received the release.",
    "edited": "Translation saved.",
    "edition-approved": "Translation approved for distribution.",
}
REVIEWABLE = (State.SUBMITTED,)
PLACEABLE = (State.SUBMITTED, State.APPROVED, State.SCHEDULED, State.EMBARGOED)
LIVE = (State.PUBLISHED, State.CORRECTED)
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _when(value: datetime | None) -> str:
    value = _utc(value)
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _checks(release: Release) -> list[dict[str, Any]]:
    results = list((release.checks or {}).get("results", []))
    return sorted(results, key=lambda r: (r["passed"], _SEVERITY_ORDER.get(str(r["severity"]), 3)))


def _failing(release: Release) -> list[dict[str, Any]]:
    return [r for r in _checks(release) if not r["passed"] and r["severity"] != "info"]


def _submitted_at(release: Release) -> str:
    return str((release.checks or {}).get("at") or _utc(release.updated_at).isoformat())  # type: ignore[union-attr]


def _row(release: Release) -> dict[str, Any]:
    return {
        "id": release.id,
        "headline": release.headline,
        "issuer": release.organization.name,
        "state": release.state,
        "language": release.language,
        "updated": _when(release.updated_at),
        "submitted": _submitted_at(release)[:16].replace("T", " "),
        "failing": _failing(release),
    }


# --- the queue -------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def queue(request: Request, user: DeskUser) -> HTMLResponse:
    actor = user.actor
    with request.app.state.db.session() as s:
        submitted = actions.list_releases(s, actor, states=REVIEWABLE, limit=500)
        submitted.sort(key=lambda r: (_submitted_at(r), r.id))
        waiting = actions.list_releases(s, actor, states=PLACEABLE[1:], limit=100)
        live = actions.list_releases(s, actor, states=LIVE, limit=20)
        review = list(
            s.execute(
                select(Edition, Release)
                .join(Release, Release.id == Edition.release_id)
                .where(Edition.status.in_(["needs_review", "needs_translator"]))
                .order_by(Edition.updated_at, Edition.id)
                .limit(100)
            )
        )
        return html(
            request,
            "desk/queue.html",
            submitted=[_row(r) for r in submitted],
            waiting=[_row(r) for r in waiting],
            live=[_row(r) for r in live],
            editions=[
                {
                    "release_id": r.id,
                    "headline": r.headline,
                    "language": e.language,
                    "status": e.status.replace("_", " "),
                    "flags": len((e.flags or {}).get("flags", [])),
                }
                for e, r in review
            ],
        )


# --- one release -----------------------------------------------------------------------------


def _diff(before: str, after: str, label_a: str, label_b: str) -> list[tuple[str, str]]:
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), label_a, label_b, lineterm="", n=2
    )
    out = []
    for line in lines:
        kind = "ctx"
        if line.startswith(("+++", "---", "@@")):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        out.append((kind, line))
    return out


def _text_of(content: dict[str, Any]) -> str:
    parts = [content.get("headline") or "", content.get("subheadline") or ""]
    parts += [content.get("body_markdown") or content.get("body") or ""]
    return "\n\n".join(p for p in parts if p)


def _release_page(
    request: Request,
    s: Session,
    user: Any,
    release_id: str,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    release = actions.get_release(s, user.actor, release_id)
    content = content_from_json(release.content)
    versions = actions.versions_of(s, release.id)
    diff: list[tuple[str, str]] = []
    diff_label = ""
    if len(versions) >= 2:
        a, b = versions[-2], versions[-1]
        diff = _diff(_text_of(a.content), _text_of(b.content), f"v{a.number}", f"v{b.number}")
        diff_label = f"version {a.number} → version {b.number}"
    elif versions and _text_of(versions[-1].content) != _text_of(release.content):
        a = versions[-1]
        diff = _diff(_text_of(a.content), _text_of(release.content), f"v{a.number}", "current")
        diff_label = f"version {a.number} → current text"
    state = State(release.state)
    checks = _checks(release)
    blocking = [c for c in checks if not c["passed"] and c["severity"] == "error"]
    placed = set((release.sections or {}).get("sections", []))
    done = DONE.get(request.query_params.get("done", ""))
    return html(
        request,
        "desk/release.html",
        status=status,
        r=release,
        c=content,
        body=Markup(content.body_html),
        issuer=release.organization.name,
        checks=checks,
        blocking=blocking,
        diff=diff,
        diff_label=diff_label,
        versions=[(v.number, v.kind, _when(v.published_at)) for v in versions],
        history=[
            (_when(t.at), t.action.replace("_", " "), t.actor_label, t.to_state, t.reason)
            for t in actions.transitions_of(s, user.actor, release.id)
        ],
        editions=[
            (e.language, e.status.replace("_", " "))
            for e in translations.editions_of(s, release.id)
        ],
        sections=[(x.value, section_label(x.value, "en"), x.value in placed) for x in Section],
        top_story=release.top_story,
        can_review=state in REVIEWABLE,
        can_place=state in PLACEABLE,
        is_live=state in LIVE,
        is_public=state in (*LIVE, State.RETRACTED),
        error=error,
        done=done,
        form=form or {},
    )


def _error_page(request: Request, exc: NewswireError) -> HTMLResponse:
    title = "Not found" if exc.status == 404 else "Not possible"
    return html(request, "desk/message.html", status=exc.status, title=title, message=exc.message)


@router.get("/releases/{release_id}", response_class=HTMLResponse)
def release_page(release_id: str, request: Request, user: DeskUser) -> HTMLResponse:
    try:
        with request.app.state.db.session() as s:
            return _release_page(request, s, user, release_id)
    except NewswireError as exc:
        return _error_page(request, exc)


def _act(
    request: Request,
    user: Any,
    release_id: str,
    done: str,
    run: Any,
    *,
    form: dict[str, str] | None = None,
    back: str | None = None,
) -> Response:
    """Run one action in one transaction; on success back to the page, else the page with the
    message (and what was typed, so nothing is lost)."""
    back = back or f"/desk/releases/{release_id}"
    try:
        with request.app.state.db.session() as s:
            run(s)
    except NewswireError as exc:
        try:
            with request.app.state.db.session() as s:
                if "/editions/" in back:
                    language = back.rsplit("/", 1)[1]
                    return _edition_page(
                        request, s, user, release_id, language,
                        status=exc.status, error=exc.message, form=form,
                    )  # fmt: skip
                return _release_page(
                    request, s, user, release_id, status=exc.status, error=exc.message, form=form
                )
        except NewswireError as again:
            return _error_page(request, again)
    return RedirectResponse(f"{back}?done={done}", status_code=303)


Text = Annotated[str, Form()]


@router.post("/releases/{release_id}/approve", response_model=None)
def approve(
    release_id: str,
    request: Request,
    user: DeskUser,
    csrf_token: Text = "",
    override_reason: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    reason = override_reason.strip() or None
    return _act(
        request, user, release_id, "approved",
        lambda s: actions.approve(s, user.actor, release_id, override_reason=reason),
        form={"override_reason": override_reason},
    )  # fmt: skip


@router.post("/releases/{release_id}/reject", response_model=None)
def reject(
    release_id: str, request: Request, user: DeskUser, csrf_token: Text = "", reason: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    return _act(
        request, user, release_id, "rejected",
        lambda s: actions.reject(s, user.actor, release_id, reason),
        form={"reject_reason": reason},
    )  # fmt: skip


@router.post("/releases/{release_id}/request-changes", response_model=None)
def request_changes(
    release_id: str, request: Request, user: DeskUser, csrf_token: Text = "", reason: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    return _act(
        request, user, release_id, "changes",
        lambda s: actions.request_changes(s, user.actor, release_id, reason),
        form={"changes_reason": reason},
    )  # fmt: skip


@router.post("/releases/{release_id}/place", response_model=None)
def place(
    release_id: str,
    request: Request,
    user: DeskUser,
    csrf_token: Text = "",
    sections: Annotated[list[str] | None, Form()] = None,
    top_story: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    chosen = list(sections or [])
    return _act(
        request, user, release_id, "placed",
        lambda s: actions.place(
            s, user.actor, release_id, sections=chosen, top_story=bool(top_story)
        ),
    )  # fmt: skip


@router.post("/releases/{release_id}/retract", response_model=None)
def retract(
    release_id: str, request: Request, user: DeskUser, csrf_token: Text = "", reason: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    settings = request.app.state.settings
    return _act(
        request, user, release_id, "retracted",
        lambda s: actions.retract(s, settings, user.actor, release_id, reason),
        form={"retract_reason": reason},
    )  # fmt: skip


class _Invalid(NewswireError):
    status = 422
    code = "invalid_input"


@router.post("/releases/{release_id}/correct", response_model=None)
def correct(
    release_id: str,
    request: Request,
    user: DeskUser,
    csrf_token: Text = "",
    body: Text = "",
    reason: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    settings = request.app.state.settings

    def run(s: Session) -> None:
        release = actions.get_release(s, user.actor, release_id)
        content = content_from_json(release.content)
        text = body.replace("\r\n", "\n").strip()
        if not text:
            raise _Invalid("the corrected body is empty")
        if content.body_format != "markdown":
            raise _Invalid("this release's body is HTML; correct it through the API")
        corrected = replace(content, body_markdown=text, body_html=markdown_to_html(text))
        actions.correct(s, settings, user.actor, release_id, corrected, reason)

    return _act(
        request, user, release_id, "corrected", run,
        form={"correct_body": body, "correct_reason": reason},
    )  # fmt: skip


# --- editions --------------------------------------------------------------------------------


def _edition_page(
    request: Request,
    s: Session,
    user: Any,
    release_id: str,
    language: str,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    release = actions.get_release(s, user.actor, release_id)
    edition = translations._edition(s, release.id, language)
    source = content_from_json(release.content)
    target = edition.content or {}
    flags = list((edition.flags or {}).get("flags", []))
    return html(
        request,
        "desk/edition.html",
        status=status,
        r=release,
        e=edition,
        source=source,
        target_headline=form.get("headline", target.get("headline", ""))
        if form
        else target.get("headline", ""),
        target_subheadline=target.get("subheadline", ""),
        target_body=form.get("body", target.get("body", "")) if form else target.get("body", ""),
        flags=flags,
        status_label=edition.status.replace("_", " "),
        can_edit=edition.status in ("needs_review", "needs_translator"),
        can_approve=edition.status != "approved" and edition.status != "pending",
        error=error,
        done=DONE.get(request.query_params.get("done", "")),
    )


@router.get("/releases/{release_id}/editions/{language}", response_class=HTMLResponse)
def edition_page(release_id: str, language: str, request: Request, user: DeskUser) -> HTMLResponse:
    try:
        with request.app.state.db.session() as s:
            return _edition_page(request, s, user, release_id, language)
    except NewswireError as exc:
        return _error_page(request, exc)


@router.post("/releases/{release_id}/editions/{language}/edit", response_model=None)
def post_edit(
    release_id: str,
    language: str,
    request: Request,
    user: DeskUser,
    csrf_token: Text = "",
    headline: Text = "",
    subheadline: Text = "",
    body: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    changes = {
        "headline": headline.strip(),
        "subheadline": subheadline.strip(),
        "body": body.replace("\r\n", "\n").strip(),
    }

    def run(s: Session) -> None:
        actions.get_release(s, user.actor, release_id)
        if not changes["headline"] or not changes["body"]:
            raise _Invalid("a translation needs a headline and a body")
        translations.post_edit(
            s, user.actor, release_id, language,
            {k: v for k, v in changes.items() if v or k != "subheadline"},
            now=datetime.now(UTC),
        )  # fmt: skip

    back = f"/desk/releases/{release_id}/editions/{language}"
    return _act(request, user, release_id, "edited", run, form=changes, back=back)


@router.post("/releases/{release_id}/editions/{language}/approve", response_model=None)
def approve_edition(
    release_id: str, language: str, request: Request, user: DeskUser, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)

    def run(s: Session) -> None:
        actions.get_release(s, user.actor, release_id)
        translations.approve_edition(s, user.actor, release_id, language, now=datetime.now(UTC))

    back = f"/desk/releases/{release_id}/editions/{language}"
    return _act(request, user, release_id, "edition-approved", run, back=back)
