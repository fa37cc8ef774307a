"""The embedded default: an asyncio queue inside the one process."""

from __future__ import annotations

import asyncio
import contextlib


class InProcessBus:
    def __init__(self) -> None:
        self._queue: asyncio.Queue[list[str]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()

    def notify(self, delivery_ids: list[str]) -> None:
        if self._loop is None or self._queue is None or self._loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop stopped meanwhile
            self._loop.call_soon_threadsafe(self._queue.put_nowait, list(delivery_ids))

    async def next_batch(self, timeout: float) -> list[str] | None:
        assert self._queue is not None, "start() the bus first"
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None

    async def close(self) -> None:
        self._queue = None

    def announce_events(self) -> None:
        """In one process the broadcaster hears of new events directly (publish.events)."""
