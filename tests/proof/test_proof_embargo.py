"""Issue 15, suite 1: the embargo-leak matrix.

Releases under embargo and releases scheduled for later are looked for, by id, headline words
and body words (unique nonsense tokens), through every channel: every GET route of the app (read
from `app.routes`, so a new route is covered without editing this suite) as every role of
another organization and anonymously, with the path filled with the hidden release's ids (the
answer must be the one a made-up id gets: an error must not tell the two apart), the search
pages, the SSE and WebSocket streams (with and without filters, with replay), WebSub pushes,
webhooks and emails received by real servers. Accredited journalists may read the embargoed
release early, on their own pages only, and marked as embargoed. Then the scheduler lifts the
embargo and every channel shows the release.

The matrix must be able to fail: the same probes must find a published release's words."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import Route

from builders import World, file_and_approve, sqlite_url
from live_server import LiveServer
from newswire.actions.scheduler import run_once
from newswire.config import Settings
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.store.db import Database
from newswire.store.models import Recipient
from newswire.web.account.sign_in import sign_in_link
from newswire.web.app import create_app
from newswire.web.streams import framing
from newswire.web.streams.sse import EventStream
from proof_scale import proof_scale
from receivers import WebhookReceiver, WebSubSubscriber
from smtp_servers import SmtpServer, smtp_server  # noqa: F401  (the fixture, found by name)
from web_pages import csrf, login

WIDE = proof_scale(0, 1) == 1  # the full run tries more fillings of each route


@pytest.fixture(
    params=["sqlite", *([pytest.param("postgresql", marks=pytest.mark.postgres)] if WIDE else [])]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite in CI (the visibility rules are the same queries on both); both in the full run."""
    if request.param == "sqlite":
        return sqlite_url(request, tmp_path)
    return str(request.getfixturevalue("postgres_url"))


ALLOWED_EARLY = "/account/embargoed"  # where an accredited journalist reads the embargoed


def _word() -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(11))


@dataclass
class Secret:
    """One release and the tokens that give it away."""

    kind: str  # embargoed, scheduled, published (the self-check)
    id: str
    headline_word: str
    body_word: str

    def tokens(self) -> list[str]:
        return [self.id, self.headline_word, self.body_word]

    def found_in(self, text: str, *, skip: tuple[str, ...] = ()) -> list[str]:
        text = text.lower()  # headline words are capitalized in headlines
        return [t for t in self.tokens() if t not in skip and t in text]


def _file(client: TestClient, world: World, kind: str, **timing: str) -> Secret:
    head, body = _word(), _word()
    rid = file_and_approve(
        client,
        world,
        headline=f"Acme Renewables Opens the {head.capitalize()} Offshore Wind Hub",
        body=(
            f"Acme Renewables AG today opened the {body} hub, a maintenance base for offshore "
            "wind farms in the German North Sea.\n\nThe base employs about 120 technicians."
        ),
        **timing,
    )
    return Secret(kind, rid, head, body)


@dataclass
class Matrix:
    """Every probe's outcome: channel x role tried, leaks, and what the self-check found."""

    tried: set[tuple[str, str]] = field(default_factory=set)
    probes: int = 0
    leaks: list[str] = field(default_factory=list)
    found: dict[str, set[str]] = field(default_factory=dict)  # published: channel -> tokens

    def look(
        self, channel: str, role: str, text: str, secrets_: list[Secret], *, skip=(), early=False
    ) -> None:
        self.tried.add((channel, role))
        self.probes += 1
        for secret in secrets_:
            hits = secret.found_in(text, skip=skip)
            if secret.kind == "published":
                if hits:
                    self.found.setdefault(channel, set()).update(hits)
            elif hits and not (early and secret.kind == "embargoed"):
                self.leaks.append(f"{secret.kind} {hits} via {channel} as {role}")


# --- the app's routes -------------------------------------------------------------------------


_PARAM = re.compile(r"{([a-z_]+)(?::[a-z]+)?}")
_SCRUB = [re.compile(p) for p in (r'nonce="[^"]*"', r'name="csrf_token" value="[^"]*"')]


def _int_params(route: Any) -> set[str]:
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return set()
    return {p.name for p in dependant.path_params if "int" in str(p.field_info.annotation)}


def _fillings(path: str, ints: set[str], target: str) -> list[str]:
    """Concrete paths for a route, with `target` wherever a string id may go."""
    paths = [path]
    for name in _PARAM.findall(path):
        if name in ints or name == "number":
            values = ["1"]
        elif name == "fmt":
            values = ["rss", "atom", "json"]
        elif name == "language":
            values = ["en", "de"] if WIDE else ["en"]
        elif name == "issuer_slug":
            values = ["acme"]
        elif name == "value":
            dimension = path.split("/")[-2]
            values = {
                "industry": ["energy", "wind-power"],
                "region": ["DE", "EU"],
                "language": ["en"],
                "issuer": ["acme"],
            }[dimension][: 2 if WIDE else 1]
        else:
            values = [target]
        pattern = re.compile(r"{" + name + r"(?::[a-z]+)?}")
        paths = [pattern.sub(v, p, count=1) for p in paths for v in values]
    return paths


@dataclass
class Routes:
    pages: list[tuple[str, set[str]]]  # (path, its integer parameters) of every plain GET
    streams: list[str]  # GET routes that answer with an event stream
    sockets: list[str]


def read_routes(app: Any) -> Routes:
    pages, streams, sockets = [], [], []
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if isinstance(original, APIWebSocketRoute):
            sockets.append(route.path)
            continue
        if not isinstance(original, APIRoute | Route) or "GET" not in (route.methods or ()):
            continue
        response_class = getattr(original, "response_class", None)
        if isinstance(response_class, type) and issubclass(response_class, EventStream):
            streams.append(route.path)
        else:
            pages.append((route.path, _int_params(route)))
    return Routes(pages, streams, sockets)


# --- the wire: app, roles, receivers ----------------------------------------------------------


@dataclass
class Wire:
    app: Any
    client: TestClient
    db: Database
    settings: Settings
    world: World
    smtp: SmtpServer
    webhooks: WebhookReceiver
    websub: WebSubSubscriber
    roles: dict[str, tuple[TestClient, dict[str, str]]]

    def mails(self) -> list[tuple[list[str], str]]:
        """(recipients, decoded text of every part) of each mail the SMTP server got."""
        out = []
        for m in self.smtp.handler.messages:
            message = message_from_bytes(m.data, policy=policy.default)
            parts = [
                str(p.get_content())
                for p in message.walk()
                if p.get_content_maintype() == "text"  # type: ignore[attr-defined]
            ]
            out.append((m.rcpt_tos, str(message["Subject"]) + "\n" + "\n".join(parts)))
        return out

    def deliver(self, clock: Callable[[], datetime]) -> None:
        async def run() -> None:
            worker = DeliveryWorker(self.db, make_channels(self.settings), name="m", clock=clock)
            try:
                await worker.drain()
            finally:
                await worker.aclose()

        asyncio.run(run())


def _signed_in_journalist(app: Any, db: Database, settings: Settings, email: str) -> TestClient:
    with db.session() as s:
        recipient = s.scalar(select(Recipient).where(Recipient.email == email))
        assert recipient is not None
        link = sign_in_link(settings, recipient).removeprefix(settings.base_url)
    client = TestClient(app)
    button = client.get(link)
    entered = client.post(link, data={"csrf_token": csrf(button.text)}, follow_redirects=False)
    assert entered.status_code == 303, entered.text
    return client


@pytest.fixture
def wire(
    settings: Settings,
    db: Database,
    world: World,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Wire]:
    monkeypatch.setattr(framing, "HEARTBEAT_S", 0.1)  # a stream's bounded read ends at these
    smtp = request.getfixturevalue("smtp_server")()
    settings = replace(
        settings, smtp_url=f"smtp://{smtp.host}:{smtp.port}", webhook_allow=("127.0.0.0/8",)
    )
    webhooks, websub = WebhookReceiver().start(), WebSubSubscriber().start()
    app = create_app(settings, run_scheduler=False)
    try:
        with TestClient(app) as client:
            editor = world.headers("editor")
            for name, email, accredited in (
                ("Ada", "ada@paper.example", True),
                ("Ben", "ben@paper.example", False),
            ):
                made = client.post(
                    "/api/v1/recipients",
                    json={
                        "name": name,
                        "email": email,
                        "accredited": accredited,
                        "subscriptions": [{"industries": ["energy"]}],
                    },
                    headers=editor,
                )
                assert made.status_code == 201, made.text
            partner = {
                "kind": "partner",
                "name": "Partner Wire",
                "email": "desk@partner.example",
                "webhook_url": webhooks.url("/hooks/newswire"),
                "subscriptions": [{"industries": ["energy"]}],
            }
            assert (
                client.post("/api/v1/recipients", json=partner, headers=editor).status_code == 201
            )
            for topic in ("releases.atom", "industry/energy.atom", "issuer/acme.atom"):
                subscribed = client.post(
                    "/websub",
                    data={
                        "hub.mode": "subscribe",
                        "hub.topic": f"http://testserver/feeds/{topic}",
                        "hub.callback": websub.url(f"/cb/{topic}"),
                    },
                )
                assert subscribed.status_code == 202, subscribed.text
            other_session = TestClient(app)
            assert login(other_session, "press@globex.example").status_code == 303  # type: ignore[attr-defined]
            roles = {
                "anonymous": (TestClient(app), {}),
                "other-issuer-key": (TestClient(app), world.headers("other_issuer")),
                "other-issuer-session": (other_session, {}),
                "journalist": (
                    _signed_in_journalist(app, db, settings, "ben@paper.example"),
                    {},
                ),
                "accredited-journalist": (
                    _signed_in_journalist(app, db, settings, "ada@paper.example"),
                    {},
                ),
            }
            yield Wire(app, client, db, settings, world, smtp, webhooks, websub, roles)
    finally:
        webhooks.stop()
        websub.stop()


# --- the probes -------------------------------------------------------------------------------


def _scrub(text: str, target: str) -> str:
    text = text.replace(target, "<id>")
    for pattern in _SCRUB:
        text = pattern.sub("", text)
    return text


def sweep_routes(wire: Wire, routes: Routes, matrix: Matrix, secrets_: list[Secret]) -> None:
    """GET every route as every role; a route with an id in its path is asked about each
    release, and the hidden ones must get exactly what a made-up id gets."""
    published = [s for s in secrets_ if s.kind == "published"]
    hidden = [s for s in secrets_ if s.kind != "published"]
    for role, (client, headers) in wire.roles.items():
        early = role == "accredited-journalist"
        for path, ints in routes.pages:
            channel = f"GET {path}"
            if not _PARAM.search(path):
                words = [w for s in secrets_ for w in s.tokens()[1 : 3 if WIDE else 2]]
                for query in ({}, *({"q": w} for w in words)):
                    answer = client.get(path, params=query, headers=headers, follow_redirects=False)
                    echoed = tuple(query.values())  # a search page may repeat what was asked
                    matrix.look(
                        channel + (" ?q=" if query else ""),
                        role,
                        answer.text,
                        secrets_,
                        skip=echoed,
                        early=early and path.startswith(ALLOWED_EARLY),
                    )
                continue
            fake = secrets.token_hex(6)
            for concrete_fake in _fillings(path, ints, fake):
                baseline = client.get(concrete_fake, headers=headers, follow_redirects=False)
                for secret in hidden + published:
                    concrete = concrete_fake.replace(fake, secret.id)
                    answer = client.get(concrete, headers=headers, follow_redirects=False)
                    allowed = early and path.startswith(ALLOWED_EARLY)
                    matrix.look(
                        channel, role, answer.text, secrets_, skip=(secret.id,), early=allowed
                    )
                    same = answer.status_code == baseline.status_code and _scrub(
                        answer.text, secret.id
                    ) == _scrub(baseline.text, fake)
                    if secret.kind == "published":
                        if not same:
                            matrix.found.setdefault(channel, set()).add("answer")
                    elif not same and not (allowed and secret.kind == "embargoed"):
                        matrix.leaks.append(
                            f"{secret.kind} told apart from a made-up id by {concrete} as "
                            f"{role}: {answer.status_code} vs {baseline.status_code}"
                        )


STREAM_QUERIES: list[dict[str, str]] = [
    {},
    {"industry": "energy"},
    {"region": "DE"},
    {"lang": "en"},
    {"issuer": "acme"},
    {"format": "newsml"},
]


def _read_sse(url: str, headers: dict[str, str], params: dict[str, str]) -> str:
    """The stream up to its second heartbeat (everything replayed comes before)."""
    lines: list[str] = []
    with httpx.stream("GET", url, headers=headers, params=params, timeout=10) as response:
        if response.status_code != 200:
            return response.read().decode()
        for line in response.iter_lines():
            lines.append(line)
            if lines.count(": keep-alive") == 2:
                break
    return "\n".join(lines)


def _read_socket(client: TestClient, path: str, query: dict[str, str]) -> str:
    got: list[str] = []
    url = f"{path}?{httpx.QueryParams(query)}"
    # a refused key closes the socket: nothing to read
    with contextlib.suppress(Exception), client.websocket_connect(url) as ws:
        while len([m for m in got if '"heartbeat"' in m]) < 2:
            got.append(ws.receive_text())
    return "\n".join(got)


def sweep_streams(
    wire: Wire, server: LiveServer, routes: Routes, matrix: Matrix, secrets_: list[Secret]
) -> None:
    keys = {"anonymous": None, "other-issuer-key": wire.world.keys["other_issuer"]}
    for role, key in keys.items():
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        for path in routes.streams:
            for query in STREAM_QUERIES:
                replays = [{"after": "0"}, {"Last-Event-ID": "0"}, {}]
                for replay in replays if WIDE or not query else replays[:1]:
                    params = {**query, **{k: v for k, v in replay.items() if k == "after"}}
                    extra = {k: v for k, v in replay.items() if k != "after"}
                    text = _read_sse(server.base + path, {**headers, **extra}, params)
                    matrix.look(f"SSE {path}", role, text, secrets_)
        for path in routes.sockets:
            for query in STREAM_QUERIES:
                text = _read_socket(
                    wire.client, path, {**query, "after": "0", **({"key": key} if key else {})}
                )
                matrix.look(f"WebSocket {path}", role, text, secrets_)


def look_at_pushes(wire: Wire, matrix: Matrix, secrets_: list[Secret]) -> None:
    for r in wire.webhooks.received:
        matrix.look("webhook", "partner", r.body.decode(), secrets_)
    for hit in wire.websub.posts:
        matrix.look("WebSub push", "subscriber", hit.body.decode(), secrets_)
    for to, text in wire.mails():
        for address in to:
            matrix.look("email", address.partition("@")[0], text, secrets_)


# --- the suite --------------------------------------------------------------------------------


def test_nothing_embargoed_or_scheduled_leaks_and_everything_shows_at_the_lift(
    wire: Wire, proof_figures: Callable[[str], None]
) -> None:
    client, world = wire.client, wire.world
    per_kind = proof_scale(1, 3)
    lift = datetime.now(UTC) + timedelta(hours=3)
    hidden = [
        _file(client, world, "embargoed", embargo_until=(lift + timedelta(minutes=i)).isoformat())
        for i in range(per_kind)
    ] + [
        _file(client, world, "scheduled", publish_at=(lift - timedelta(minutes=i)).isoformat())
        for i in range(per_kind)
    ]
    published = _file(client, world, "published")
    assert run_once(wire.db) == [published.id]
    states = {
        client.get(f"/api/v1/releases/{s.id}", headers=world.headers("issuer")).json()["state"]
        for s in hidden
    }
    assert states == {"embargoed", "scheduled"}
    now = datetime.now(UTC)
    wire.deliver(lambda: now)  # the published release goes out; nothing else may

    matrix = Matrix()
    every = [*hidden, published]
    routes = read_routes(wire.app)
    assert routes.streams and routes.sockets and len(routes.pages) > 50
    sweep_routes(wire, routes, matrix, every)
    with LiveServer(create_app(wire.settings, run_scheduler=False, migrate=False)) as server:
        sweep_streams(wire, server, routes, matrix, every)
        look_at_pushes(wire, matrix, every)

        # accredited journalists read the embargoed early, marked, on their own pages
        ada = wire.roles["accredited-journalist"][0]
        early = ada.get(ALLOWED_EARLY)
        embargoed = [s for s in hidden if s.kind == "embargoed"]
        assert all(s.headline_word in early.text.lower() for s in embargoed)
        for s in embargoed:
            page = ada.get(f"{ALLOWED_EARLY}/{s.id}")
            assert page.status_code == 200 and s.body_word in page.text
            assert "Embargoed until" in page.text
        assert (
            wire.roles["journalist"][0].get(f"{ALLOWED_EARLY}/{embargoed[0].id}").status_code == 403
        )

        # the self-check: the same probes find the published release on every channel
        must_find = {
            "GET /releases/{release_id}",
            "GET /embed/{release_id}",
            "GET /sitemap.xml",
            "GET /sitemap-news.xml",
            "GET /feeds/releases.{fmt}",
            "GET /feeds/industry/{value}.{fmt}",
            "GET /releases/ ?q=",
            f"SSE {routes.streams[0]}",
            f"WebSocket {routes.sockets[0]}",
            "webhook",
            "WebSub push",
            "email",
        }
        assert must_find <= set(matrix.found), must_find - set(matrix.found)
        assert matrix.leaks == [], matrix.leaks
        before = (len(matrix.tried), matrix.probes, len(matrix.leaks))

        # the lift, as the product does it: the scheduler's pass at the lift time
        at = lift + timedelta(minutes=per_kind)
        headers = {"Authorization": f"Bearer {world.keys['other_issuer']}"}
        live: list[tuple[str, float]] = []
        stream = server.base + routes.streams[0]
        seen = re.findall(r"^id: (\d+)$", _read_sse(stream, headers, {"after": "0"}), re.M)
        last = max(map(int, seen))  # the live reader resumes here: it misses nothing
        reader = threading.Thread(
            target=lambda: live.append(_read_live(stream, headers, last, hidden))
        )
        reader.start()
        started = time.monotonic()
        assert sorted(run_once(wire.db, now=at)) == sorted(s.id for s in hidden)
        shown: dict[str, float] = {}
        anonymous = wire.roles["anonymous"][0]
        for channel, path in (
            ("page", "/releases/{id}"),
            ("embed", "/embed/{id}"),
            ("newsroom", "/releases/"),
            ("search", "/releases/?q={word}"),
            ("sitemap", "/sitemap.xml"),
            ("news sitemap", "/sitemap-news.xml"),
            ("atom", "/feeds/releases.atom"),
            ("rss", "/feeds/industry/energy.rss"),
            ("json feed", "/feeds/issuer/acme.json"),
        ):
            for s in hidden:
                text = anonymous.get(path.format(id=s.id, word=s.headline_word)).text
                assert s.id in text or s.headline_word in text.lower(), (channel, s.kind)
            shown[channel] = time.monotonic() - started
        wire.deliver(lambda: at)
        shown["pushes"] = time.monotonic() - started
        reader.join(15)
        assert live and live[0][0] == "", f"the live stream missed {live}"
        shown["live SSE"] = live[0][1] - started
        replayed = _read_sse(server.base + routes.streams[0], headers, {"after": "0"})
        assert all(s.id in replayed for s in hidden)
        for_sockets = _read_socket(
            client, routes.sockets[0], {"key": world.keys["other_issuer"], "after": "0"}
        )
        assert all(s.id in for_sockets for s in hidden)
    bodies = [r.body.decode() for r in wire.webhooks.received]
    assert all(any(s.id in b for b in bodies) for s in hidden), "webhook"
    pushes = [h.body.decode() for h in wire.websub.posts]
    assert all(any(s.id in p for p in pushes) for s in hidden), "WebSub"
    for address in ("ada@paper.example", "ben@paper.example"):
        texts = [t for to, t in wire.mails() if address in to]
        assert all(any(s.headline_word in t.lower() for t in texts) for s in hidden), address
    proof_figures(
        f"embargo matrix: {before[0]} channel x role pairs over {len(routes.pages)} GET routes, "
        f"{len(routes.streams)} stream and {len(routes.sockets)} WebSocket routes, "
        f"{before[1]} probes, {2 * per_kind} hidden releases, leaks {before[2]}; "
        f"self-check found the published release on {len(matrix.found)} channels; "
        "after the lift: " + ", ".join(f"{k} {v:.2f}s" for k, v in shown.items())
    )


def _read_live(
    url: str, headers: dict[str, str], last: int, waiting: list[Secret]
) -> tuple[str, float]:
    """Read the stream after event `last` until every release in `waiting` arrived: ('' when
    all did, else the ids still missing; when the reading stopped)."""
    missing = {s.id for s in waiting}
    deadline = time.monotonic() + 15
    headers = {**headers, "Last-Event-ID": str(last)}
    with httpx.stream("GET", url, headers=headers, timeout=15) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                missing = {i for i in missing if i not in line}
            if not missing or time.monotonic() > deadline:
                break
    return " ".join(sorted(missing)), time.monotonic()
