"""The translators' pages (role translator; sign-in through `newswire.web.session`):

    /translate                              the queue: editions that need a translator or
                                            post-editing in the translator's languages, with the
                                            release, languages, reason, when it goes out, and
                                            whether a machine draft or a saved draft is there
    /translate/editions/{id}                one edition: the source sentences beside editable
                                            target fields (pre-filled from the draft, the
                                            translation memory and the machine draft), the
                                            terms to keep marked; save a draft or submit
    POST /translate/editions/{id}/draft     keep the text; nothing else changes
    POST /translate/editions/{id}/submit    the QA gate first: with flags, the page again with
                                            each flag beside its sentence and a confirming
                                            submit (``confirm=1``); then to the desk, or
                                            approved when the operator trusts the translator

The actions are `newswire.actions.translation_work`; an edition outside the translator's queue
is a 404 page, any other signed-in role gets a 403 page (catalog area "translator").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.actions import translation_work as work
from newswire.domain.errors import NewswireError
from newswire.domain.lifecycle import Role
from newswire.web import pages
from newswire.web.session import CurrentUser, SignedIn, check_csrf, html, interface_language
from newswire.web.translator.labels import DONE, NOT_POSSIBLE, TITLES, TRANSLATORS_ONLY
from newswire.web.translator.views import queue_row, work_page


class TranslatorOnly(Exception):
    """A signed-in user who is not a translator opened a translation page (a 403 page)."""


def translator_user(user: CurrentUser) -> SignedIn:
    if user.actor.role is not Role.TRANSLATOR:
        raise TranslatorOnly
    return user


TranslatorUser = Annotated[SignedIn, Depends(translator_user)]


def _refused(request: Request, _: TranslatorOnly) -> HTMLResponse:
    lang = interface_language(request)
    title, text = i18n.gettext(lang, TITLES[403]), i18n.gettext(lang, TRANSLATORS_ONLY)
    return pages.message(request, "translator/message.html", 403, title, text)


router = APIRouter(
    prefix="/translate",
    include_in_schema=False,
    route_class=pages.guarded_route({TranslatorOnly: _refused}),
)

Text = Annotated[str, Form()]
Sentences = Annotated[list[str] | None, Form()]


def _error_page(request: Request, exc: NewswireError) -> HTMLResponse:
    return pages.refused(request, "translator/message.html", exc, TITLES, NOT_POSSIBLE)


@router.get("", response_class=HTMLResponse)
def queue(request: Request, user: TranslatorUser) -> HTMLResponse:
    lang = interface_language(request)
    with request.app.state.db.session() as s:
        rows = [queue_row(e, r, lang) for e, r in work.queue(s, user.actor)]
        languages = work.translator_of(s, user.actor).language_list
    return html(
        request,
        "translator/queue.html",
        rows=rows,
        languages=[i18n.language_name(t, lang) for t in languages],
        done=pages.flash(request, DONE),
    )


@router.get("/editions/{edition_id}", response_class=HTMLResponse)
def edition_page(edition_id: str, request: Request, user: TranslatorUser) -> HTMLResponse:
    try:
        with request.app.state.db.session() as s:
            return work_page(request, s, user.actor, edition_id)
    except NewswireError as exc:
        return _error_page(request, exc)


def _typed(**posted: list[str] | None) -> dict[str, list[str]]:
    """The sentences posted per field (one form field per sentence, in order)."""
    return {name: list(given) for name, given in posted.items() if given is not None}


def _again(
    request: Request, user: SignedIn, edition_id: str, typed: dict[str, list[str]]
) -> Callable[..., Response]:
    """The page again with what was typed and the refusal (``status``, ``error``)."""

    def failed(*, status: int, error: str) -> Response:
        try:
            with request.app.state.db.session() as s:
                return work_page(
                    request, s, user.actor, edition_id, typed=typed, status=status, error=error
                )
        except NewswireError:  # no longer in the queue: the refusal on its own
            title = i18n.gettext(interface_language(request), TITLES.get(status, NOT_POSSIBLE))
            return pages.message(request, "translator/message.html", status, title, error)

    return failed


@router.post("/editions/{edition_id}/draft", response_model=None)
def save_draft(
    edition_id: str,
    request: Request,
    user: TranslatorUser,
    csrf_token: Text = "",
    headline: Sentences = None,
    subheadline: Sentences = None,
    body: Sentences = None,
) -> Response:
    check_csrf(request, csrf_token)
    typed = _typed(headline=headline, subheadline=subheadline, body=body)

    def run(s: Session) -> str:
        work.save_draft(s, user.actor, edition_id, typed, now=datetime.now(UTC))
        return "draft"

    back = f"/translate/editions/{edition_id}"
    return pages.act(request, run, back, _again(request, user, edition_id, typed))


def _keep_what_was_typed(
    request: Request, user: SignedIn, edition_id: str, typed: dict[str, list[str]]
) -> None:
    """A refused submission keeps the text as a draft where it can (nothing typed is lost)."""
    try:
        with request.app.state.db.session() as s:
            work.save_draft(s, user.actor, edition_id, typed, now=datetime.now(UTC))
    except NewswireError:
        pass


@router.post("/editions/{edition_id}/submit", response_model=None)
def submit(
    edition_id: str,
    request: Request,
    user: TranslatorUser,
    csrf_token: Text = "",
    confirm: Text = "",
    headline: Sentences = None,
    subheadline: Sentences = None,
    body: Sentences = None,
) -> Response:
    check_csrf(request, csrf_token)
    typed = _typed(headline=headline, subheadline=subheadline, body=body)
    failed = _again(request, user, edition_id, typed)
    try:
        with request.app.state.db.session() as s:
            result = work.submit_translation(
                s, user.actor, edition_id, typed, confirmed=confirm == "1", now=datetime.now(UTC)
            )
    except NewswireError as exc:
        _keep_what_was_typed(request, user, edition_id, typed)
        return failed(status=exc.status, error=exc.message)
    if not result.submitted:  # the QA gate's flags, shown before the final submit
        with request.app.state.db.session() as s:
            return work_page(request, s, user.actor, edition_id, typed=typed, held=result.flags)
    done = "approved" if result.approved else "submitted"
    return RedirectResponse(f"/translate?done={done}", status_code=303)
