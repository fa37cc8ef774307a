"""What every page of a journalist's account shares: the catalog area and its wording, the
signed-in journalist, the page and message renderers, the form field types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import EmailStr, TypeAdapter, ValidationError

from newswire import i18n
from newswire.intake.validate import CountryCode
from newswire.store.models import (
    Recipient,
)
from newswire.web import pages
from newswire.web.session import (
    html,
    interface_language,
    web_session,
)

AREA = "account"  # the catalog area (account.po) whose wording these pages read first


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


_EMAIL = TypeAdapter(EmailStr)  # the type of the sign-up form's address (api.audience.SignUp)


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
