"""Audience API: recipients, subscriptions, import/export, reach and targets; sign-up with double
opt-in; one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import EmailStr, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from newswire import i18n
from newswire.actions import releases as release_actions
from newswire.actions.actor import Actor
from newswire.audience import importing, recipients, tokens
from newswire.audience.inputs import RecipientInput, SubscriptionInput
from newswire.audience.targeting import facts_for, reach, targets
from newswire.config import Settings
from newswire.deliver import direct_mail
from newswire.domain.errors import Conflict, Forbidden, NotFound
from newswire.domain.release import content_from_json
from newswire.intake.validate import (
    CountryCode,
    LanguageTag,
    ReleaseInput,
    StrictInput,
    content_from_input,
)
from newswire.render.html import render_page
from newswire.store.db import Database
from newswire.store.models import Endpoint, Recipient, Subscription
from newswire.web.deps import DB, Config, CurrentActor
from newswire.web.errors import ERROR_ANSWERS
from newswire.web.params import Int64

router = APIRouter(prefix="/api/v1", responses=ERROR_ANSWERS, tags=["audience"])
pages = APIRouter(include_in_schema=False)
UNSUBSCRIBE = "unsubscribe"


def _desk(actor: Actor) -> None:
    if not actor.is_desk:
        raise Forbidden("recipients are managed by the wire's desk (editor or admin)")


def _recipient_out(r: Recipient, subs: list[Subscription]) -> dict[str, object]:
    return {
        "id": r.id,
        "kind": r.kind,
        "name": r.name,
        "email": r.email,
        "status": r.status,
        "accredited": r.accredited,
        "outlet": r.outlet.name if r.outlet else None,
        "languages": (r.profile or {}).get("languages", []),
        "countries": (r.profile or {}).get("countries", []),
        "consent_at": r.consent_at,
        "consent_source": r.consent_source,
        "webhook_secret": _webhook_secret(r),
        "subscriptions": [
            {"id": s.id, "name": s.name, "frequency": s.frequency, "criteria": s.criteria}
            for s in subs
            if s.active
        ],
    }


def _webhook_secret(r: Recipient) -> str | None:
    """The current signing secret of a partner's webhook (the partner needs it to verify)."""
    session = Session.object_session(r)
    if session is None:
        return None
    endpoint = session.scalar(
        select(Endpoint).where(Endpoint.recipient_id == r.id, Endpoint.channel == "webhook")
    )
    return endpoint.settings.get("secrets", [None])[0] if endpoint else None


def _subs(s: Session, recipient_id: int) -> list[Subscription]:
    return list(s.scalars(select(Subscription).where(Subscription.recipient_id == recipient_id)))


@router.post("/recipients", status_code=201)
def create_recipient(body: RecipientInput, actor: CurrentActor, db: DB) -> dict[str, object]:
    _desk(actor)
    with db.session() as s:
        recipient, _ = recipients.create_recipient(
            s, body, source=f"api by {actor.label}", confirmed=True
        )
        return _recipient_out(recipient, _subs(s, recipient.id))


@router.get("/recipients")
def list_recipients(
    actor: CurrentActor,
    db: DB,
    limit: Annotated[Int64, Query(ge=1, le=1000)] = 100,
    offset: Annotated[Int64, Query(ge=0)] = 0,
) -> list[dict[str, object]]:
    _desk(actor)
    with db.session() as s:
        rows = s.scalars(select(Recipient).order_by(Recipient.id).limit(limit).offset(offset))
        return [_recipient_out(r, _subs(s, r.id)) for r in rows]


@router.get(
    "/recipients/export",
    responses={
        200: {
            "content": {"application/json": {}, "text/csv": {}},
            "description": "the recipients, as JSON or CSV",
        }
    },
)
def export_recipients(
    actor: CurrentActor, db: DB, format: Literal["csv", "json"] = "json"
) -> Response:
    _desk(actor)
    with db.session() as s:
        if format == "csv":
            return Response(importing.export_csv(s), media_type="text/csv; charset=utf-8")
        return Response(importing.export_json(s), media_type="application/json")


@router.post("/recipients/import")
async def import_recipients(
    request: Request,
    actor: CurrentActor,
    db: DB,
    format: Literal["csv", "json"] = "csv",
    valid_only: bool = False,
) -> Response:
    """Send the file as the request body. Nothing is imported from a file with errors unless
    `valid_only` is set; the report lists every rejected row with its line and reason."""
    _desk(actor)
    raw = await request.body()

    def run() -> importing.ImportReport:
        with db.session() as s:
            return importing.import_recipients(
                s, raw, format, source=f"import by {actor.label}", valid_only=valid_only
            )

    report = await run_in_threadpool(run)
    status = 200 if report.imported or not report.problems else 422
    body = {**report.as_dict(), "error": "rows_rejected"} if status == 422 else report.as_dict()
    if status == 422:
        body["message"] = f"{len(report.rejected_lines)} row(s) rejected; nothing was imported"
    return Response(
        json.dumps(body, default=str), status_code=status, media_type="application/json"
    )


@router.get("/recipients/{recipient_id}")
def get_recipient(recipient_id: Int64, actor: CurrentActor, db: DB) -> dict[str, object]:
    _desk(actor)
    with db.session() as s:
        return _recipient_out(recipients.get_recipient(s, recipient_id), _subs(s, recipient_id))


@router.delete("/recipients/{recipient_id}", status_code=204)
def erase_recipient(recipient_id: Int64, actor: CurrentActor, db: DB) -> Response:
    _desk(actor)
    with db.session() as s:
        recipients.delete_recipient(s, recipient_id)
    return Response(status_code=204)


@router.post("/recipients/{recipient_id}/webhook-secret")
def rotate_webhook_secret(recipient_id: Int64, actor: CurrentActor, db: DB) -> dict[str, str]:
    """A new Standard Webhooks secret for a partner's endpoint; the previous one stays valid
    (requests are signed with both) until DELETE .../webhook-secret/previous."""
    _desk(actor)
    with db.session() as s:
        return {"secret": recipients.rotate_webhook_secret(s, recipient_id)}


@router.delete("/recipients/{recipient_id}/webhook-secret/previous", status_code=204)
def retire_previous_secret(recipient_id: Int64, actor: CurrentActor, db: DB) -> Response:
    _desk(actor)
    with db.session() as s:
        recipients.retire_old_secrets(s, recipient_id)
    return Response(status_code=204)


@router.post("/recipients/{recipient_id}/subscriptions", status_code=201)
def add_subscription(
    recipient_id: Int64, body: SubscriptionInput, actor: CurrentActor, db: DB
) -> dict[str, object]:
    _desk(actor)
    with db.session() as s:
        recipient = recipients.get_recipient(s, recipient_id)
        endpoint = s.scalars(select(Endpoint).where(Endpoint.recipient_id == recipient.id)).first()
        assert endpoint is not None
        sub = recipients.add_subscription(s, recipient, endpoint, body)
        return {
            "id": sub.id,
            "name": sub.name,
            "frequency": sub.frequency,
            "criteria": sub.criteria,
        }


@router.put("/subscriptions/{subscription_id}")
def replace_subscription(
    subscription_id: Int64, body: SubscriptionInput, actor: CurrentActor, db: DB
) -> dict[str, object]:
    _desk(actor)
    with db.session() as s:
        sub = recipients.replace_subscription(s, subscription_id, body)
        return {
            "id": sub.id,
            "name": sub.name,
            "frequency": sub.frequency,
            "criteria": sub.criteria,
        }


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def delete_subscription(subscription_id: Int64, actor: CurrentActor, db: DB) -> Response:
    _desk(actor)
    with db.session() as s:
        recipients.delete_subscription(s, subscription_id)
    return Response(status_code=204)


@router.post("/reach")
def reach_of_draft(
    body: ReleaseInput, actor: CurrentActor, db: DB, request: Request
) -> dict[str, object]:
    """How many outlets, journalists, terminals and partner sites a draft would reach."""
    content = content_from_input(body, now=datetime.now(UTC), allow_past=True)
    index = request.app.state.audience
    with db.session() as s:
        org = actor.organization_id or 0
        facts = facts_for(content, org, content.target_languages)
        with index.current(s) as current:
            return reach(targets(s, current, facts))


@router.get("/releases/{release_id}/reach")
def reach_of_release(
    release_id: str, actor: CurrentActor, db: DB, request: Request
) -> dict[str, object]:
    with db.session() as s:
        release = release_actions.get_release(s, actor, release_id)
        content = content_from_json(release.content)
        facts = facts_for(content, release.organization_id, content.target_languages)
        with request.app.state.audience.current(s) as current:
            return reach(targets(s, current, facts))


@router.get("/releases/{release_id}/targets")
def targets_of_release(
    release_id: str, actor: CurrentActor, db: DB, request: Request, explain: bool = True
) -> list[dict[str, object]]:
    """Who gets this release, over which endpoint, in which language, and why (desk only)."""
    _desk(actor)
    with db.session() as s:
        release = release_actions.get_release(s, actor, release_id)
        content = content_from_json(release.content)
        facts = facts_for(content, release.organization_id, content.target_languages)
        with request.app.state.audience.current(s) as current:
            found = targets(s, current, facts, explain=explain)
        return [t.as_dict() for t in found]


class SignUp(StrictInput):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    outlet: str | None = Field(default=None, max_length=200)
    languages: list[LanguageTag] = Field(default_factory=list, max_length=15)
    countries: list[CountryCode] = Field(default_factory=list, max_length=50)
    subscriptions: list[SubscriptionInput] = Field(
        default_factory=list, min_length=1, max_length=20
    )


@router.post("/signup", status_code=202)
def sign_up(body: SignUp, request: Request, db: DB, settings: Config) -> dict[str, str]:
    """A journalist signs up; nothing is sent until the emailed link is confirmed (double
    opt-in). The answer is the same whatever the address, so that nobody learns who is on the
    wire's lists: an address that already has a subscription is mailed a sign-in link instead,
    a suppressed one (unsubscribed or erased) gets nothing."""
    try:
        _sign_up_new(body, request, db, settings)
    except recipients.Suppressed:
        pass
    except Conflict:
        from newswire.web.account.sign_in import send_sign_in  # account pages import this one

        with db.session() as s:
            address = str(body.email).lower()
            existing = s.scalar(select(Recipient).where(Recipient.email == address))
            if existing is not None:
                send_sign_in(request, existing, again=True)
    return {"status": "pending", "message": "check your inbox to confirm"}


def _sign_up_new(body: SignUp, request: Request, db: Database, settings: Settings) -> None:
    """The pending recipient and its confirmation mail (Conflict if the address is taken)."""
    data = RecipientInput.model_validate(
        {
            "kind": "journalist",
            "name": body.name,
            "email": body.email,
            "languages": body.languages,
            "countries": body.countries,
            "outlet": {"name": body.outlet} if body.outlet else None,
            "subscriptions": [sub.model_dump() for sub in body.subscriptions],
        }
    )
    with db.session() as s:
        recipient, token = recipients.create_recipient(
            s, data, source="sign-up form", confirmed=False
        )
        lang = _reader_language(request, recipient)
        recipient_id = recipient.id
    mail = direct_mail.confirmation(
        settings, to=str(body.email), name=body.name, lang=lang,
        link=f"{settings.base_url}/confirm/{token}",
        unsubscribe_url=unsubscribe_url(settings, recipient_id),
    )  # fmt: skip
    direct_mail.send_mail(settings, direct_mail.compose(settings, mail))


# --- the readers' pages: confirm (double opt-in) and one-click unsubscribe ------------------
# Public pages, in the recipient's language (the first of its languages), else the browser's,
# else English; their text is in the readers' catalog (messages.po, all 15 languages).

INVALID_LINK = i18n.N_("This link is invalid or was already used.")


def _reader_language(request: Request, recipient: Recipient | None) -> str:
    """The recipient's first language, else the browser's first wire language, else English."""
    asked = list((recipient.profile or {}).get("languages") or []) if recipient else []
    asked += i18n.accepted_languages(request.headers.get("accept-language", ""))
    for tag in asked:
        found = i18n.resolve_language(tag)
        if found != i18n.DEFAULT_LANGUAGE or tag.lower().startswith(i18n.DEFAULT_LANGUAGE):
            return found
    return i18n.DEFAULT_LANGUAGE


def _reader_page(
    template: str, lang: str, settings: Settings, *, status: int = 200, **context: object
) -> HTMLResponse:
    page = render_page(template, lang=lang, wire=settings.wire_name, **context)
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})


def _invalid_link(template: str, lang: str, settings: Settings, token: str) -> HTMLResponse:
    """The confirm or unsubscribe page for a link that is not (or no longer) valid: 404."""
    return _reader_page(
        template, lang, settings, status=404, token=token, done=False,
        error=i18n.gettext(lang, INVALID_LINK),
    )  # fmt: skip


def _pending(s: Session, token: str) -> Recipient | None:
    """The recipient a confirmation token is for (looked up only: nothing changes)."""
    return s.scalar(
        select(Recipient).where(Recipient.confirm_token_hash == recipients._hash(token))
    )


@pages.get("/confirm/{token}", response_class=HTMLResponse)
def confirm_page(token: str, request: Request, db: DB, settings: Config) -> HTMLResponse:
    """Showing the page changes nothing (link scanners follow GETs); the button confirms."""
    with db.session() as s:
        recipient = _pending(s, token)
        lang = _reader_language(request, recipient)
    if recipient is None:
        return _invalid_link("confirm.html", lang, settings, token)
    return _reader_page("confirm.html", lang, settings, token=token, done=False)


@pages.post("/confirm/{token}", response_class=HTMLResponse)
def confirm(token: str, request: Request, db: DB, settings: Config) -> HTMLResponse:
    try:
        with db.session() as s:
            lang = _reader_language(request, recipients.confirm(s, token))
    except NotFound:
        lang = _reader_language(request, None)
        return _invalid_link("confirm.html", lang, settings, token)
    return _reader_page("confirm.html", lang, settings, token=token, done=True)


def unsubscribe_url(settings: Config, recipient_id: int) -> str:
    token = tokens.sign(settings.secret_key, UNSUBSCRIBE, recipient_id)
    return f"{settings.base_url}/unsubscribe/{token}"


def _unsubscribing(s: Session, settings: Settings, token: str) -> Recipient:
    recipient_id = tokens.verify(settings.secret_key, UNSUBSCRIBE, token)
    return recipients.get_recipient(s, recipient_id)


@pages.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: str, request: Request, db: DB, settings: Config) -> HTMLResponse:
    """A GET never unsubscribes (RFC 8058): it shows a page with the button that does."""
    try:
        with db.session() as s:
            lang = _reader_language(request, _unsubscribing(s, settings, token))
    except NotFound:
        lang = _reader_language(request, None)
        return _invalid_link("unsubscribe.html", lang, settings, token)
    return _reader_page("unsubscribe.html", lang, settings, token=token, done=False)


@pages.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(token: str, request: Request, db: DB, settings: Config) -> HTMLResponse:
    """One-click unsubscribe: no login, answers 200 with no redirect."""
    try:
        with db.session() as s:
            recipient = _unsubscribing(s, settings, token)
            recipients.unsubscribe(s, recipient.id, source="one-click unsubscribe")
            lang = _reader_language(request, recipient)
    except NotFound:
        lang = _reader_language(request, None)
        return _invalid_link("unsubscribe.html", lang, settings, token)
    return _reader_page("unsubscribe.html", lang, settings, token=token, done=True)
