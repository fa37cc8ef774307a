"""Proof suite 2 (issue 15): the authorization matrix.

Every route of the app (API and pages) against every role, with the ids of organization A's
objects in the path: what each role must get is written in one table (EXPECTED); every cell is
exercised with a TestClient (API routes with API keys, pages with the session cookie and CSRF
token the sign-in form gives). A route the app has and the table lacks fails the test, so a new
route cannot ship without deciding who may open it.

Issuer B asks for organization A's objects: the answer must be a refusal (403 or 404) and must
not carry A's data. A revoked key and an expired session are refused everywhere that needs a
signed-in user."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from builders import World, release_payload, sqlite_url
from live_server import LiveServer
from newswire.actions import accounts
from newswire.actions.editions import translate_due
from newswire.config import Settings
from newswire.domain.lifecycle import Role
from newswire.store.db import Database
from newswire.store.models import ApiKey, Edition, Organization, User
from newswire.translate.engines import EngineRegistry
from newswire.web import session as web_session
from newswire.web.app import create_app
from web_pages import csrf, login

ROLES = (
    "anonymous",
    "issuer_a",
    "issuer_b",
    "editor",
    "admin",
    "revoked_key",
    "expired_session",
    "translator",
)
SIGNED_IN = ("issuer_a", "issuer_b", "editor", "admin", "translator")
LIVE_PORT = 19301  # this suite's own port (the brief's range)
SECRET_MARKER = "Nordlicht II"  # in org A's release body: a refusal must never carry it


# --- the classes of answer -------------------------------------------------------------------

OK = "ok"  # let in: a 2xx, a 3xx elsewhere than sign-in, or a 4xx about the input or state
SIGN_IN = "sign-in"  # a page's redirect to /login (or a journalist's to /account/login)
UNAUTH = "401"  # the API's "an API key is required" / "revoked"
FORBIDDEN = "403"
HIDDEN = "404"  # not found: not theirs to see (another organization's), or nothing there


def answer_class(response: httpx.Response) -> str:
    """The class a response falls in (see the constants above)."""
    status = response.status_code
    location = response.headers.get("location", "")
    if status in (302, 303, 307) and location.startswith(("/login", "/account/login")):
        return SIGN_IN
    if status == 401:
        return UNAUTH
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return HIDDEN
    return OK if status < 500 else f"server error {status}"


# --- the world: two organizations, their objects, and one way in per role ---------------------


@dataclass
class Matrix:
    client: TestClient
    ids: dict[str, str]  # path parameter -> organization A's object (or a value for any)
    spares: dict[tuple[str, str], dict[str, str]]  # a deleting route's own objects
    keys: dict[str, str]  # role -> API key
    cookies: dict[str, str]  # role -> the session cookie
    tokens: dict[str, str]  # role -> the session's CSRF token
    live: httpx.Client  # the same app served for real, for the streams


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


def _add_user(db: Database, email: str, role: Role, org: str, **extra: object) -> str:
    with db.session() as s:
        user = accounts.create_user(
            s, email=email, name=email.split("@")[0], role=role,
            organization=accounts.get_organization(s, org), password="correct-horse", **extra,
        )  # fmt: skip
        return accounts.create_api_key(s, name=email, user=user)[1]


def _api(client: TestClient, method: str, path: str, key: str, **kwargs: object) -> dict:  # type: ignore[type-arg]
    response = client.request(method, path, headers={"Authorization": f"Bearer {key}"}, **kwargs)
    assert response.status_code < 300, (path, response.text)
    return response.json() if response.content else {}


def _signed_in(settings: Settings, who: str) -> tuple[str, str]:
    """(cookie, CSRF token) of a fresh client signed in through the form as `who`."""
    app = create_app(settings, run_scheduler=False, migrate=False)
    with TestClient(app) as fresh:
        answer = login(fresh, who)
        assert answer.status_code == 303, who  # type: ignore[attr-defined]
        cookie = fresh.cookies[web_session.COOKIE]
        token = csrf(fresh.get("/login").text)
    return cookie, token


@pytest.fixture
def matrix(settings: Settings, db: Database, world: World) -> Iterator[Matrix]:
    translator_key = _add_user(
        db, "translator@newswire.example", Role.TRANSLATOR, "newswire-desk", languages="de"
    )
    revoked_key = _add_user(db, "revoked@acme.example", Role.ISSUER, "acme")
    with db.session() as s:
        revoked = s.query(ApiKey).filter_by(name="revoked@acme.example").one()
        accounts.revoke_api_key(s, revoked.prefix)
        org_a = s.query(Organization).filter_by(slug="acme").one().id
        user_a = s.query(User).filter_by(email="press@acme.example").one().id
        admin_id = s.query(User).filter_by(email="admin@newswire.example").one().id
        prefix = revoked.prefix
    keys = {
        "issuer_a": world.keys["issuer"],
        "issuer_b": world.keys["other_issuer"],
        "editor": world.keys["editor"],
        "admin": world.keys["admin"],
        "translator": translator_key,
        "revoked_key": revoked_key,
    }
    cookies, tokens = {}, {}
    for role, who in (
        ("issuer_a", "press@acme.example"),
        ("issuer_b", "press@globex.example"),
        ("editor", "editor"),
        ("admin", "admin"),
        ("translator", "translator@newswire.example"),
    ):
        cookies[role], tokens[role] = _signed_in(settings, who)
    # an admin's session, signed with the wire's key, but issued longer ago than a session lives
    stale = time.time() - web_session.SESSION_MAX_AGE_S - 60
    tokens["expired_session"] = "expired-csrf-token"
    cookies["expired_session"] = web_session.sign(
        settings.secret_key, {"u": admin_id, "c": tokens["expired_session"], "t": stale}
    )
    app = create_app(settings, run_scheduler=False, migrate=False)
    with (
        TestClient(app) as client,
        LiveServer(
            create_app(settings, run_scheduler=False, migrate=False), port=LIVE_PORT
        ) as server,
        httpx.Client(base_url=server.base, timeout=10) as live,
    ):
        a, b, editor = keys["issuer_a"], keys["issuer_b"], keys["editor"]
        release = _api(client, "POST", "/api/v1/releases?submit=true", a, json=release_payload())
        _api(client, "POST", "/api/v1/releases?submit=true", b, json=release_payload(
            headline="Globex opens a plant", subheadline=None, body="Globex opened a plant today in Oslo.",
            contacts=[{"name": "G", "email": "press@globex.example"}], tickers=[],
        ))  # fmt: skip
        _api(client, "POST", f"/api/v1/releases/{release['id']}/approve", editor,
             json={"override_reason": "matrix"})  # fmt: skip
        translate_due(db, EngineRegistry(), now=datetime.now(UTC))
        with db.session() as s:
            edition = s.query(Edition).filter_by(release_id=release["id"], language="de").one()
            edition_id = edition.id
        recipient = _api(client, "POST", "/api/v1/recipients", editor, json={
            "name": "Reader", "email": "reader@outlet.example",
            "webhook_url": "https://reader.example/hook",
            "subscriptions": [{"industries": ["wind-power"]}],
        })  # fmt: skip
        domain = _api(client, "POST", f"/api/v1/organizations/{org_a}/domains", a,
                      json={"domain": "acme.example"})  # fmt: skip
        ticker = _api(client, "POST", f"/api/v1/organizations/{org_a}/tickers", a,
                      json={"symbol": "XETRA:ACR"})  # fmt: skip
        # the routes that delete (or decide) get objects of their own, so the others still
        # find theirs
        spare_recipient = _api(client, "POST", "/api/v1/recipients", editor, json={
            "name": "Spare", "email": "spare@outlet.example",
        })  # fmt: skip

        def spare(kind: str, value: str) -> str:
            field = "domain" if kind == "domains" else "symbol"
            path = f"/api/v1/organizations/{org_a}/{kind}"
            return str(_api(client, "POST", path, a, json={field: value})["id"])

        ids = {
            "release_id": str(release["id"]),
            "number": "1",
            "language": "de",
            "recipient_id": str(recipient["id"]),
            "subscription_id": str(recipient["subscriptions"][0]["id"]),
            "organization_id": str(org_a),
            "domain_id": str(domain["id"]),
            "ticker_id": str(ticker["id"]),
            "delivery_id": "1",
            "name": "nothing.eml",
            "edition_id": str(edition_id),
            "user_id": str(user_a),
            "prefix": prefix,
            "token": "not-a-token",
            "issuer_slug": "acme",
            "size": "1",
            "value": "wind-power",
            "fmt": "rss",
        }
        spares = {
            ("DELETE", "/api/v1/recipients/{recipient_id}"): {
                "recipient_id": str(spare_recipient["id"])
            },
            ("DELETE", "/api/v1/organizations/{organization_id}/domains/{domain_id}"): {
                "domain_id": spare("domains", "acme-spare.example")
            },
            ("POST", "/portal/verification/domains/{domain_id}/remove"): {
                "domain_id": spare("domains", "acme-spare2.example")
            },
        }
        for n, route in enumerate((
            ("DELETE", "/api/v1/organizations/{organization_id}/tickers/{ticker_id}"),
            ("POST", "/api/v1/tickers/{ticker_id}/refuse"),
            ("POST", "/desk/tickers/{ticker_id}/confirm"),
            ("POST", "/desk/tickers/{ticker_id}/refuse"),
            ("POST", "/portal/verification/tickers/{ticker_id}/remove"),
        )):  # fmt: skip
            spares[route] = {"ticker_id": spare("tickers", f"XETRA:AC{n}")}
        yield Matrix(client, ids, spares, keys, cookies, tokens, live)


def _path(pattern: str, ids: dict[str, str]) -> str:
    path = pattern.replace(":int}", "}")
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no object id for a parameter of {pattern}"
    return path


REASON = {"reason": "the authorization matrix"}


def other_release() -> dict[str, object]:
    """A valid release that is not org A's text (what any role files anew)."""
    return release_payload(
        headline="A plant opens in Oslo",
        subheadline=None,
        body="The company opened a plant today in Oslo. It will employ 40 people.",
        tickers=[],
    )


BODIES: dict[str, Callable[[], object]] = {
    # API bodies that pass validation, so that what answers is the role check, not the input's
    "/api/v1/releases": other_release,
    "/api/v1/releases/{release_id}": other_release,
    "/api/v1/releases/{release_id}/reject": lambda: REASON,
    "/api/v1/releases/{release_id}/request-changes": lambda: REASON,
    "/api/v1/releases/{release_id}/withdraw": lambda: REASON,
    "/api/v1/releases/{release_id}/retraction": lambda: REASON,
    "/api/v1/releases/{release_id}/corrections": lambda: {**REASON, "release": other_release()},
    "/api/v1/reach": other_release,
    "/api/v1/organizations/{organization_id}/domains/{domain_id}/verify": lambda: REASON,
    "/api/v1/organizations/{organization_id}/domains": lambda: {"domain": "acme-group.example"},
    "/api/v1/organizations/{organization_id}/tickers": lambda: {"symbol": "XETRA:ACX"},
    "/api/v1/recipients": lambda: {"name": "Second Reader", "email": "second@outlet.example"},
    "/api/v1/signup": lambda: {
        "name": "Reader", "email": "signup@outlet.example", "subscriptions": [{}],
    },
}  # fmt: skip
STREAMS = {"/api/v1/stream"}  # endless answers: asked of a live server, only the status read


def send(matrix: Matrix, method: str, pattern: str, role: str) -> httpx.Response:
    """One cell: the route asked by the role, the way that role's client asks it."""
    path = _path(pattern, {**matrix.ids, **matrix.spares.get((method, pattern), {})})
    headers = {}
    if role in matrix.keys:
        headers["Authorization"] = f"Bearer {matrix.keys[role]}"
    if role in matrix.cookies:
        headers["Cookie"] = f"{web_session.COOKIE}={matrix.cookies[role]}"
    matrix.client.cookies.clear()
    body: dict[str, object] = {}
    if method in ("POST", "PUT", "PATCH"):
        if path.startswith("/api/"):
            body["json"] = BODIES[pattern]() if pattern in BODIES else {}
        else:
            body["data"] = {"csrf_token": matrix.tokens.get(role, "")}
    if pattern in STREAMS:
        request = matrix.live.build_request(method, path, headers=headers)
        response = matrix.live.send(request, stream=True)
        try:
            if response.status_code != 200:  # a refusal ends; an open stream never does
                response.read()
        finally:
            response.close()
        return response
    return matrix.client.request(method, path, headers=headers, follow_redirects=False, **body)


def app_routes(matrix: Matrix) -> list[tuple[str, str]]:
    """(method, path) of every HTTP route of the app, read from the app itself."""
    found = []
    for route in iter_route_contexts(matrix.client.app.routes):  # type: ignore[attr-defined]
        methods = getattr(route, "methods", None) or ()
        for method in sorted(set(methods) - {"HEAD"}):
            found.append((method, route.path))
    return found


# --- the table: (method, route) -> the answer each role gets, in ROLES' order ------------------
# Columns, in ROLES' order: anonymous, issuer of org A, issuer of org B, editor, admin, revoked
# key, expired session, translator. "in": a redirect to sign-in; ok, 401, 403, 404 as above.
# Org A's release is in review (not published), so the public pages answer 404 to everyone;
# org A's objects are in the path, so issuer B (another organization) must be refused.
EXPECTED_TABLE = """
GET    /openapi.json                                                       ok  ok  ok  ok  ok  ok  ok  ok
GET    /docs                                                               ok  ok  ok  ok  ok  ok  ok  ok
GET    /docs/oauth2-redirect                                               ok  ok  ok  ok  ok  ok  ok  ok
GET    /redoc                                                              ok  ok  ok  ok  ok  ok  ok  ok
GET    /login                                                              ok  ok  ok  ok  ok  ok  ok  ok
POST   /login                                                              403 401 401 401 401 403 403 401
POST   /logout                                                             403 in  in  in  in  403 403 in
GET    /api/v1/me                                                          401 ok  ok  ok  ok  401 401 ok
POST   /api/v1/releases                                                    401 ok  ok  ok  ok  401 401 403
GET    /api/v1/releases                                                    401 ok  ok  ok  ok  401 401 ok
GET    /api/v1/releases/{release_id}                                       401 ok  404 ok  ok  401 401 404
PUT    /api/v1/releases/{release_id}                                       401 ok  404 ok  ok  401 401 404
POST   /api/v1/releases/{release_id}/submit                                401 ok  404 ok  ok  401 401 404
POST   /api/v1/releases/{release_id}/approve                               401 403 404 ok  ok  401 401 404
POST   /api/v1/releases/{release_id}/reject                                401 403 404 ok  ok  401 401 404
POST   /api/v1/releases/{release_id}/request-changes                       401 403 404 ok  ok  401 401 404
POST   /api/v1/releases/{release_id}/withdraw                              401 ok  404 ok  ok  401 401 404
POST   /api/v1/releases/{release_id}/placement                             401 403 403 ok  ok  401 401 403
POST   /api/v1/releases/{release_id}/publish                               401 403 404 ok  ok  401 401 404
POST   /api/v1/releases/{release_id}/corrections                           401 403 404 ok  ok  401 401 404
POST   /api/v1/releases/{release_id}/retraction                            401 403 404 ok  ok  401 401 404
GET    /api/v1/releases/{release_id}/transitions                           401 ok  404 ok  ok  401 401 404
GET    /api/v1/releases/{release_id}/checks                                401 ok  404 ok  ok  401 401 404
GET    /api/v1/releases/{release_id}/versions                              401 ok  404 ok  ok  401 401 404
GET    /api/v1/releases/{release_id}/versions/{number}                     401 404 404 404 404 401 401 404
GET    /api/v1/taxonomy/industries                                         ok  ok  ok  ok  ok  ok  ok  ok
GET    /api/v1/taxonomy/regions                                            ok  ok  ok  ok  ok  ok  ok  ok
GET    /api/v1/taxonomy/languages                                          ok  ok  ok  ok  ok  ok  ok  ok
GET    /api/v1/releases/{release_id}/report                                401 ok  404 ok  ok  401 401 404
GET    /api/v1/releases/{release_id}/readership                            401 ok  404 ok  ok  401 401 404
GET    /api/v1/deliveries/dead                                             401 403 403 ok  ok  401 401 403
POST   /api/v1/deliveries/replay                                           401 403 403 ok  ok  401 401 403
POST   /api/v1/bounces                                                     401 403 403 ok  ok  401 401 403
GET    /api/v1/mail                                                        401 403 403 ok  ok  401 401 403
GET    /api/v1/mail/{name}                                                 401 403 403 404 404 401 401 403
POST   /api/v1/recipients                                                  401 403 403 ok  ok  401 401 403
GET    /api/v1/recipients                                                  401 403 403 ok  ok  401 401 403
GET    /api/v1/recipients/export                                           401 403 403 ok  ok  401 401 403
POST   /api/v1/recipients/import                                           401 403 403 ok  ok  401 401 403
GET    /api/v1/recipients/{recipient_id}                                   401 403 403 ok  ok  401 401 403
DELETE /api/v1/recipients/{recipient_id}                                   401 403 403 ok  ok  401 401 403
POST   /api/v1/recipients/{recipient_id}/webhook-secret                    401 403 403 404 404 401 401 403
DELETE /api/v1/recipients/{recipient_id}/webhook-secret/previous           401 403 403 404 404 401 401 403
POST   /api/v1/recipients/{recipient_id}/subscriptions                     401 403 403 ok  ok  401 401 403
PUT    /api/v1/subscriptions/{subscription_id}                             401 403 403 ok  ok  401 401 403
DELETE /api/v1/subscriptions/{subscription_id}                             401 403 403 ok  ok  401 401 403
POST   /api/v1/reach                                                       401 ok  ok  ok  ok  401 401 ok
GET    /api/v1/releases/{release_id}/reach                                 401 ok  404 ok  ok  401 401 404
GET    /api/v1/releases/{release_id}/targets                               401 403 403 ok  ok  401 401 403
POST   /api/v1/signup                                                      ok  ok  ok  ok  ok  ok  ok  ok
GET    /api/v1/organizations/{organization_id}/domains                     401 ok  404 ok  ok  401 401 404
POST   /api/v1/organizations/{organization_id}/domains                     401 ok  404 403 ok  401 401 404
POST   /api/v1/organizations/{organization_id}/domains/{domain_id}/check   401 ok  404 403 ok  401 401 404
POST   /api/v1/organizations/{organization_id}/domains/{domain_id}/verify  401 403 403 403 ok  401 401 403
DELETE /api/v1/organizations/{organization_id}/domains/{domain_id}         401 ok  404 403 ok  401 401 404
GET    /api/v1/organizations/{organization_id}/tickers                     401 ok  404 ok  ok  401 401 404
POST   /api/v1/organizations/{organization_id}/tickers                     401 ok  404 403 ok  401 401 404
DELETE /api/v1/organizations/{organization_id}/tickers/{ticker_id}         401 ok  404 403 ok  401 401 404
POST   /api/v1/tickers/{ticker_id}/confirm                                 401 403 403 ok  ok  401 401 403
POST   /api/v1/tickers/{ticker_id}/refuse                                  401 403 403 ok  ok  401 401 403
GET    /api/v1/stream                                                      401 ok  ok  ok  ok  401 401 ok
GET    /api/v1/releases/{release_id}/editions                              401 ok  404 ok  ok  401 401 404
GET    /api/v1/releases/{release_id}/editions/{language}                   401 ok  404 ok  ok  401 401 404
PATCH  /api/v1/releases/{release_id}/editions/{language}                   401 403 404 ok  ok  401 401 404
POST   /api/v1/releases/{release_id}/editions/{language}/approve           401 403 404 ok  ok  401 401 404
POST   /websub                                                             ok  ok  ok  ok  ok  ok  ok  ok
GET    /embed.js                                                           ok  ok  ok  ok  ok  ok  ok  ok
GET    /embed/{release_id}                                                 404 404 404 404 404 404 404 404
GET    /desk/tickers                                                       in  403 403 ok  ok  in  in  403
POST   /desk/tickers/{ticker_id}/confirm                                   in  403 403 ok  ok  in  in  403
POST   /desk/tickers/{ticker_id}/refuse                                    in  403 403 ok  ok  in  in  403
GET    /r/o/{delivery_id}.gif                                              ok  ok  ok  ok  ok  ok  ok  ok
GET    /r/c/{delivery_id}                                                  ok  ok  ok  ok  ok  ok  ok  ok
GET    /api/v1/organization/email-measurement                              401 ok  ok  403 ok  401 401 403
PUT    /api/v1/organization/email-measurement                              401 ok  ok  ok  ok  401 401 ok
POST   /account/measurement                                                403 in  in  in  in  403 403 in
GET    /desk                                                               in  403 403 ok  ok  in  in  403
GET    /desk/releases/{release_id}                                         in  403 403 ok  ok  in  in  403
POST   /desk/releases/{release_id}/approve                                 in  403 403 ok  ok  in  in  403
POST   /desk/releases/{release_id}/reject                                  in  403 403 ok  ok  in  in  403
POST   /desk/releases/{release_id}/request-changes                         in  403 403 ok  ok  in  in  403
POST   /desk/releases/{release_id}/place                                   in  403 403 ok  ok  in  in  403
POST   /desk/releases/{release_id}/retract                                 in  403 403 ok  ok  in  in  403
POST   /desk/releases/{release_id}/correct                                 in  403 403 ok  ok  in  in  403
GET    /desk/releases/{release_id}/editions/{language}                     in  403 403 ok  ok  in  in  403
POST   /desk/releases/{release_id}/editions/{language}/edit                in  403 403 ok  ok  in  in  403
POST   /desk/releases/{release_id}/editions/{language}/approve             in  403 403 ok  ok  in  in  403
GET    /portal/verification                                                in  ok  ok  403 ok  in  in  403
POST   /portal/verification/domains                                        in  ok  ok  403 ok  in  in  403
POST   /portal/verification/domains/{domain_id}/check                      in  ok  404 403 404 in  in  403
POST   /portal/verification/domains/{domain_id}/verify                     in  403 403 403 ok  in  in  403
POST   /portal/verification/domains/{domain_id}/remove                     in  ok  404 403 ok  in  in  403
POST   /portal/verification/tickers                                        in  ok  ok  403 ok  in  in  403
POST   /portal/verification/tickers/{ticker_id}/remove                     in  ok  404 403 ok  in  in  403
GET    /portal                                                             in  ok  ok  403 ok  in  in  403
GET    /portal/releases/new                                                in  ok  ok  403 ok  in  in  403
POST   /portal/releases                                                    in  ok  ok  403 ok  in  in  403
GET    /portal/releases/{release_id}/edit                                  in  ok  404 403 ok  in  in  403
POST   /portal/releases/{release_id}/edit                                  in  ok  404 403 ok  in  in  403
POST   /portal/preview                                                     in  ok  ok  403 ok  in  in  403
POST   /portal/reach                                                       in  ok  ok  403 ok  in  in  403
GET    /portal/releases/{release_id}                                       in  ok  404 403 ok  in  in  403
POST   /portal/releases/{release_id}/submit                                in  ok  404 403 ok  in  in  403
POST   /portal/releases/{release_id}/withdraw                              in  ok  404 403 ok  in  in  403
GET    /portal/releases/{release_id}/report                                in  ok  404 403 ok  in  in  403
GET    /portal/releases/{release_id}/report.csv                            in  ok  404 403 ok  in  in  403
GET    /operator/domains                                                   in  403 403 403 ok  in  in  403
POST   /operator/domains/{domain_id}/verify                                in  403 403 403 ok  in  in  403
GET    /operator                                                           in  403 403 403 ok  in  in  403
GET    /operator/organizations                                             in  403 403 403 ok  in  in  403
POST   /operator/organizations                                             in  403 403 403 ok  in  in  403
GET    /operator/users                                                     in  403 403 403 ok  in  in  403
POST   /operator/users                                                     in  403 403 403 ok  in  in  403
POST   /operator/users/{user_id}/role                                      in  403 403 403 ok  in  in  403
POST   /operator/users/{user_id}/translator                                in  403 403 403 ok  in  in  403
GET    /operator/api-keys                                                  in  403 403 403 ok  in  in  403
POST   /operator/api-keys                                                  in  403 403 403 ok  in  in  403
POST   /operator/api-keys/{prefix}/revoke                                  in  403 403 403 ok  in  in  403
GET    /operator/recipients/import                                         in  403 403 403 ok  in  in  403
POST   /operator/recipients/import                                         in  403 403 403 ok  in  in  403
GET    /operator/endpoints                                                 in  403 403 403 ok  in  in  403
GET    /operator/dead-letters                                              in  403 403 403 ok  in  in  403
POST   /operator/dead-letters/replay                                       in  403 403 403 ok  in  in  403
GET    /operator/live                                                      in  403 403 403 ok  in  in  403
GET    /operator/live.json                                                 in  403 403 403 ok  in  in  403
GET    /translate                                                          in  403 403 403 403 in  in  ok
GET    /translate/editions/{edition_id}                                    in  403 403 403 403 in  in  404
POST   /translate/editions/{edition_id}/draft                              in  403 403 403 403 in  in  404
POST   /translate/editions/{edition_id}/submit                             in  403 403 403 403 in  in  404
GET    /account/signup                                                     ok  ok  ok  ok  ok  ok  ok  ok
POST   /account/signup                                                     403 ok  ok  ok  ok  403 403 ok
GET    /account/login                                                      ok  ok  ok  ok  ok  ok  ok  ok
POST   /account/login                                                      403 ok  ok  ok  ok  403 403 ok
GET    /account/enter/{token}                                              404 404 404 404 404 404 404 404
POST   /account/enter/{token}                                              403 404 404 404 404 403 403 404
POST   /account/logout                                                     403 in  in  in  in  403 403 in
GET    /account                                                            in  in  in  in  in  in  in  in
POST   /account                                                            403 in  in  in  in  403 403 in
GET    /account/embargoed                                                  in  in  in  in  in  in  in  in
GET    /account/embargoed/{release_id}                                     in  in  in  in  in  in  in  in
GET    /account/data                                                       in  in  in  in  in  in  in  in
GET    /account/data.json                                                  in  in  in  in  in  in  in  in
POST   /account/data/delete                                                403 in  in  in  in  403 403 in
GET    /account/deleted                                                    ok  ok  ok  ok  ok  ok  ok  ok
GET    /.well-known/newswire-keys.json                                     ok  ok  ok  ok  ok  ok  ok  ok
GET    /releases/{release_id}/v{number:int}.sig                            404 404 404 404 404 404 404 404
GET    /releases/{release_id}/{language}/v{number:int}.sig                 404 404 404 404 404 404 404 404
GET    /releases/{release_id}/{language}/v{number:int}.json                404 404 404 404 404 404 404 404
GET    /releases/{release_id}/{language}/v{number:int}.xml                 404 404 404 404 404 404 404 404
POST   /api/v1/verify                                                      ok  ok  ok  ok  ok  ok  ok  ok
GET    /verify                                                             ok  ok  ok  ok  ok  ok  ok  ok
POST   /verify                                                             ok  ok  ok  ok  ok  ok  ok  ok
GET    /releases/{release_id}.json                                         404 404 404 404 404 404 404 404
GET    /releases/{release_id}.xml                                          404 404 404 404 404 404 404 404
GET    /releases/{release_id}/v{number:int}.json                           404 404 404 404 404 404 404 404
GET    /releases/{release_id}/v{number:int}.xml                            404 404 404 404 404 404 404 404
GET    /releases/                                                          ok  ok  ok  ok  ok  ok  ok  ok
GET    /                                                                   ok  ok  ok  ok  ok  ok  ok  ok
GET    /newsroom/{issuer_slug}                                             ok  ok  ok  ok  ok  ok  ok  ok
GET    /releases/{release_id}                                              404 404 404 404 404 404 404 404
GET    /releases/{release_id}/v{number:int}                                404 404 404 404 404 404 404 404
GET    /releases/{release_id}/{language}                                   404 404 404 404 404 404 404 404
GET    /healthz                                                            ok  ok  ok  ok  ok  ok  ok  ok
GET    /sitemap.xml                                                        ok  ok  ok  ok  ok  ok  ok  ok
GET    /sitemap-news.xml                                                   ok  ok  ok  ok  ok  ok  ok  ok
GET    /log/v1/tree-head                                                   404 404 404 404 404 404 404 404
GET    /log/v1/tree-heads/{size}                                           404 404 404 404 404 404 404 404
GET    /log/v1/entries                                                     ok  ok  ok  ok  ok  ok  ok  ok
GET    /log/v1/proof/inclusion                                             ok  ok  ok  ok  ok  ok  ok  ok
GET    /log/v1/proof/consistency                                           ok  ok  ok  ok  ok  ok  ok  ok
GET    /confirm/{token}                                                    404 404 404 404 404 404 404 404
POST   /confirm/{token}                                                    404 404 404 404 404 404 404 404
GET    /unsubscribe/{token}                                                404 404 404 404 404 404 404 404
POST   /unsubscribe/{token}                                                404 404 404 404 404 404 404 404
GET    /feeds/releases.{fmt}                                               ok  ok  ok  ok  ok  ok  ok  ok
GET    /feeds/industry/{value}.{fmt}                                       ok  ok  ok  ok  ok  ok  ok  ok
GET    /feeds/region/{value}.{fmt}                                         404 404 404 404 404 404 404 404
GET    /feeds/language/{value}.{fmt}                                       404 404 404 404 404 404 404 404
GET    /feeds/issuer/{value}.{fmt}                                         404 404 404 404 404 404 404 404
"""


def _parse(table: str) -> dict[tuple[str, str], list[str]]:
    codes = {"in": SIGN_IN}
    parsed = {}
    for line in table.strip().splitlines():
        method, pattern, *answers = line.split()
        parsed[(method, pattern)] = [codes.get(a, a) for a in answers]
    return parsed


EXPECTED = _parse(EXPECTED_TABLE)
NEVER_SEES_A = ("anonymous", "issuer_b", "revoked_key", "expired_session")


def _text(response: httpx.Response) -> str:
    try:
        return response.text
    except httpx.ResponseNotRead:  # an open stream, closed unread
        return ""


def _violation(expected: str, response: httpx.Response, role: str, consumed: bool) -> str | None:
    """Why the cell's answer is wrong, or None. `consumed`: an earlier role of the row was let
    in by a route that deletes or decides, so this allowed role may find the object gone."""
    got = answer_class(response)
    text = _text(response)
    if role in NEVER_SEES_A and SECRET_MARKER in text:
        at = text.index(SECRET_MARKER)
        return f"{role} got organization A's text ({response.status_code}): {text[at - 200 : at]}"
    if got == expected or (expected == OK and got == HIDDEN and consumed):
        return None
    return (
        f"{role}: expected {expected}, got {got} ({response.status_code} {_text(response)[:120]})"
    )


def test_every_route_answers_every_role_as_the_table_says(
    matrix: Matrix, proof_figures: Callable[[str], None]
) -> None:
    routes = app_routes(matrix)
    missing = [
        f"route {m} {p} has no expected answers" for m, p in routes if (m, p) not in EXPECTED
    ]
    stale = [
        f"{m} {p} is in the table but not in the app" for m, p in EXPECTED if (m, p) not in routes
    ]
    assert not missing and not stale, missing + stale
    cells, violations = 0, []
    for method, pattern in routes:
        expected = EXPECTED[(method, pattern)]
        assert len(expected) == len(ROLES), f"{method} {pattern}: one answer per role"
        consumed = False
        for role, want in zip(ROLES, expected, strict=True):
            response = send(matrix, method, pattern, role)
            cells += 1
            why = _violation(want, response, role, consumed)
            if why:
                violations.append(f"{method} {pattern}: {why}")
            consumed |= method != "GET" and response.status_code < 400 and why is None
    proof_figures(f"{len(routes)} routes x {len(ROLES)} roles: {cells} cells tried, "
                  f"{len(violations)} violations")  # fmt: skip
    assert not violations, "\n".join(violations)


def test_a_revoked_key_and_an_expired_session_are_refused_everywhere_a_user_is_needed() -> None:
    """Read from the table: wherever a signed-in role gets something no anonymous visitor gets,
    the revoked key and the expired session get what the anonymous visitor gets."""
    checked = 0
    for (method, pattern), row in EXPECTED.items():
        answers = dict(zip(ROLES, row, strict=True))
        if any(answers[r] != answers["anonymous"] for r in SIGNED_IN):
            checked += 1
            for stale in ("revoked_key", "expired_session"):
                assert answers[stale] == answers["anonymous"], (method, pattern, stale)
                assert answers[stale] in (UNAUTH, SIGN_IN, FORBIDDEN), (method, pattern, stale)
    assert checked > 100
