"""The delivery engine under stress: a worker killed mid fan-out, 30% of endpoints failing, and
the same engine on NATS JetStream with two workers sharing the work."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from test_deliver_engine import Clock, add_partner, deliveries, publish, worker

from builders import World, make_world, sqlite_url
from newswire.audience.importing import import_recipients
from newswire.bus import install, make_bus
from newswire.config import Settings, load_settings
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.store.db import Database
from receivers import WebhookReceiver


def _partners(count: int, url) -> bytes:  # type: ignore[no-untyped-def]
    return json.dumps(
        [
            {
                "kind": "partner",
                "name": f"Partner {i}",
                "webhook_url": url(f"/p{i}"),
                "subscriptions": [{"industries": ["energy"]}],
            }
            for i in range(count)
        ]
    ).encode()


def _wait(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite unless a test asks for PostgreSQL too (indirect parametrization)."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return sqlite_url(request, tmp_path)


def test_a_worker_killed_mid_fanout_loses_nothing(tmp_path: Path) -> None:
    receiver = WebhookReceiver(behaviour=lambda _p: (204, 0.03, {})).start()
    data = tmp_path / "data"
    env = {
        **os.environ,
        "NEWSWIRE_DATA": str(data),
        "NEWSWIRE_WEBHOOK_ALLOW": "127.0.0.0/8",
        "NEWSWIRE_DELIVERY_LEASE_S": "3",
    }
    env.pop("DATABASE_URL", None)
    settings = load_settings(data, webhook_allow=("127.0.0.0/8",))
    db = Database(settings)
    db.upgrade()
    world = make_world(db)
    with db.session() as s:
        assert (
            import_recipients(s, _partners(2000, receiver.url), "json", source="test").imported
            == 2000
        )
    rid = publish(db, world, Clock())
    command = [sys.executable, "-c", "from newswire.cli import main; main()", "worker"]
    try:
        first = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        assert _wait(lambda: len(receiver.received) >= 300, 60), "the first worker never got going"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        at_kill = len(receiver.received)
        assert at_kill < 2000, "the fan-out finished before the kill; slow the receiver down"

        second = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            assert _wait(lambda: len({r.path for r in receiver.received}) == 2000, 90)
            assert _wait(lambda: {d.state for d in deliveries(db, rid)} == {"delivered"}, 30)
        finally:
            second.terminate()
            second.wait(10)
    finally:
        receiver.stop()
    ids_by_path: dict[str, set[str]] = {}
    for r in receiver.received:
        ids_by_path.setdefault(r.path, set()).add(r.headers["webhook-id"])
    assert len(ids_by_path) == 2000
    assert all(len(ids) == 1 for ids in ids_by_path.values()), "a repeat must carry the same id"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fanout(
    db: Database, world: World, healthy: WebhookReceiver, paths: list[str], clock: Clock
) -> tuple[str, float]:
    rid = publish(db, world, clock)
    started = time.monotonic()
    asyncio.run(worker(db, clock).run_once())
    hits = [r.at for r in healthy.received if r.path in paths]
    assert len(hits) == len(paths)
    return rid, max(hits) - started


def test_failing_endpoints_never_slow_the_healthy_ones(
    db: Database, world: World, settings: Settings
) -> None:
    healthy = WebhookReceiver().start()
    failing = WebhookReceiver(behaviour=lambda _p: (500, 0, {})).start()
    slow = WebhookReceiver(behaviour=lambda _p: (204, 5.0, {})).start()
    refused = _closed_port()
    try:
        fast_db = Database(
            replace(db.settings, webhook_timeout_s=1.0, webhook_allow=("127.0.0.0/8",))
        )
        clock = Clock()
        ok_paths = [f"/ok{i}" for i in range(70)]
        for p in ok_paths:
            add_partner(fast_db, p, healthy.url(p))
        _, baseline = _fanout(fast_db, world, healthy, ok_paths, clock)
        healthy.received.clear()

        for i in range(10):  # 30 of 100 endpoints: errors, timeouts, refused connections
            add_partner(fast_db, f"fail{i}", failing.url(f"/f{i}"))
            add_partner(fast_db, f"slow{i}", slow.url(f"/s{i}"))
            add_partner(fast_db, f"refused{i}", f"http://127.0.0.1:{refused}/r{i}")
        rid, with_failures = _fanout(fast_db, world, healthy, ok_paths, clock)
        assert with_failures < max(2 * baseline, baseline + 0.5), (baseline, with_failures)
        assert with_failures < 1.0  # well before the slow endpoints' timeout

        for _ in range(11):  # the failing ones walk the whole retry schedule on the clock
            clock.advance(hours=25)
            asyncio.run(worker(fast_db, clock).run_once())
        states = {d.address: (d.state, d.attempts) for d in deliveries(fast_db, rid)}
        assert {s for a, s in states.items() if "/ok" in a} == {("delivered", 1)}
        assert {s for a, s in states.items() if "/ok" not in a} == {("dead", 10)}
        assert all(healthy.paths().count(p) == 1 for p in ok_paths)
    finally:
        for r in (healthy, failing, slow):
            r.stop()


@pytest.mark.parametrize(
    "database_url",
    ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    indirect=True,
)
def test_on_nats_jetstream_two_workers_share_the_fanout(
    db: Database, world: World, nats_url: str
) -> None:
    receiver = WebhookReceiver().start()
    nats_db = Database(replace(db.settings, bus_url=nats_url, webhook_allow=("127.0.0.0/8",)))
    for i in range(200):
        add_partner(nats_db, f"P{i}", receiver.url(f"/n{i}"))

    async def scenario() -> list[str]:
        bus = make_bus(nats_url)
        await bus.start()
        install(bus)
        workers = [
            DeliveryWorker(nats_db, make_channels(nats_db.settings), name=f"nats-{i}")
            for i in range(2)
        ]
        # a long poll: only the bus can wake these workers within the test's time
        tasks = [asyncio.create_task(w.run_forever(bus, poll_s=60)) for w in workers]
        try:
            await asyncio.sleep(0.3)
            rid = await asyncio.to_thread(publish, nats_db, world, Clock())
            for _ in range(400):  # until every receipt is recorded, not only received
                states = await asyncio.to_thread(
                    lambda: {d.state for d in deliveries(nats_db, rid)}
                )
                if states == {"delivered"}:
                    break
                await asyncio.sleep(0.05)
            return [rid]
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            install(None)
            await bus.close()

    try:
        [rid] = asyncio.run(scenario())
    finally:
        receiver.stop()
    assert len({r.path for r in receiver.received}) == 200
    assert {d.state for d in deliveries(nats_db, rid)} == {"delivered"}
