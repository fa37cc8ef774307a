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

import difflib
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.actions import editions as translations
from newswire.actions import releases as actions
from newswire.domain.errors import NewswireError
from newswire.domain.lifecycle import Action, State
from newswire.domain.release import ReleaseContent, Section, content_from_json
from newswire.intake.validate import validate_release
from newswire.render.html import section_label
from newswire.store.models import Edition, Release
from newswire.web import pages
from newswire.web.session import DeskUser, check_csrf, html, interface_language

router = APIRouter(prefix="/desk", include_in_schema=False)

N_ = i18n.N_
DONE = {
    "approved": N_("Approved: the release is scheduled (or embargoed) for publication."),
    "rejected": N_("Rejected. The issuer sees the reason."),
    "changes": N_("Changes requested. The issuer sees the reason."),
    "placed": N_("Sections saved."),
    "retracted": N_("Retracted: the retraction goes to everyone who received the release."),
    "corrected": N_("Corrected: the correction goes to everyone who received the release."),
    "edited": N_("Translation saved."),
    "edition-approved": N_("Translation approved for distribution."),
}
"""The flash message after each action (``?done=``), translated where it is shown."""

STATES = {
    State.DRAFT: N_("draft"),
    State.SUBMITTED: N_("submitted"),
    State.CHANGES_REQUESTED: N_("changes requested"),
    State.APPROVED: N_("approved"),
    State.REJECTED: N_("rejected"),
    State.SCHEDULED: N_("scheduled"),
    State.EMBARGOED: N_("embargoed"),
    State.PUBLISHED: N_("published"),
    State.CORRECTED: N_("corrected"),
    State.RETRACTED: N_("retracted"),
    State.WITHDRAWN: N_("withdrawn"),
}
ACTIONS: dict[str, str] = {  # what happened, in the history: "approved by editor@… → scheduled"
    "create": N_("created"),
    "place": N_("placed in sections"),
    Action.EDIT: N_("edited"),
    Action.SUBMIT: N_("submitted"),
    Action.REQUEST_CHANGES: N_("changes requested"),
    Action.APPROVE: N_("approved"),
    Action.REJECT: N_("rejected"),
    Action.SCHEDULE: N_("scheduled"),
    Action.EMBARGO: N_("embargoed"),
    Action.PUBLISH: N_("published"),
    Action.CORRECT: N_("corrected"),
    Action.RETRACT: N_("retracted"),
    Action.WITHDRAW: N_("withdrawn"),
}
EDITION_STATUSES = {
    "pending": N_("pending"),
    "needs_review": N_("needs review"),
    "needs_translator": N_("needs a translator"),
    "approved": N_("approved"),
}
VERSION_KINDS = {
    "original": N_("original"),
    "correction": N_("correction"),
    "retraction": N_("retraction"),
}
SEVERITIES = {
    "error": N_("error"),
    "warning": N_("warning"),
    "info": N_("info"),
    "passed": N_("passed"),
}
CHECKS = {  # newswire.review.checks, by name
    "required_fields": N_("Required fields"),
    "headline_length": N_("Headline length"),
    "links": N_("Links"),
    "spam_signals": N_("Spam signals"),
    "schedule": N_("Schedule"),
    "near_duplicate": N_("Near duplicate"),
    "language_match": N_("Language match"),
    "target_languages": N_("Translations"),
}
FLAGS = {  # newswire.translate.qa, by kind
    "numbers": N_("numbers"),
    "dates": N_("dates"),
    "urls": N_("links"),
    "emails": N_("email addresses"),
    "glossary": N_("glossary"),
    "quotes": N_("quotations"),
    "sentence_count": N_("sentences"),
    "entity_missing": N_("names"),
    "missing_subject": N_("missing subject"),
    "untranslated": N_("untranslated"),
    "length_ratio": N_("length"),
    "markup": N_("markup"),
}
FIELDS = {"headline": N_("headline"), "subheadline": N_("subheadline"), "body": N_("body")}
REVIEWABLE = (State.SUBMITTED,)
PLACEABLE = (State.SUBMITTED, State.APPROVED, State.SCHEDULED, State.EMBARGOED)
LIVE = (State.PUBLISHED, State.CORRECTED)
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


TITLES = {404: N_("Not found")}
NOT_POSSIBLE = N_("Not possible")


def label(table: dict[Any, str], value: str, lang: str) -> str:
    """``value``'s label from one of the tables above, in ``lang`` (else the value, readable)."""
    message = table.get(value)
    return i18n.gettext(lang, message) if message else str(value).replace("_", " ")


def _isolated(translated: str, **params: str) -> Markup:
    """A translated message with its parameters escaped and isolated (``<bdi>``), so that a name,
    an email or a date keeps its own direction in a right-to-left interface."""
    return escape(translated).format(
        **{k: Markup("<bdi>{}</bdi>").format(v) for k, v in params.items()}
    )


def _checks(release: Release, lang: str) -> list[dict[str, Any]]:
    results = [
        {
            **r,
            "label": label(CHECKS, str(r["name"]), lang),
            "badge": "passed" if r["passed"] else str(r["severity"]),
            "badge_label": label(SEVERITIES, "passed" if r["passed"] else r["severity"], lang),
        }
        for r in (release.checks or {}).get("results", [])
    ]
    return sorted(results, key=lambda r: (r["passed"], _SEVERITY_ORDER.get(str(r["severity"]), 3)))


def _failing(release: Release, lang: str) -> list[dict[str, Any]]:
    return [r for r in _checks(release, lang) if not r["passed"] and r["severity"] != "info"]


def _submitted_at(release: Release) -> str:
    return str((release.checks or {}).get("at") or pages.utc(release.updated_at).isoformat())  # type: ignore[union-attr]


def _row(release: Release, lang: str) -> dict[str, Any]:
    return {
        "id": release.id,
        "headline": release.headline,
        "issuer": release.organization.name,
        "state": label(STATES, release.state, lang),
        "language": i18n.language_name(release.language, lang),
        "updated": pages.when(release.updated_at, lang),
        "submitted": pages.when(datetime.fromisoformat(_submitted_at(release)), lang),
        "failing": _failing(release, lang),
    }


# --- the queue -------------------------------------------------------------------------------


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
                    "status": label(EDITION_STATUSES, e.status, lang),
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
    lang = interface_language(request)
    release = actions.get_release(s, user.actor, release_id)
    content = content_from_json(release.content)
    versions = actions.versions_of(s, release.id)
    diff: list[tuple[str, str]] = []
    diff_label = ""
    if len(versions) >= 2:
        a, b = versions[-2], versions[-1]
        diff = _diff(_text_of(a.content), _text_of(b.content), f"v{a.number}", f"v{b.number}")
        diff_label = i18n.gettext(lang, "version {a} → version {b}", a=a.number, b=b.number)
    elif versions and _text_of(versions[-1].content) != _text_of(release.content):
        a = versions[-1]
        current = i18n.gettext(lang, "current")
        diff = _diff(_text_of(a.content), _text_of(release.content), f"v{a.number}", current)
        diff_label = i18n.gettext(lang, "version {a} → current text", a=a.number)
    state = State(release.state)
    checks = _checks(release, lang)
    blocking = [c for c in checks if not c["passed"] and c["severity"] == "error"]
    placed = set((release.sections or {}).get("sections", []))
    schedule = ""
    if content.embargo_until:
        when = i18n.format_datetime(content.embargo_until, lang)
        schedule = i18n.gettext(lang, "embargoed until {datetime}", datetime=when)
    elif content.publish_at:
        when = i18n.format_datetime(content.publish_at, lang)
        schedule = i18n.gettext(lang, "publish at {datetime}", datetime=when)
    return html(
        request,
        "desk/release.html",
        status=status,
        r=release,
        c=content,
        body=Markup(content.body_html),
        issuer=release.organization.name,
        state_label=label(STATES, release.state, lang),
        schedule=schedule,
        checks=checks,
        blocking=blocking,
        diff=diff,
        diff_label=diff_label,
        versions=[
            (v.number, label(VERSION_KINDS, v.kind, lang), pages.when(v.published_at, lang))
            for v in versions
        ],
        history=[
            (
                _isolated(
                    i18n.gettext(lang, "{datetime}: {action} by {who} → {state}"),
                    datetime=pages.when(t.at, lang),
                    action=label(ACTIONS, t.action, lang),
                    who=t.actor_label,
                    state=label(STATES, t.to_state, lang),
                ),
                t.reason,
            )
            for t in actions.transitions_of(s, user.actor, release.id)
        ],
        editions=[
            (
                e.language,
                i18n.language_name(e.language, lang),
                label(EDITION_STATUSES, e.status, lang),
            )
            for e in translations.editions_of(s, release.id)
        ],
        sections=[(x.value, section_label(x.value, lang), x.value in placed) for x in Section],
        top_story=release.top_story,
        can_review=state in REVIEWABLE,
        can_place=state in PLACEABLE,
        is_live=state in LIVE,
        is_public=state in (*LIVE, State.RETRACTED),
        error=error,
        done=pages.flash(request, DONE),
        form=form or {},
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
    lang = interface_language(request)
    release = actions.get_release(s, user.actor, release_id)
    edition = translations._edition(s, release.id, language)
    source = content_from_json(release.content)
    target = edition.content or {}
    flags = [
        {
            **f,
            "kind_label": label(FLAGS, str(f.get("kind", "")), lang),
            "field_label": label(FIELDS, str(f.get("field", "")), lang),
        }
        for f in (edition.flags or {}).get("flags", [])
    ]
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
        source_name=i18n.language_name(source.language, lang),
        target_name=i18n.language_name(edition.language, lang),
        flags=flags,
        status_label=label(EDITION_STATUSES, edition.status, lang),
        can_edit=edition.status in ("needs_review", "needs_translator"),
        can_approve=edition.status != "approved" and edition.status != "pending",
        error=error,
        done=pages.flash(request, DONE),
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
