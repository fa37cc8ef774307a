"""Following the shared event log, for every process that serves streams (`serve` nodes and
gateways alike): NATS announcements (`newswire.events`, sent after each publishing commit on
any node) when NEWSWIRE_BUS_URL is nats://, and a read of the log every POLL_S seconds, so an
event committed by another process reaches this one's terminals within about a second even
when an announcement is lost, and a replay from Last-Event-ID sees it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from newswire.bus.nats import listen_for_events
from newswire.channels.streams import Broadcaster
from newswire.config import Settings

POLL_S = 1.0


@asynccontextmanager
async def following_the_log(settings: Settings, broadcaster: Broadcaster) -> AsyncIterator[None]:
    """While inside, `broadcaster` hears of events committed by any process (start it first)."""
    connection = (
        await listen_for_events(settings.bus_url, broadcaster.notify)
        if settings.bus_url.startswith("nats://")
        else None
    )

    async def poll() -> None:
        while True:
            await asyncio.sleep(POLL_S)
            with contextlib.suppress(Exception):  # a database hiccup: try again next time
                await broadcaster.pump()

    poller = asyncio.create_task(poll())
    try:
        yield
    finally:
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.drain()
