"""Browser sessions for the desk pages: login and logout, a signed session cookie, CSRF tokens,
login rate limiting, and the Content-Security-Policy header on every HTML response.

The cookie holds `{"u": user id or null, "c": CSRF token, "t": issued at}` (and `"r"`, the
recipient id of a journalist signed in by emailed link: `newswire.web.account`), signed with
HMAC-SHA256 under `settings.secret_key`; it is HttpOnly, SameSite=Lax, and Secure when the base
URL is https. A signed-in session lasts `SESSION_MAX_AGE_S`; the user is read from the database
on every request, so a deleted user is signed out at once. Every POST of these pages carries
the session's CSRF token in a `csrf_token` form field (403 without it). Failed logins are counted
per (email, client address): `MAX_FAILURES` within `FAILURE_WINDOW_S` answer 429 until the window
passes. The counter lives in the process (one per API node in a scale-out deployment).

Mount with `session.install(app)` (middleware, error handlers and the /login and /logout routes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newswire import i18n
from newswire.actions.accounts import actor_for, check_password
from newswire.actions.actor import Actor
from newswire.config import Settings
from newswire.domain.errors import NotAuthenticated
from newswire.domain.lifecycle import Role
from newswire.render.html import render_page
from newswire.store.models import User
from newswire.taxonomy.languages import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES

COOKIE = "nw_session"
LANG_COOKIE = "nw_lang"
UI_PARAM = "ui"
SESSION_MAX_AGE_S = 12 * 3600
MAX_FAILURES = 5
FAILURE_WINDOW_S = 15 * 60
CSP = (
    "default-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'"
)
DESK_CSP = CSP + "; frame-ancestors 'none'"  # the desk is never framed (embeds may be)
PRIVATE_PREFIXES = ("/desk", "/portal", "/operator", "/translate", "/account", "/login", "/logout")
"""Signed-in areas: never framed, never cached, no referrer to other sites."""

router = APIRouter(include_in_schema=False)


# --- the signed cookie -----------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, b"session:" + body.encode(), hashlib.sha256).digest())


def sign(key: bytes, data: dict[str, Any]) -> str:
    body = _b64(json.dumps(data, separators=(",", ":")).encode())
    return f"{body}.{_mac(key, body)}"


def unsign(
    key: bytes, value: str, *, max_age_s: float = SESSION_MAX_AGE_S
) -> dict[str, Any] | None:
    body, _, mac = value.partition(".")
    if not body or not hmac.compare_digest(mac, _mac(key, body)):
        return None
    try:
        data = json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        return None
    issued = data.get("t")
    if not isinstance(issued, int | float) or time.time() - issued > max_age_s:
        return None
    return data


@dataclass
class WebSession:
    user_id: int | None
    csrf: str
    issued: float
    fresh: bool = False  # not yet in the browser: set the cookie on the response
    recipient_id: int | None = None  # a journalist's account (/account), beside any user


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def web_session(request: Request) -> WebSession:
    """The request's session (anonymous and new when the cookie is missing, forged or old)."""
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    raw = request.cookies.get(COOKIE)
    data = unsign(_settings(request).secret_key, raw) if raw else None
    if data is None:
        found = WebSession(None, secrets.token_urlsafe(24), time.time(), fresh=True)
    else:
        user_id, recipient_id = data.get("u"), data.get("r")
        found = WebSession(
            user_id if isinstance(user_id, int) else None,
            data["c"],
            data["t"],
            recipient_id=recipient_id if isinstance(recipient_id, int) else None,
        )
    request.state.web_session = found
    return found


def write_session(request: Request, response: Response, session: WebSession) -> None:
    settings = _settings(request)
    data: dict[str, Any] = {"u": session.user_id, "c": session.csrf, "t": session.issued}
    if session.recipient_id is not None:
        data["r"] = session.recipient_id
    value = sign(settings.secret_key, data)
    response.set_cookie(
        COOKIE,
        value,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
        path="/",
    )


# --- the interface language --------------------------------------------------------------------


def preferred_language(request: Request, among: tuple[str, ...]) -> str:
    """The first of ``?ui=``, the ``nw_lang`` cookie and the browser's Accept-Language that is
    one of ``among``; English when none is."""
    asked = [request.query_params.get(UI_PARAM), request.cookies.get(LANG_COOKIE)]
    asked += i18n.accepted_languages(request.headers.get("accept-language", ""))
    for tag in asked:
        if tag and (found := i18n.resolve_language(tag)) in among:
            return found
    return DEFAULT_LANGUAGE


def interface_language(request: Request) -> str:
    """The language of the signed-in pages: ``?ui=`` (remembered in a cookie), else the cookie,
    else the browser's Accept-Language; one of INTERFACE_LANGUAGES, English when none fits."""
    cached = getattr(request.state, "ui_language", None)
    if cached is None:
        cached = request.state.ui_language = preferred_language(request, INTERFACE_LANGUAGES)
    return cached  # type: ignore[no-any-return]


def remember_language(request: Request, response: Response, lang: str) -> None:
    """Keep the language chosen with ``?ui=`` in the ``nw_lang`` cookie for a year."""
    chosen = request.query_params.get(UI_PARAM)
    if chosen and i18n.resolve_language(chosen) == lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")


def _interface_choices() -> list[tuple[str, str]]:
    return [(tag, i18n.language_name(tag, tag)) for tag in INTERFACE_LANGUAGES]


def html(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a session page in the interface language: the CSRF token in the context, the
    session cookie set when it is new, the language cookie when ``?ui=`` chose one."""
    session = web_session(request)
    settings = _settings(request)
    lang = interface_language(request)
    page = render_page(
        template,
        **{
            "lang": lang,
            "wire": settings.wire_name,
            "csrf_token": session.csrf,
            "signed_in": getattr(request.state, "user", None),
            "interface_languages": _interface_choices(),
            **context,
        },
    )
    response = HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})
    if session.fresh:
        write_session(request, response, session)
    remember_language(request, response, lang)
    return response


# --- CSRF ------------------------------------------------------------------------------------


class CsrfRefused(Exception):
    pass


def check_csrf(request: Request, token: str) -> None:
    """Refuse a POST whose form token is not the session's (raises CsrfRefused, a 403 page)."""
    session = web_session(request)
    if session.fresh or not token or not hmac.compare_digest(token, session.csrf):
        raise CsrfRefused


# --- who is signed in ------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    name: str
    email: str


class LoginRequired(Exception):
    pass


class DeskOnly(Exception):
    pass


def current_user(request: Request) -> SignedIn:
    """The signed-in user, or a redirect to the login page (for page routes)."""
    session = web_session(request)
    if session.user_id is None:
        raise LoginRequired
    with request.app.state.db.session() as s:
        user = s.get(User, session.user_id)
        if user is None:
            raise LoginRequired
        found = SignedIn(actor_for(user), user.name, user.email)
    request.state.user = found
    return found


def desk_user(user: Annotated[SignedIn, Depends(current_user)]) -> SignedIn:
    """An editor or admin; anyone else is refused with a 403 page."""
    if not user.actor.is_desk:
        raise DeskOnly
    return user


CurrentUser = Annotated[SignedIn, Depends(current_user)]
DeskUser = Annotated[SignedIn, Depends(desk_user)]


# --- login rate limiting -----------------------------------------------------------------------


class LoginLimiter:
    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S):
        self.max_failures, self.window_s = max_failures, window_s
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        seen = self._failures[key]
        while seen and seen[0] <= now - self.window_s:
            seen.popleft()
        return seen

    def blocked_for(self, key: tuple[str, str], now: float | None = None) -> float:
        """Seconds until another attempt is allowed (0 when allowed now)."""
        now = time.time() if now is None else now
        with self._lock:
            seen = self._recent(key, now)
            if len(seen) < self.max_failures:
                return 0.0
            return seen[0] + self.window_s - now

    def failed(self, key: tuple[str, str], now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._failures) > 100_000:  # forget the oldest keys rather than grow forever
                for old in list(self._failures)[:10_000]:
                    del self._failures[old]

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)


def _limiter(request: Request) -> LoginLimiter:
    return request.app.state.login_limiter  # type: ignore[no-any-return]


def _safe_next(target: str | None) -> str | None:
    """Only local paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return html(request, "login.html", next=_safe_next(next) or "", email="", error=None)


@router.post("/login", response_class=HTMLResponse, response_model=None)
def login(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    key = (email.strip().lower(), request.client.host if request.client else "")
    limiter = _limiter(request)
    wait = limiter.blocked_for(key)
    context = {"next": _safe_next(next) or "", "email": email}
    lang = interface_language(request)
    if wait:
        minutes = max(1, round(wait / 60))
        if minutes == 1:
            error = i18n.gettext(lang, "Too many failed sign-ins. Try again in about a minute.")
        else:
            error = i18n.gettext(
                lang,
                "Too many failed sign-ins. Try again in about {minutes} minutes.",
                minutes=minutes,
            )
        response = html(request, "login.html", status=429, error=error, **context)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    try:
        with request.app.state.db.session() as s:
            user = check_password(s, email, password)
            user_id, actor = user.id, actor_for(user)
    except NotAuthenticated:
        limiter.failed(key)
        error = i18n.gettext(lang, "Wrong email or password.")
        return html(request, "login.html", status=401, error=error, **context)
    limiter.succeeded(key)
    homes = {Role.ISSUER: "/portal", Role.TRANSLATOR: "/translate"}
    home = "/desk" if actor.is_desk else homes.get(actor.role, "/")
    target = _safe_next(next) or home
    response = RedirectResponse(target, status_code=303)
    # a new session (and CSRF token) on sign-in: a token seen before it is worth nothing after
    write_session(request, response, WebSession(user_id, secrets.token_urlsafe(24), time.time()))
    return response


@router.post("/logout", response_model=None)
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    response = RedirectResponse("/login", status_code=303)
    write_session(request, response, WebSession(None, secrets.token_urlsafe(24), time.time()))
    return response


# --- Content-Security-Policy -------------------------------------------------------------------


class SecurityHeaders:
    """A Content-Security-Policy (and nosniff) on every HTML response; the desk and the login
    page also refuse to be framed and to be cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        private = path.startswith(PRIVATE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if (
                    content_type.startswith(b"text/html")
                    and b"content-security-policy" not in names
                ):
                    headers.append(
                        (b"content-security-policy", (DESK_CSP if private else CSP).encode())
                    )
                    if b"x-content-type-options" not in names:
                        headers.append((b"x-content-type-options", b"nosniff"))
                    if private:
                        headers.append((b"x-frame-options", b"DENY"))
                        headers.append((b"referrer-policy", b"same-origin"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    """The session layer: CSP middleware, the refusal pages, and /login and /logout."""
    app.state.login_limiter = LoginLimiter()
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(DeskOnly)
    async def desk_only(request: Request, _exc: DeskOnly) -> Response:
        lang = interface_language(request)
        message = i18n.gettext(
            lang, "The editorial desk is for editors and admins; your account cannot open it."
        )
        title = i18n.gettext(lang, "Not allowed")
        return html(request, "desk/message.html", status=403, title=title, message=message)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _exc: CsrfRefused) -> Response:
        lang = interface_language(request)
        message = i18n.gettext(
            lang,
            "This form has expired or did not come from this site. "
            "Go back, reload the page and try again.",
        )
        title = i18n.gettext(lang, "Form refused")
        return html(request, "desk/message.html", status=403, title=title, message=message)

    app.include_router(router)
