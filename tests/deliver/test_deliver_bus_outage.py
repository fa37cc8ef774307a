"""A worker whose bus fails (NATS down, its stream gone) still finds its work in the outbox:
the bus only makes work start sooner, the outbox is the truth."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

import pytest
from test_deliver_engine import Clock, add_partner, deliveries, publish, worker

from builders import World
from newswire.config import Settings
from newswire.store.db import Database
from receivers import WebhookReceiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, webhook_allow=("127.0.0.0/8",))


class BrokenBus:
    """A bus whose every wait fails, as NatsBus's does while its server is unreachable."""

    def __init__(self) -> None:
        self.waits = 0

    async def next_batch(self, timeout: float) -> list[str] | None:
        self.waits += 1
        await asyncio.sleep(0.01)
        raise ConnectionError("nats: no servers available for connection")


def test_a_failing_bus_does_not_stop_delivery(db: Database, world: World) -> None:
    receiver = WebhookReceiver().start()
    for path in ("/a", "/b"):
        add_partner(db, f"Partner {path}", receiver.url(path))
    clock = Clock()
    rid = publish(db, world, clock)
    bus = BrokenBus()

    async def scenario() -> None:
        task = asyncio.create_task(worker(db, clock).run_forever(bus, poll_s=0.05))
        for _ in range(200):
            if len(receiver.received) >= 2:
                break
            await asyncio.sleep(0.05)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    try:
        asyncio.run(scenario())
    finally:
        receiver.stop()
    assert bus.waits >= 1
    assert sorted(receiver.paths()) == ["/a", "/b"]
    assert {d.state for d in deliveries(db, rid)} == {"delivered"}
