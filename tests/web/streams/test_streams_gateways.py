"""Scale-out: stream gateways in their own processes' place, told of new events over NATS,
replaying from the shared database; a terminal can switch gateways without a gap."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from test_streams import Server, publish, publish_later, read_events

from builders import World, sqlite_url
from newswire import bus
from newswire.bus.nats import NatsBus
from newswire.config import Settings
from newswire.store.db import Database
from newswire.web.streams.gateway import create_gateway_app


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


@pytest.fixture
def publisher_bus(nats_url: str) -> Iterator[NatsBus]:
    """This test process plays the API node: its commits announce events on NATS."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    message_bus = NatsBus(nats_url)
    asyncio.run_coroutine_threadsafe(message_bus.start(), loop).result(10)
    bus.install(message_bus)
    yield message_bus
    bus.install(None)
    asyncio.run_coroutine_threadsafe(message_bus.close(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)


def test_a_terminal_switches_gateways_without_a_gap(
    settings: Settings, db: Database, world: World, nats_url: str, publisher_bus: NatsBus
) -> None:
    gateway_settings = replace(settings, bus_url=nats_url)
    key = world.keys["issuer"]
    with (
        Server(settings, create_gateway_app(gateway_settings)) as one,
        Server(settings, create_gateway_app(gateway_settings)) as two,
    ):
        later = publish_later(db, world, "Acme Opens the First Offshore Hydrogen Plant in Europe")
        [live] = read_events(one.url, key, 1)
        later.join()
        second = publish(db, world, "Acme Signs a Supply Deal With a Danish Utility for 20 Years")
        third = publish(
            db, world, "Acme Names a New Chief Financial Officer From the Banking Sector"
        )
        missed = read_events(two.url, key, 2, last_id=live["id"])
        assert [e["data"]["uri"].rsplit(":", 1)[1] for e in missed] == [second, third]
        later = publish_later(db, world, "Acme Starts Building a Battery Plant in Portugal")
        [live_on_two] = read_events(two.url, key, 1, last_id=missed[-1]["id"])
        later.join()
        assert live_on_two["id"] > missed[-1]["id"]
