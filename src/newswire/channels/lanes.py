"""Per-host lanes for HTTP channels, so that one slow URL never holds up the other URLs of its
host (DESIGN invariant 4, issue 15 defect 7).

Each host has two lanes. The healthy lane bounds the requests in flight to the host
(``per_host``); the slow lane (``slow_per_host``) takes the requests of endpoints that were
demoted. Inside both, each endpoint (a URL) has at most ``per_endpoint`` requests in flight.

An endpoint is demoted, for ``demotion_s``, when one of its requests takes more than
``slow_factor`` times the host's usual latency (never less than ``slow_floor_s``) or times out.
A request is demoted while it is still in flight: when it passes that mark it gives its healthy
slot back at once, so that a hanging request costs the healthy endpoints of its host nothing
more than that mark, however long it then takes to time out.

Pure asyncio, no I/O of its own: the request is a callable the channel passes in.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from newswire.channels.base import Outcome, Receipt

TIMEOUT_DETAIL = "timeout"  # how a channel's receipt for a timed-out request begins


@dataclass(frozen=True, slots=True)
class LaneSettings:
    per_host: int = 16  # healthy lane: requests in flight to one host at most
    slow_per_host: int = 8  # slow lane: new requests of demoted endpoints at most
    per_endpoint: int = 2  # requests in flight to one URL at most, in either lane
    slow_factor: float = 4.0  # slower than this many times the host's usual latency: demoted
    slow_floor_s: float = 0.25  # ... but never for a request quicker than this
    demotion_s: float = 600.0  # how long a demoted endpoint stays in the slow lane


class _InFlight:
    """One request in the healthy lane; `moved` once it has passed the slow mark."""

    __slots__ = ("moved",)

    def __init__(self) -> None:
        self.moved = False


class HostLanes:
    """The lanes of one host (scheme, name, port); shared by every batch sent to it."""

    def __init__(self, settings: LaneSettings, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self._clock = clock
        self._healthy = asyncio.Semaphore(settings.per_host)
        self._slow = asyncio.Semaphore(settings.slow_per_host)
        self._endpoints: weakref.WeakValueDictionary[str, asyncio.Semaphore] = (
            weakref.WeakValueDictionary()
        )
        self._demoted: dict[str, float] = {}  # endpoint -> demoted until (clock)
        self._usual_s: float | None = None  # moving average of delivered requests' latency

    @property
    def slow_after_s(self) -> float:
        """How long a request may take before its endpoint is demoted."""
        usual = self._usual_s or 0.0
        return max(self.settings.slow_floor_s, self.settings.slow_factor * usual)

    def is_demoted(self, endpoint: str) -> bool:
        until = self._demoted.get(endpoint)
        if until is None:
            return False
        if until <= self._clock():
            del self._demoted[endpoint]
            return False
        return True

    def demote(self, endpoint: str) -> None:
        self._demoted[endpoint] = self._clock() + self.settings.demotion_s

    def demoted(self) -> list[str]:
        """The endpoints now in the slow lane."""
        return [e for e in list(self._demoted) if self.is_demoted(e)]

    async def run(self, endpoint: str, request: Callable[[], Awaitable[Receipt]]) -> Receipt:
        """Make `request` to `endpoint` in its lane; returns its receipt."""
        limit = self._endpoints.get(endpoint)
        if limit is None:
            limit = self._endpoints[endpoint] = asyncio.Semaphore(self.settings.per_endpoint)
        async with limit:
            if self.is_demoted(endpoint):
                async with self._slow:
                    receipt = await request()
                if receipt.detail.startswith(TIMEOUT_DETAIL):
                    self.demote(endpoint)  # still hanging: another full demotion
                return receipt
            return await self._healthy_lane(endpoint, request)

    async def _healthy_lane(
        self, endpoint: str, request: Callable[[], Awaitable[Receipt]]
    ) -> Receipt:
        await self._healthy.acquire()
        state = _InFlight()

        def move_to_slow_lane() -> None:
            state.moved = True
            self.demote(endpoint)
            self._healthy.release()

        timer = asyncio.get_running_loop().call_later(self.slow_after_s, move_to_slow_lane)
        try:
            receipt = await request()
        finally:
            timer.cancel()
            if not state.moved:
                self._healthy.release()
        if receipt.detail.startswith(TIMEOUT_DETAIL):
            self.demote(endpoint)
        elif not state.moved and receipt.outcome is Outcome.DELIVERED and receipt.latency_ms:
            self._observe(receipt.latency_ms / 1000.0)
        return receipt

    def _observe(self, latency_s: float) -> None:
        usual = self._usual_s
        self._usual_s = latency_s if usual is None else usual + 0.05 * (latency_s - usual)
