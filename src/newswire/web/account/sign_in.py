"""Sign-in by emailed link: the one-time link (30 minutes), the mail that carries it, the
throttle on sending it, and the checks on entering with it."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.audience import tokens
from newswire.config import Settings
from newswire.deliver.direct_mail import ReaderMail, compose, send_mail
from newswire.domain.errors import NotFound
from newswire.store.models import (
    Recipient,
)
from newswire.taxonomy.languages import INTERFACE_LANGUAGES
from newswire.web.account.common import _lang, _message, gettext
from newswire.web.session import (
    LoginLimiter,
)

SIGN_IN = "account-sign-in"  # the purpose of sign-in tokens (newswire.audience.tokens)


SIGN_IN_MAX_AGE_S = 30 * 60


MAILS_PER_WINDOW = 5  # sign-in mails per (address, client) within MAIL_WINDOW_S


MAIL_WINDOW_S = 15 * 60


def _mail(settings: Settings, to: str, lang: str, subject: str, paragraphs: list[str]) -> None:
    """Multipart, signed, from NEWSWIRE_MAIL_FROM; no List-Unsubscribe: the person asked for
    this link and it subscribes them to nothing (see README, "Emails")."""
    mail = ReaderMail(to=to, lang=lang, subject=subject, paragraphs=tuple(paragraphs))
    send_mail(settings, compose(settings, mail))


def _recipients_language(recipient: Recipient, fallback: str) -> str:
    """The first of the recipient's languages that the account's texts speak, else `fallback`."""
    for tag in (recipient.profile or {}).get("languages") or []:
        if (lang := i18n.resolve_language(tag)) in INTERFACE_LANGUAGES:
            return lang
    return fallback


def sign_in_link(settings: Settings, recipient: Recipient) -> str:
    token = tokens.sign_timed(
        settings.secret_key, SIGN_IN, recipient.id, bound_to=recipient.email or ""
    )
    return f"{settings.base_url}/account/enter/{token}"


def send_sign_in(request: Request, recipient: Recipient, *, again: bool = False) -> None:
    """The sign-in link; `again` when the address tried to sign up a second time. A link asked
    for on the sign-in page is in that page's language (its reader asked for it); the one a
    second sign-up sends, in the recipient's language (whoever filled in the form may not be
    the owner of the address)."""
    settings: Settings = request.app.state.settings
    wire, lang = settings.wire_name, _lang(request)
    if again:
        lang = _recipients_language(recipient, lang)
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
    paragraphs = [greeting, lead, sign_in_link(settings, recipient), ignore]
    _mail(settings, recipient.email or "", lang, subject, paragraphs)


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
