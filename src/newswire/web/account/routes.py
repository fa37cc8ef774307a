"""The journalist's pages. Journalists are recipients (`newswire.audience`), not users: they
have no password and sign in with a one-time link sent to their address.

    /account/signup           sign-up form; POST creates the pending recipient and sends the
                              double opt-in mail (`newswire.web.api.audience.sign_up`, as the API)
    /account/login            asks for an address and mails a sign-in link (30 minutes, once)
    /account/enter/{token}    the link: a GET shows a button (mail scanners follow GETs), its
                              POST signs in (the recipient id in the signed session cookie)
    /account                  preferences: industries, regions and countries, languages,
                              keywords, digest frequency (`recipients.replace_subscription`, the
                              path of PUT /api/v1/subscriptions/{id}: the targeting index sees it)
    /account/embargoed        accredited journalists: the releases under embargo that target
                              them, each readable in full and marked "Embargoed until ..."
    /account/data             everything stored about the recipient, a JSON download
                              (/account/data.json) and "delete my data" (`delete_recipient`,
                              as DELETE /api/v1/recipients/{id})
    /account/logout           signs the journalist out (a desk user's session is kept)

Every POST carries the session's CSRF token. Whether an address has a subscription is never
revealed: sign-up and sign-in answer "check your inbox" whatever the address; an address that
already has a subscription gets a sign-in link instead of a second confirmation, a suppressed
one gets nothing. Mails go through `newswire.deliver.direct_mail` (the SMTP relay, else the mail
folder), in the language of the page they were asked for on.
"""

from __future__ import annotations

import json
import secrets
import smtplib
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from newswire import i18n
from newswire.audience import recipients
from newswire.audience.inputs import SubscriptionInput
from newswire.audience.targeting import embargoed_for
from newswire.domain.errors import NewswireError, NotFound
from newswire.store.models import (
    Endpoint,
    Recipient,
)
from newswire.web.account.beats import (
    PostedBeats,
    _chosen,
    _languages_of_reader,
    _ordered_languages,
    _problems,
    _slugs,
    _subscription,
    _subscriptions,
    query_keywords,
)
from newswire.web.account.common import (
    _EMAIL,
    FIELD_PROBLEMS,
    Text,
    _based_in,
    _Invalid,
    _lang,
    _message,
    _page,
    _to_login,
    gettext,
    journalist,
)
from newswire.web.account.sign_in import (
    SIGN_IN_MAX_AGE_S,
    _bad_link,
    _entering,
    _mail_failed,
    _mail_refused,
    send_sign_in,
)
from newswire.web.account.views import _data_page, _preferences_page, _release_view, _signup_page
from newswire.web.api.audience import SignUp, sign_up
from newswire.web.params import Int64
from newswire.web.session import (
    WebSession,
    check_csrf,
    web_session,
    write_session,
)

router = APIRouter(prefix="/account", include_in_schema=False)


@router.get("/signup", response_class=HTMLResponse)
def signup_page(request: Request) -> HTMLResponse:
    return _signup_page(request)


@router.post("/signup", response_class=HTMLResponse)
def signup(
    request: Request,
    beats: PostedBeats,
    csrf_token: Text = "",
    name: Text = "",
    email: Text = "",
    outlet: Text = "",
    based_in: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    form = {"name": name, "email": email, "outlet": outlet, "based_in": based_in}
    chosen = _ordered_languages(beats.languages, _languages_of_reader(request))
    problems: dict[str, str] = {}
    try:
        country = _based_in(request, based_in)
    except _Invalid as bad:
        country, problems = None, bad.problems
    try:
        body = SignUp.model_validate(
            {
                "name": name.strip(),
                "email": email.strip(),
                "outlet": outlet.strip() or None,
                "languages": chosen,
                "countries": [country] if country else [],
                "subscriptions": [_subscription(beats, chosen)],
            }
        )
    except ValidationError as exc:
        problems = {**_problems(request, exc), **problems}
    if problems:
        return _signup_page(request, status=422, form=form, beats=beats, problems=problems)
    refused = _mail_refused(request, str(body.email))
    if refused is not None:
        return refused
    db, settings = request.app.state.db, request.app.state.settings
    try:
        sign_up(body, request, db, settings)  # the API's: the same answer whatever the address
    except (OSError, smtplib.SMTPException):
        return _mail_failed(request)
    return _page(
        request, "account/sent.html", None, kind="signup", email=str(body.email), minutes=0
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    done = request.query_params.get("done")
    message = gettext(_lang(request), "You are signed out.") if done == "signed-out" else None
    return _page(
        request, "account/login.html", journalist(request), email="", problems={}, done=message
    )


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, csrf_token: Text = "", email: Text = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        address = str(_EMAIL.validate_python(email.strip())).lower()
    except ValidationError:
        problems = {"email": gettext(_lang(request), FIELD_PROBLEMS["email"])}
        return _page(
            request, "account/login.html", None, status=422, email=email, problems=problems
        )
    refused = _mail_refused(request, address)
    if refused is not None:
        return refused
    try:
        with request.app.state.db.session() as s:
            recipient = s.scalar(select(Recipient).where(Recipient.email == address))
            if recipient is not None:
                send_sign_in(request, recipient)
    except (OSError, smtplib.SMTPException):
        return _mail_failed(request)
    return _page(
        request, "account/sent.html", None, kind="login", email=address,
        minutes=SIGN_IN_MAX_AGE_S // 60,
    )  # fmt: skip


@router.get("/enter/{token}", response_class=HTMLResponse)
def enter_page(token: str, request: Request) -> HTMLResponse:
    """Showing the page signs nobody in (mail scanners follow links); its button does."""
    with request.app.state.db.session() as s:
        try:
            recipient = _entering(s, request.app.state.settings, token)
        except NotFound:
            return _bad_link(request)
        name = recipient.name
    return _page(request, "account/enter.html", None, token=token, name=name)


@router.post("/enter/{token}", response_model=None)
def enter(token: str, request: Request, csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    now = datetime.now(UTC)
    with request.app.state.db.session() as s:
        try:
            recipient = _entering(s, request.app.state.settings, token)
        except NotFound:
            return _bad_link(request)
        recipient.profile = {**(recipient.profile or {}), "last_sign_in": now.isoformat()}
        recipient_id = recipient.id
    current = web_session(request)
    response = RedirectResponse("/account?done=signed-in", status_code=303)
    # a new CSRF token on sign-in; a desk user signed in on this browser stays signed in
    fresh = WebSession(
        current.user_id, secrets.token_urlsafe(24), time.time(), recipient_id=recipient_id
    )
    write_session(request, response, fresh)
    return response


def _without_account(current: WebSession) -> WebSession:
    """The session signed out of the account (a new CSRF token; a desk user stays in)."""
    return WebSession(current.user_id, secrets.token_urlsafe(24), current.issued)


@router.post("/logout", response_model=None)
def logout(request: Request, csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    current = web_session(request)
    response = RedirectResponse("/account/login?done=signed-out", status_code=303)
    write_session(
        request, response, WebSession(current.user_id, secrets.token_urlsafe(24), current.issued)
    )
    return response


@router.get("", response_class=HTMLResponse)
def preferences_page(request: Request, subscription: Int64 | None = None) -> Response:
    who = journalist(request)
    if who is None:
        return _to_login()
    return _preferences_page(request, who, subscription)


@router.post("", response_model=None)
def save_preferences(
    request: Request,
    beats: PostedBeats,
    csrf_token: Text = "",
    subscription_id: Text = "",
    based_in: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    who = journalist(request)
    if who is None:
        return _to_login()
    wanted = int(subscription_id) if subscription_id.isdigit() else None
    again = {"beats": beats}
    try:
        with request.app.state.db.session() as s:
            recipient = recipients.get_recipient(s, who.id)
            sub = _chosen(_subscriptions(s, who.id), wanted)
            criteria = sub.criteria if sub else {}
            old_query = criteria.get("query")
            query = old_query if beats.keywords.strip() == query_keywords(old_query) else None
            profile = recipient.profile or {}
            chosen = _ordered_languages(beats.languages, list(profile.get("languages") or []))
            try:
                data = SubscriptionInput.model_validate(
                    _subscription(
                        beats,
                        chosen,
                        query,
                        name=sub.name if sub else "Default",
                        issuers=_slugs(s, criteria.get("issuers", [])),
                        exclude_industries=criteria.get("exclude_industries", []),
                        exclude_regions=criteria.get("exclude_regions", []),
                        exclude_issuers=_slugs(s, criteria.get("exclude_issuers", [])),
                    )
                )
            except ValidationError as exc:
                raise _Invalid(_problems(request, exc)) from None
            country = _based_in(request, based_in)
            if sub is not None:  # the path of PUT /api/v1/subscriptions/{id}
                recipients.replace_subscription(s, sub.id, data)
            else:  # the path of POST /api/v1/recipients/{id}/subscriptions
                endpoint = s.scalar(
                    select(Endpoint).where(Endpoint.recipient_id == who.id).order_by(Endpoint.id)
                )
                if endpoint is None:
                    raise NotFound("this subscription has no address to send to")
                sub = recipients.add_subscription(s, recipient, endpoint, data)
            recipient.profile = {
                **profile,
                "languages": chosen,
                "countries": [country] if country else [],
            }
            recipient.updated_at = datetime.now(UTC)
            sub_id = sub.id
    except _Invalid as bad:
        return _preferences_page(
            request, who, wanted, status=422, problems=bad.problems, based_in=based_in, **again
        )
    except NewswireError as exc:
        return _preferences_page(
            request, who, wanted, status=exc.status, error=exc.message, based_in=based_in, **again
        )
    return RedirectResponse(f"/account?done=saved&subscription={sub_id}", status_code=303)


@router.get("/embargoed", response_class=HTMLResponse)
def embargoed_page(request: Request) -> Response:
    who = journalist(request)
    if who is None:
        return _to_login()
    releases: list[dict[str, Any]] = []
    if who.accredited:
        with request.app.state.db.session() as s:
            found = embargoed_for(s, request.app.state.audience, who.id, now=datetime.now(UTC))
            releases = [_release_view(_lang(request), r, c) for r, c in found]
    return _page(request, "account/embargoed.html", who, releases=releases)


@router.get("/embargoed/{release_id}", response_class=HTMLResponse)
def embargoed_release(release_id: str, request: Request) -> Response:
    who = journalist(request)
    if who is None:
        return _to_login()
    if not who.accredited:
        return _page(request, "account/embargoed.html", who, status=403, releases=[])
    with request.app.state.db.session() as s:
        found = embargoed_for(
            s, request.app.state.audience, who.id, now=datetime.now(UTC), only=release_id
        )
        if not found:
            message = gettext(
                _lang(request), "There is no release under embargo for you at this address."
            )
            return _message(request, who, 404, i18n.N_("Not found"), message)
        view = _release_view(_lang(request), *found[0])
    return _page(request, "account/embargoed_release.html", who, r=view)


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request) -> Response:
    who = journalist(request)
    if who is None:
        return _to_login()
    return _data_page(request, who)


@router.get("/data.json", response_model=None)
def data_download(request: Request) -> Response:
    who = journalist(request)
    if who is None:
        return _to_login()
    with request.app.state.db.session() as s:
        data = recipients.stored_data(s, who.id)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="newswire-data-{who.id}.json"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/data/delete", response_model=None)
def delete_data(request: Request, csrf_token: Text = "", confirm: Text = "") -> Response:
    check_csrf(request, csrf_token)
    who = journalist(request)
    if who is None:
        return _to_login()
    if confirm != "yes":
        problems = {"confirm": gettext(_lang(request), FIELD_PROBLEMS["confirm"])}
        return _data_page(request, who, status=422, problems=problems)
    with request.app.state.db.session() as s:
        recipients.delete_recipient(s, who.id)  # as DELETE /api/v1/recipients/{id}
    current = web_session(request)
    response = RedirectResponse("/account/deleted", status_code=303)
    write_session(
        request, response, WebSession(current.user_id, secrets.token_urlsafe(24), current.issued)
    )
    return response


@router.get("/deleted", response_class=HTMLResponse)
def deleted_page(request: Request) -> HTMLResponse:
    return _page(request, "account/deleted.html", None)
