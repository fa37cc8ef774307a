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
import re
import secrets
import smtplib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import i18n, taxonomy
from newswire.audience import recipients, tokens
from newswire.audience.inputs import SubscriptionInput
from newswire.audience.targeting import embargoed_for
from newswire.config import Settings
from newswire.deliver.direct_mail import send_mail
from newswire.domain.errors import Conflict, NewswireError, NotFound
from newswire.domain.release import ReleaseContent
from newswire.intake.validate import CountryCode
from newswire.store.models import (
    Endpoint,
    Organization,
    Recipient,
    Release,
    Subscription,
)
from newswire.web import pages
from newswire.web.api.audience import SignUp, sign_up
from newswire.web.session import (
    LoginLimiter,
    WebSession,
    check_csrf,
    html,
    interface_language,
    web_session,
    write_session,
)

router = APIRouter(prefix="/account", include_in_schema=False)
AREA = "account"  # the catalog area (account.po) whose wording these pages read first

SIGN_IN = "account-sign-in"  # the purpose of sign-in tokens (newswire.audience.tokens)
SIGN_IN_MAX_AGE_S = 30 * 60
MAILS_PER_WINDOW = 5  # sign-in mails per (address, client) within MAIL_WINDOW_S
MAIL_WINDOW_S = 15 * 60
SHOWN_DELIVERIES = 100

DONE = {
    "saved": i18n.N_("Your preferences are saved."),
    "signed-in": i18n.N_("You are signed in."),
}
FREQUENCIES = (
    ("realtime", i18n.N_("As they are published (real time)")),
    ("digest", i18n.N_("Once a day (daily digest)")),
)
STATUS = {
    "pending": i18n.N_("Waiting for your confirmation"),
    "active": i18n.N_("Active"),
    "unsubscribed": i18n.N_("Unsubscribed"),
}
FIELD_PROBLEMS = {
    "name": i18n.N_("Enter your name (at most 200 characters)."),
    "email": i18n.N_("Enter a valid email address, like name@example.com."),
    "outlet": i18n.N_("The name of your outlet can have at most 200 characters."),
    "based_in": i18n.N_("Choose a country from the list."),
    "industries": i18n.N_("Choose industries from the list (at most 50)."),
    "regions": i18n.N_("Choose regions and countries from the list (at most 100)."),
    "languages": i18n.N_("Choose languages from the list."),
    "keywords": i18n.N_("These keywords cannot be used: {problem}"),
    "frequency": i18n.N_("Choose how often you want to receive releases."),
    "confirm": i18n.N_("Tick the box to confirm that your data should be deleted."),
}
FIELD_OF = {
    "name": "name",
    "email": "email",
    "outlet": "outlet",
    "countries": "based_in",
    "languages": "languages",
    "industries": "industries",
    "regions": "regions",
    "query": "keywords",
    "frequency": "frequency",
}
Text = Annotated[str, Form()]
Many = Annotated[list[str], Form()]
_QUOTES = str.maketrans("", "", '"“”„«»「」()（）')
_KEYWORDS_QUERY = re.compile(r'"[^"]+"(?: OR "[^"]+")*')
_EMAIL = TypeAdapter(SignUp.model_fields["email"].annotation)
_COUNTRY = TypeAdapter(CountryCode)


class _Invalid(Exception):
    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems


def _based_in(request: Request, code: str) -> str | None:
    """The country a journalist works from (optional), or _Invalid naming the field."""
    try:
        return str(_COUNTRY.validate_python(code)) if code.strip() else None
    except ValidationError:
        raise _Invalid({"based_in": gettext(_lang(request), FIELD_PROBLEMS["based_in"])}) from None


def gettext(lang: str, message: str, **params: object) -> str:
    """`i18n.gettext` with this area's wording first (the extractor finds these calls)."""
    return i18n.gettext(lang, message, area=AREA, **params)


# --- who is signed in ------------------------------------------------------------------------


@dataclass(frozen=True)
class Journalist:
    id: int
    name: str
    email: str
    status: str
    accredited: bool


def journalist(request: Request) -> Journalist | None:
    """The recipient signed in on this browser, or None. A session older than its recipient
    (the id reused after a deletion) counts for nothing."""
    session = web_session(request)
    if session.recipient_id is None:
        return None
    with request.app.state.db.session() as s:
        r = s.get(Recipient, session.recipient_id)
        created = pages.utc(r.created_at) if r is not None else None
        if r is None or created is None or created.timestamp() > session.issued + 1:
            return None
        found = Journalist(r.id, r.name, r.email or "", r.status, r.accredited)
    request.state.account = found
    return found


def _to_login() -> RedirectResponse:
    return RedirectResponse("/account/login", status_code=303)


def _lang(request: Request) -> str:
    return interface_language(request)


def _page(
    request: Request, template: str, who: Journalist | None, *, status: int = 200, **context: Any
) -> HTMLResponse:
    return html(request, template, status=status, account=who, **context)


def _message(
    request: Request, who: Journalist | None, status: int, title: str, message: str
) -> HTMLResponse:
    title = gettext(_lang(request), title)
    return pages.message(request, "account/message.html", status, title, message, account=who)


# --- the beats: industries, regions and countries, languages, keywords, frequency ---------------


@dataclass
class Beats:
    """What the forms show and send back (the same for sign-up and preferences)."""

    industries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    keywords: str = ""
    frequency: str = "realtime"


def _posted_beats(
    industries: Many = [],  # noqa: B006 (FastAPI copies form defaults)
    regions: Many = [],  # noqa: B006
    languages: Many = [],  # noqa: B006
    keywords: Text = "",
    frequency: Text = "realtime",
) -> Beats:
    """The beats as the sign-up and the preferences forms post them."""
    return Beats(industries, regions, languages, keywords, frequency)


PostedBeats = Annotated[Beats, Depends(_posted_beats)]


@cache
def _choices(request: Request) -> dict[str, Any]:
    lang = _lang(request)
    return {
        "industry_tree": taxonomy.industry_tree(lang),
        "groups": sorted(
            ((code, taxonomy.region_name(code, lang)) for code in taxonomy.REGION_GROUPS),
            key=lambda pair: pair[1].casefold(),
        ),
        "countries": taxonomy.countries_by_name(lang),
        "wire_languages": [(tag, i18n.language_name(tag, lang)) for tag in i18n.LANGUAGES],
        "frequencies": [(value, gettext(lang, label)) for value, label in FREQUENCIES],
    }


def keywords_query(text: str) -> str | None:
    """Comma-separated keywords as a keyword query: any of them, each as a phrase."""
    words = [w.translate(_QUOTES).strip() for w in re.split(r"[,;\n、，；]", text)]
    unique = list(dict.fromkeys(w for w in words if w))
    return " OR ".join(f'"{w}"' for w in unique) or None


def query_keywords(query: str | None) -> str:
    """The keywords a query made by `keywords_query` holds; another query as it is."""
    if not query:
        return ""
    if _KEYWORDS_QUERY.fullmatch(query):
        return ", ".join(re.findall(r'"([^"]+)"', query))
    return query


def _subscription(
    beats: Beats, languages: list[str], query: str | None = None, **more: object
) -> dict[str, object]:
    """The beats as a subscription (the API's input): the keywords as a query unless the
    query it was made from is kept, ``more`` (name, issuers, exclusions) as given."""
    return {
        "industries": beats.industries,
        "regions": beats.regions,
        "languages": languages,
        "query": query or keywords_query(beats.keywords),
        "frequency": beats.frequency,
        **more,
    }


def _ordered_languages(chosen: list[str], first: list[str]) -> list[str]:
    """The chosen languages, those of `first` (in its order) before the others."""
    ahead = [tag for tag in first if tag in chosen]
    return list(dict.fromkeys(ahead + chosen))


def _problems(request: Request, exc: ValidationError) -> dict[str, str]:
    """Pydantic's errors as one sentence per form field, in the interface language."""
    found: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        names = [p for p in error["loc"] if isinstance(p, str) and p != "subscriptions"]
        name = FIELD_OF.get(names[0] if names else "", "keywords")
        if name not in found:
            detail = str(error["msg"]).removeprefix("Value error, ")
            found[name] = gettext(_lang(request), FIELD_PROBLEMS[name], problem=detail)
    return found


# --- mail ------------------------------------------------------------------------------------


def _mail(settings: Settings, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = formataddr((settings.wire_name, settings.mail_from))
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    send_mail(settings, message)


def sign_in_link(settings: Settings, recipient: Recipient) -> str:
    token = tokens.sign_timed(
        settings.secret_key, SIGN_IN, recipient.id, bound_to=recipient.email or ""
    )
    return f"{settings.base_url}/account/enter/{token}"


def _send_sign_in(request: Request, recipient: Recipient, *, again: bool = False) -> None:
    """The sign-in link; `again` when the address tried to sign up a second time."""
    settings: Settings = request.app.state.settings
    wire, lang = settings.wire_name, _lang(request)
    minutes = SIGN_IN_MAX_AGE_S // 60
    if again:
        subject = gettext(lang, "Your {wire} subscription", wire=wire)
        lead = gettext(
            lang,
            "Someone, probably you, tried to sign up to {wire} with this address, which already "
            "has a subscription. To change what you receive, sign in with this link (it works "
            "once, within {minutes} minutes):",
            wire=wire,
            minutes=minutes,
        )
    else:
        subject = gettext(lang, "Sign in to {wire}", wire=wire)
        lead = gettext(
            lang,
            "Use this link to sign in to your account. It works once, within {minutes} minutes:",
            minutes=minutes,
        )
    ignore = gettext(
        lang,
        "If you did not ask for this, ignore this message: without the link, nobody can sign in.",
    )
    greeting = gettext(lang, "Hello {name},", name=recipient.name)
    body = f"{greeting}\n\n{lead}\n\n{sign_in_link(settings, recipient)}\n\n{ignore}\n"
    _mail(settings, recipient.email or "", subject, body)


def _limiter(request: Request) -> LoginLimiter:
    """Sign-in and sign-up mails per (address, client), so that nobody is flooded."""
    state = request.app.state
    if getattr(state, "account_mail_limiter", None) is None:
        state.account_mail_limiter = LoginLimiter(MAILS_PER_WINDOW, MAIL_WINDOW_S)
    return state.account_mail_limiter  # type: ignore[no-any-return]


def _mail_refused(request: Request, email: str) -> HTMLResponse | None:
    """429 when this address was mailed too often from this client; else counts this one."""
    key = (email.strip().lower(), request.client.host if request.client else "")
    limiter = _limiter(request)
    wait = limiter.blocked_for(key)
    if wait:
        minutes = max(1, round(wait / 60))
        message = gettext(
            _lang(request),
            "Too many messages were sent to this address. Try again in about {minutes} minute(s).",
            minutes=minutes,
        )
        response = _message(request, None, 429, i18n.N_("Please wait"), message)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    limiter.failed(key)
    return None


def _mail_failed(request: Request) -> HTMLResponse:
    message = gettext(
        _lang(request), "The message could not be sent just now. Try again in a few minutes."
    )
    return _message(request, None, 503, i18n.N_("Not sent"), message)


# --- sign-up ---------------------------------------------------------------------------------


def _signup_page(
    request: Request,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    beats: Beats | None = None,
    problems: dict[str, str] | None = None,
) -> HTMLResponse:
    return _page(
        request,
        "account/signup.html",
        journalist(request),
        status=status,
        form=form or {"name": "", "email": "", "outlet": "", "based_in": ""},
        beats=beats or Beats(),
        problems=problems or {},
        **_choices(request),
    )


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
    chosen = _ordered_languages(beats.languages, [_lang(request)])
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
        try:
            sign_up(body, db, settings)  # the API's sign-up: pending, confirmation mailed
        except recipients.Suppressed:
            pass  # unsubscribed or erased for good: nothing is sent, nothing is said
        except Conflict:
            with db.session() as s:
                address = str(body.email).lower()
                existing = s.scalar(select(Recipient).where(Recipient.email == address))
                if existing is not None:
                    _send_sign_in(request, existing, again=True)
    except (OSError, smtplib.SMTPException):
        return _mail_failed(request)
    return _page(
        request, "account/sent.html", None, kind="signup", email=str(body.email), minutes=0
    )


# --- sign-in by emailed link -------------------------------------------------------------------


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
                _send_sign_in(request, recipient)
    except (OSError, smtplib.SMTPException):
        return _mail_failed(request)
    return _page(
        request, "account/sent.html", None, kind="login", email=address,
        minutes=SIGN_IN_MAX_AGE_S // 60,
    )  # fmt: skip


def _last_sign_in(recipient: Recipient) -> float:
    value = (recipient.profile or {}).get("last_sign_in")
    try:
        return datetime.fromisoformat(value).timestamp() if value else 0.0
    except (TypeError, ValueError):
        return 0.0


def _entering(s: Session, settings: Settings, token: str) -> Recipient:
    """The recipient of a valid, unexpired, unused sign-in link (else NotFound)."""
    recipient_id = tokens.recipient_of(token)
    recipient = s.get(Recipient, recipient_id) if recipient_id is not None else None
    if recipient is None:
        raise NotFound("this link is invalid or has expired")
    _, issued = tokens.verify_timed(
        settings.secret_key,
        SIGN_IN,
        token,
        max_age_s=SIGN_IN_MAX_AGE_S,
        bound_to=recipient.email or "",
    )
    if issued <= _last_sign_in(recipient):
        raise NotFound("this link was already used")
    return recipient


def _bad_link(request: Request) -> HTMLResponse:
    message = gettext(
        _lang(request),
        "This sign-in link is invalid, has expired or was already used. Ask for a new one.",
    )
    return _message(request, None, 404, i18n.N_("Link not valid"), message)


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


# --- preferences -----------------------------------------------------------------------------


def _subscriptions(s: Session, recipient_id: int) -> list[Subscription]:
    return list(
        s.scalars(
            select(Subscription)
            .where(Subscription.recipient_id == recipient_id, Subscription.active.is_(True))
            .order_by(Subscription.id)
        )
    )


def _chosen(subs: list[Subscription], wanted: int | None) -> Subscription | None:
    return next((x for x in subs if x.id == wanted), subs[0] if subs else None)


def _beats_of(recipient: Recipient, sub: Subscription | None) -> Beats:
    criteria = sub.criteria if sub else {}
    return Beats(
        industries=list(criteria.get("industries", [])),
        regions=list(criteria.get("regions", [])),
        languages=list((recipient.profile or {}).get("languages") or []),
        keywords=query_keywords(criteria.get("query")),
        frequency=sub.frequency if sub else "realtime",
    )


def _preferences_page(
    request: Request,
    who: Journalist,
    wanted: int | None,
    *,
    status: int = 200,
    beats: Beats | None = None,
    based_in: str | None = None,
    problems: dict[str, str] | None = None,
    error: str | None = None,
) -> HTMLResponse:
    with request.app.state.db.session() as s:
        recipient = recipients.get_recipient(s, who.id)
        subs = _subscriptions(s, who.id)
        sub = _chosen(subs, wanted)
        countries = list((recipient.profile or {}).get("countries") or [])
        endpoint = s.scalar(
            select(Endpoint).where(Endpoint.recipient_id == who.id).order_by(Endpoint.id)
        )
        done_key = request.query_params.get("done", "")
        return _page(
            request,
            "account/preferences.html",
            who,
            status=status,
            subscriptions=[(x.id, x.name) for x in subs],
            subscription_id=sub.id if sub else None,
            beats=beats or _beats_of(recipient, sub),
            form={"based_in": based_in if based_in is not None else (countries or [""])[0]},
            channel=(endpoint.channel, endpoint.address) if endpoint else ("email", who.email),
            status_label=gettext(_lang(request), STATUS.get(recipient.status, recipient.status)),
            problems=problems or {},
            error=error,
            done=gettext(_lang(request), DONE[done_key]) if done_key in DONE else None,
            **_choices(request),
        )


@router.get("", response_class=HTMLResponse)
def preferences_page(request: Request, subscription: int | None = None) -> Response:
    who = journalist(request)
    if who is None:
        return _to_login()
    return _preferences_page(request, who, subscription)


def _slugs(s: Session, ids: list[int]) -> list[str]:
    if not ids:
        return []
    return list(s.scalars(select(Organization.slug).where(Organization.id.in_(ids))))


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


# --- embargoed releases (accredited journalists) -----------------------------------------------


def _release_view(lang: str, release: Release, content: ReleaseContent) -> dict[str, Any]:
    assert content.embargo_until is not None
    return {
        "id": release.id,
        "issuer": release.organization.name,
        "headline": content.headline,
        "subheadline": content.subheadline,
        "language": content.language,
        "language_name": i18n.language_name(content.language, lang),
        "until": i18n.format_datetime(content.embargo_until, lang),
        "until_iso": content.embargo_until.isoformat(),
        "dateline": ", ".join(
            [
                content.dateline.city,
                taxonomy.region_name(content.dateline.country, lang),
                i18n.format_date(content.dateline.date, lang),
            ]
        ),
        "body": Markup(content.body_html),  # sanitized at intake
        "boilerplate": content.boilerplate,
        "contacts": content.contacts,
    }


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


# --- your data -------------------------------------------------------------------------------


def _labels(lang: str, criteria: dict[str, Any], issuers: dict[int, str]) -> list[tuple[str, str]]:
    """A subscription's criteria as (label, values) lines in the interface language."""

    def industry(code: str) -> str:
        return taxonomy.get_industry(code).label(lang) if taxonomy.is_industry(code) else code

    def region(code: str) -> str:
        return taxonomy.region_name(code, lang) if taxonomy.is_region(code) else code

    lines = [
        ("Industries", [industry(c) for c in criteria.get("industries", [])]),
        ("Regions and countries", [region(c) for c in criteria.get("regions", [])]),
        ("Languages", [i18n.language_name(c, lang) for c in criteria.get("languages", [])]),
        ("Issuers", [issuers.get(i, str(i)) for i in criteria.get("issuers", [])]),
        ("Keywords", [criteria["query"]] if criteria.get("query") else []),
        ("Except industries", [industry(c) for c in criteria.get("exclude_industries", [])]),
        ("Except regions", [region(c) for c in criteria.get("exclude_regions", [])]),
        ("Except issuers", [issuers.get(i, str(i)) for i in criteria.get("exclude_issuers", [])]),
    ]
    return [(gettext(lang, label), ", ".join(v)) for label, v in lines if v]


LABELS = (
    i18n.N_("Industries"),
    i18n.N_("Regions and countries"),
    i18n.N_("Languages"),
    i18n.N_("Issuers"),
    i18n.N_("Keywords"),
    i18n.N_("Except industries"),
    i18n.N_("Except regions"),
    i18n.N_("Except issuers"),
)


def _profile_rows(lang: str, profile: dict[str, Any]) -> list[tuple[str, str]]:
    """The recipient's profile as (label, value) lines; unknown keys as JSON."""
    rows = []
    for key, value in profile.items():
        if key == "languages":
            shown = ", ".join(i18n.language_name(tag, lang) for tag in value)
            rows.append((gettext(lang, "Languages you read"), shown))
        elif key == "countries":
            shown = ", ".join(taxonomy.region_name(c, lang) for c in value if taxonomy.is_region(c))
            rows.append((gettext(lang, "Country you work from"), shown))
        elif key == "last_sign_in" and isinstance(value, str):
            shown = i18n.format_datetime(datetime.fromisoformat(value), lang)
            rows.append((gettext(lang, "Last sign-in"), shown))
        else:
            rows.append((key, json.dumps(value, ensure_ascii=False)))
    return [(label, shown or "–") for label, shown in rows]


def _data_page(
    request: Request, who: Journalist, *, status: int = 200, problems: dict[str, str] | None = None
) -> HTMLResponse:
    lang = _lang(request)
    with request.app.state.db.session() as s:
        data = recipients.stored_data(s, who.id)
        shown = data["deliveries"][:SHOWN_DELIVERIES]
        headlines = dict(
            s.execute(
                select(Release.id, Release.headline).where(
                    Release.id.in_({d["release_id"] for d in shown})
                )
            ).all()
        )
        ids = {
            i
            for x in data["subscriptions"]
            for i in x["criteria"].get("issuers", []) + x["criteria"].get("exclude_issuers", [])
        }
        issuers = dict(
            s.execute(
                select(Organization.id, Organization.name).where(Organization.id.in_(ids))
            ).all()
        )

    def when(iso: str | None) -> str:
        return i18n.format_datetime(datetime.fromisoformat(iso), lang) if iso else ""

    return _page(
        request,
        "account/data.html",
        who,
        status=status,
        data=data,
        subscriptions=[
            {**x, "lines": _labels(lang, x["criteria"], issuers)} for x in data["subscriptions"]
        ],
        deliveries=[{**d, "headline": headlines.get(d["release_id"], "")} for d in shown],
        profile=_profile_rows(lang, data["recipient"]["profile"]),
        status_label=gettext(_lang(request), STATUS.get(who.status, who.status)),
        frequency_labels={value: gettext(_lang(request), label) for value, label in FREQUENCIES},
        when=when,
        problems=problems or {},
    )


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
