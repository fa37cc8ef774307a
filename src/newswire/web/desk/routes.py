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
`newswire.actions.releases` / `newswire.actions.editions` in one transaction, and redirects
back (303). A refused action shows its message on the page with the action's status (never 500).

The pages speak the interface language (`session.interface_language`): labels are translated
here or in the templates (catalog area "desk"), dates are formatted for the language; messages
from the domain (a refused transition, a failed check) stay English.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.actions import editions as translations
from newswire.actions import releases as actions
from newswire.domain.errors import NewswireError
from newswire.domain.release import ReleaseContent, content_from_json
from newswire.intake.validate import validate_release
from newswire.store.models import Edition, Release
from newswire.web import pages
from newswire.web.desk.labels import EDITION_STATUSES, NOT_POSSIBLE, TITLES
from newswire.web.desk.views import (
    LIVE,
    PLACEABLE,
    REVIEWABLE,
    _edition_page,
    _release_page,
    _row,
    _submitted_at,
)
from newswire.web.session import DeskUser, check_csrf, html, interface_language

router = APIRouter(prefix="/desk", include_in_schema=False)


"""The flash message after each action (``?done=``), translated where it is shown."""


@router.get("", response_class=HTMLResponse)
def queue(request: Request, user: DeskUser) -> HTMLResponse:
    actor, lang = user.actor, interface_language(request)
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
            submitted=[_row(r, lang) for r in submitted],
            waiting=[_row(r, lang) for r in waiting],
            live=[_row(r, lang) for r in live],
            editions=[
                {
                    "release_id": r.id,
                    "headline": r.headline,
                    "language": e.language,
                    "language_name": i18n.language_name(e.language, lang),
                    "status": pages.label(EDITION_STATUSES, e.status, lang),
                    "flags": len((e.flags or {}).get("flags", [])),
                    "translated_by": e.translated_by,
                }
                for e, r in review
            ],
        )


def _error_page(request: Request, exc: NewswireError) -> HTMLResponse:
    return pages.refused(request, "desk/message.html", exc, TITLES, NOT_POSSIBLE)


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

    def failed(**refusal: Any) -> HTMLResponse:
        try:
            with request.app.state.db.session() as s:
                if "/editions/" in back:
                    language = back.rsplit("/", 1)[1]
                    return _edition_page(
                        request, s, user, release_id, language, form=form, **refusal
                    )
                return _release_page(request, s, user, release_id, form=form, **refusal)
        except NewswireError as again:
            return _error_page(request, again)

    return pages.act(request, run, back, failed, done=done)


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


def _corrected(
    content: ReleaseContent,
    *,
    headline: str | None,
    subheadline: str | None,
    body: str | None,
    now: datetime,
) -> ReleaseContent:
    """The release with the editor's headline, summary (subheadline) and body, validated as the
    API validates a correction (``POST /api/v1/releases/{id}/corrections``); a field not sent
    stays as it is. Raises InvalidRelease naming each bad field."""
    data = content.to_json()
    data["body"] = data.pop("body_markdown")
    del data["body_html"]
    if headline is not None:
        data["headline"] = headline
    if subheadline is not None:
        data["subheadline"] = subheadline
    if body is not None:
        data["body"] = body.replace("\r\n", "\n")
    return validate_release(data, now=now, allow_past=True)


@router.post("/releases/{release_id}/correct", response_model=None)
def correct(
    release_id: str,
    request: Request,
    user: DeskUser,
    csrf_token: Text = "",
    headline: Annotated[str | None, Form()] = None,
    subheadline: Annotated[str | None, Form()] = None,
    body: Annotated[str | None, Form()] = None,
    reason: Text = "",
) -> Response:
    """A correction of the headline, summary and body, with a reason: a new version that goes to
    everyone who received the release (`actions.correct`, as the API's corrections)."""
    check_csrf(request, csrf_token)
    settings, lang = request.app.state.settings, interface_language(request)

    def run(s: Session) -> None:
        now = datetime.now(UTC)
        current = content_from_json(actions.get_release(s, user.actor, release_id).content)
        corrected = _corrected(
            current, headline=headline, subheadline=subheadline, body=body, now=now
        )
        fields = ("headline", "subheadline", "body_markdown")
        if all(getattr(corrected, f) == getattr(current, f) for f in fields):
            raise _Invalid(
                i18n.gettext(
                    lang, "Nothing was changed: correct the headline, the summary or the body."
                )
            )
        actions.correct(s, settings, user.actor, release_id, corrected, reason, now=now)

    form = {
        "correct_headline": headline,
        "correct_subheadline": subheadline,
        "correct_body": body,
        "correct_reason": reason,
    }
    return _act(
        request, user, release_id, "corrected", run,
        form={k: v for k, v in form.items() if v is not None},
    )  # fmt: skip


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
    lang = interface_language(request)
    changes = {
        "headline": headline.strip(),
        "subheadline": subheadline.strip(),
        "body": body.replace("\r\n", "\n").strip(),
    }

    def run(s: Session) -> None:
        actions.get_release(s, user.actor, release_id)
        if not changes["headline"] or not changes["body"]:
            raise _Invalid(i18n.gettext(lang, "A translation needs a headline and a body."))
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
