"""Streams for terminals: live events, replay from Last-Event-ID across reconnects and restarts,
filters, and a slow client cut off without holding up anyone."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from builders import World, release_payload, sqlite_url
from live_server import LiveServer
from newswire.actions import releases as actions
from newswire.actions.scheduler import run_once
from newswire.channels.streams import Event, StreamFilter, Subscriber
from newswire.config import Settings
from newswire.intake import validate_release
from newswire.publish.events import append_event
from newswire.store.db import Database
from newswire.store.models import Release
from newswire.web.app import create_app
from newswire.web.streams import framing


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


class Server(LiveServer):
    """The app (by default the whole application) served for real; ``url`` is its stream."""

    def __init__(self, settings: Settings, app: object = None, **options: object) -> None:
        super().__init__(app or create_app(settings, run_scheduler=False), **options)

    @property
    def url(self) -> str:
        return f"{self.base}/api/v1/stream"


def read_events(
    url: str,
    key: str,
    count: int,
    *,
    last_id: int | None = None,
    params: dict | None = None,
    raw: bool = False,
) -> list[dict]:
    headers = {"Authorization": f"Bearer {key}"}
    if last_id is not None:
        headers["Last-Event-ID"] = str(last_id)
    events: list[dict] = []
    current: dict = {}
    with httpx.stream("GET", url, headers=headers, params=params, timeout=10) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if line.startswith("id: "):
                current["id"] = int(line[4:])
            elif line.startswith("event: "):
                current["event"] = line[7:]
            elif line.startswith("data: "):
                text = current.get("data", "") + ("\n" if "data" in current else "") + line[6:]
                current["data"] = text
            elif line == "" and "id" in current:
                if not raw:
                    current["data"] = json.loads(current["data"])
                events.append(current)
                current = {}
                if len(events) == count:
                    break
    return events


def publish(db: Database, world: World, headline: str, **overrides: object) -> str:
    now = datetime.now(UTC)
    with db.session() as s:
        content = validate_release(release_payload(headline=headline, **overrides), now=now)
        release = actions.create_release(s, world.issuer, content, submit=True, now=now)
        actions.approve(s, world.editor, release.id, override_reason="test", now=now)
        actions.publish(s, db.settings, world.editor, release.id, now=now)
        return release.id


def publish_later(
    db: Database, world: World, headline: str, delay: float = 0.3
) -> threading.Thread:
    thread = threading.Thread(target=lambda: (time.sleep(delay), publish(db, world, headline)))
    thread.start()
    return thread


@pytest.fixture
def server(settings: Settings, db: Database) -> Iterator[Server]:
    with Server(settings) as running:
        yield running


def test_a_terminal_gets_live_events_and_everything_it_missed(
    server: Server, db: Database, world: World
) -> None:
    key = world.keys["issuer"]
    later = publish_later(db, world, "Acme Opens the First Offshore Hydrogen Plant in Europe")
    [live] = read_events(server.url, key, 1)
    later.join()
    assert live["event"] == "release"
    assert (
        live["data"]["headlines"][0]["value"]
        == "Acme Opens the First Offshore Hydrogen Plant in Europe"
    )

    second = publish(db, world, "Acme Signs a Supply Deal With a Danish Utility for 20 Years")
    third = publish(db, world, "Acme Names a New Chief Financial Officer From the Banking Sector")
    missed = read_events(server.url, key, 2, last_id=live["id"])
    assert [e["data"]["uri"] for e in missed] == [
        f"urn:newswire:release:{second}",
        f"urn:newswire:release:{third}",
    ]
    assert [e["id"] for e in missed] == sorted(e["id"] for e in missed) and missed[0]["id"] > live[
        "id"
    ]


def test_replay_survives_a_server_restart(settings: Settings, db: Database, world: World) -> None:
    first = publish(db, world, "Acme Opens the First Offshore Hydrogen Plant in Europe")
    with Server(settings) as one:
        [got] = read_events(one.url, world.keys["issuer"], 1, last_id=0)
    second = publish(db, world, "Acme Signs a Supply Deal With a Danish Utility for 20 Years")
    with Server(settings) as two:
        [again] = read_events(two.url, world.keys["issuer"], 1, last_id=got["id"])
    assert got["data"]["uri"].endswith(first) and again["data"]["uri"].endswith(second)


def test_filters_and_corrections(server: Server, db: Database, world: World) -> None:
    banking = publish(
        db,
        world,
        "Harbor Bank Reports Record Quarterly Profit in Singapore",
        industries=["banking"],
        regions=["SG"],
    )
    energy = publish(
        db,
        world,
        "Acme Opens the First Offshore Hydrogen Plant in Europe",
        industries=["wind-power"],
        regions=["DE"],
    )
    now = datetime.now(UTC)
    with db.session() as s:
        content = validate_release(
            release_payload(
                headline="Acme Opens the First Offshore Hydrogen Plant in Europe",
                subheadline="corrected",
            ),
            now=now,
        )
        actions.correct(s, db.settings, world.editor, energy, content, "subheadline", now=now)
    got = read_events(
        server.url,
        world.keys["issuer"],
        2,
        last_id=0,
        params={"industry": "energy", "region": "EU"},
    )
    assert [(e["event"], e["data"]["uri"].rsplit(":", 1)[1]) for e in got] == [
        ("release", energy),
        ("correction", energy),
    ]
    assert all(banking not in e["data"]["uri"] for e in got)
    [as_newsml] = read_events(
        server.url, world.keys["issuer"], 1, last_id=0, params={"format": "newsml"}, raw=True
    )
    assert as_newsml["data"].startswith("<?xml") and "newsItem" in as_newsml["data"]


def test_embargoed_releases_are_not_streamed_before_they_lift(
    server: Server, db: Database, world: World
) -> None:
    lift = datetime.now(UTC) + timedelta(hours=1)
    with db.session() as s:
        content = validate_release(
            release_payload(embargo_until=lift.isoformat()), now=datetime.now(UTC)
        )
        release = actions.create_release(s, world.issuer, content, submit=True)
        actions.approve(s, world.editor, release.id)
    visible = publish(db, world, "Acme Signs a Supply Deal With a Danish Utility for 20 Years")
    [first] = read_events(server.url, world.keys["issuer"], 1, last_id=0)
    assert first["data"]["uri"].endswith(visible)
    run_once(db, now=lift)
    [lifted] = read_events(server.url, world.keys["issuer"], 1, last_id=first["id"])
    assert lifted["data"]["uri"].endswith(release.id)


def test_streams_need_a_key_and_valid_filters(server: Server, world: World) -> None:
    assert httpx.get(server.url).status_code == 401
    unknown = httpx.get(server.url, params={"industry": "alchemy"}, headers=world.headers("issuer"))
    assert unknown.status_code == 422 and unknown.json() == {
        "error": "invalid_filter",
        "message": "unknown industry 'alchemy'",
    }
    bad = httpx.get(
        server.url,
        params={"industry": "alchemy"},
        headers={"Authorization": "Bearer nw_0000000000_" + "a" * 43},
    )
    assert bad.status_code == 401


def test_a_client_that_falls_behind_is_cut_off_not_waited_for() -> None:
    async def scenario() -> list[object]:
        subscriber = Subscriber(StreamFilter(), limit=2)
        for seq in range(1, 10):
            subscriber.offer(Event(seq, "r", 1, "original", "acme", {}, "{}", "<x/>"))
        return subscriber.take()

    received = asyncio.run(scenario())
    assert received[-1] is None  # the signal to disconnect; the client resumes from its last id
    assert [e.seq for e in received[:-1]] == [1, 2]  # what it had stays; nothing is dropped


def test_the_websocket_stream_has_the_same_semantics(
    settings: Settings, db: Database, world: World
) -> None:
    from fastapi.testclient import TestClient

    first = publish(db, world, "Acme Opens the First Offshore Hydrogen Plant in Europe")
    second = publish(db, world, "Acme Signs a Supply Deal With a Danish Utility for 20 Years")
    with TestClient(create_app(settings, run_scheduler=False)) as client:
        key = world.keys["issuer"]
        with client.websocket_connect(f"/api/v1/stream/ws?key={key}&after=0") as ws:
            got = [ws.receive_json() for _ in range(2)]
        assert [json.loads(m["data"])["uri"].rsplit(":", 1)[1] for m in got] == [first, second]
        with client.websocket_connect(f"/api/v1/stream/ws?key={key}&after={got[0]['id']}") as ws:
            assert json.loads(ws.receive_json()["data"])["uri"].endswith(second)


def test_an_idle_stream_gets_heartbeats(
    server: Server, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(framing, "HEARTBEAT_S", 0.2)
    headers = {"Authorization": f"Bearer {world.keys['issuer']}"}
    lines = []
    with httpx.stream("GET", server.url, headers=headers, timeout=5) as response:
        for line in response.iter_lines():
            lines.append(line)
            if lines.count(": keep-alive") == 2:
                break
    assert lines[0] == "retry: 2000" and lines.count(": keep-alive") == 2


@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_the_stream_works_the_same_on_either_http_implementation(
    settings: Settings, db: Database, world: World, http: str
) -> None:
    publish(db, world, "Acme Opens the First Offshore Hydrogen Plant in Europe")
    with Server(settings, http=http) as running:
        later = publish_later(db, world, "Acme Signs a Supply Deal With a Danish Utility")
        got = read_events(running.url, world.keys["issuer"], 2, last_id=0)  # one replayed, one live
        later.join()
        assert [e["data"]["headlines"][0]["value"] for e in got] == [
            "Acme Opens the First Offshore Hydrogen Plant in Europe",
            "Acme Signs a Supply Deal With a Danish Utility",
        ]
        by_header = {"X-API-Key": world.keys["issuer"]}
        with httpx.stream("GET", running.url, headers=by_header, timeout=10) as response:
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
            assert next(response.iter_lines()) == "retry: 2000"
        malformed = httpx.get(running.url, headers={**by_header, "Last-Event-ID": "seven"})
        assert malformed.status_code == 422


def test_a_terminal_that_stops_reading_is_cut_off_and_the_others_get_everything(
    server: Server, db: Database, world: World
) -> None:
    """The slow one gets what fitted in its socket and its buffer, then the end of the
    response (it resumes from its last id); the one that reads gets every event."""
    request = (
        f"GET /api/v1/stream HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {world.keys['issuer']}\r\n\r\n"
    ).encode()
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect(("127.0.0.1", server.port))
    slow.sendall(request)
    reader = socket.create_connection(("127.0.0.1", server.port))
    reader.sendall(request)
    received = bytearray()

    def read_all() -> None:
        reader.settimeout(10)
        with contextlib.suppress(OSError):
            while received.count(b"\nid: ") < 1500 and (chunk := reader.recv(1 << 20)):
                received.extend(chunk)

    time.sleep(0.3)
    thread = threading.Thread(target=read_all)
    thread.start()
    now = datetime.now(UTC)
    content = validate_release(release_payload(), now=now)
    with db.session() as s:
        release = actions.create_release(s, world.issuer, content, submit=True, now=now)
    document = json.dumps({"padding": "x" * 20_000})
    for _ in range(5):
        with db.session() as s:
            for _ in range(300):
                append_event(
                    s, s.get(Release, release.id), content, 1, "original", document, "<x/>", now=now
                )
    thread.join()
    assert received.count(b"\nid: ") == 1500
    slow.settimeout(10)
    cut = bytearray()
    while chunk := slow.recv(1 << 20):
        cut.extend(chunk)
    assert cut.endswith(b"\r\n0\r\n\r\n")  # the response ended
    assert 1000 <= cut.count(b"\nid: ") < 1500


def test_the_websocket_checks_its_key_off_the_event_loop(
    settings: Settings, db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key is a database read: on the event loop it would stall every other connection."""
    from fastapi.testclient import TestClient

    from newswire.web import deps

    on_loop: list[bool] = []
    check = deps.authenticate_api_key

    def watched(session: object, key: str) -> object:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return check(session, key)  # type: ignore[arg-type]

    monkeypatch.setattr(deps, "authenticate_api_key", watched)
    first = publish(db, world, "Acme Opens the First Offshore Hydrogen Plant in Europe")
    with TestClient(create_app(settings, run_scheduler=False)) as client:
        key = world.keys["issuer"]
        with client.websocket_connect(f"/api/v1/stream/ws?key={key}&after=0") as ws:
            assert json.loads(ws.receive_json()["data"])["uri"].endswith(first)
    assert on_loop == [False]
