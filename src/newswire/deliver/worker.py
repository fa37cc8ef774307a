"""A delivery worker: claim due deliveries, send them through their channel, record receipts.

Any number of workers, in any number of processes, share one outbox. One slow or failing
endpoint never holds up the others: channels bound what is in flight per endpoint, a circuit
breaker per endpoint gives back the deliveries of an endpoint that keeps failing (untried, no
attempt spent), and a claim is sent in waves of `wave` messages, each wave's attempts committed
before its network calls and its receipts right after (see `newswire.deliver.in_flight`).
Up to `rounds_in_flight` claims are sent at once, so that a claim held up by endpoints that hang
until they time out does not hold up the next claim's deliveries.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from newswire.channels.base import Channel, OutboundMessage
from newswire.deliver import outbox
from newswire.deliver.in_flight import start_attempts
from newswire.deliver.payloads import build_messages
from newswire.deliver.policy import (
    STANDARD_WEBHOOKS_SCHEDULE,
    CircuitBreakers,
    next_attempt_delay,
)
from newswire.store.db import Database

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{id(object()) % 10_000}"


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel[Any]],
        *,
        name: str | None = None,
        batch: int = 128,
        wave: int = 128,
        clock: Callable[[], datetime] = outbox.utcnow,
        breakers: CircuitBreakers | None = None,
        rounds_in_flight: int = 4,
        schedule: tuple[float, ...] = STANDARD_WEBHOOKS_SCHEDULE,
    ) -> None:
        """`schedule`: the delays of the retry schedule (`newswire.deliver.policy`)."""
        self.db = db
        self.channels = channels
        self.name = name or worker_name()
        self.batch = batch
        self.wave = wave  # sent at once, then recorded: what a crash may repeat
        self.clock = clock
        self.breakers = breakers or CircuitBreakers()
        self.rounds_in_flight = max(1, rounds_in_flight)
        self.delay = partial(next_attempt_delay, schedule=schedule)

    async def run_once(self, ids: Sequence[str] | None = None) -> Counter[str]:
        """One round: claim up to `batch` due deliveries (or those of `ids` that are due),
        send them, record the receipts. Returns how many ended in each state."""
        claimed = self._claim(ids)
        return await self._deliver(claimed) if claimed else Counter()

    def _claim(self, ids: Sequence[str] | None) -> dict[str, list[OutboundMessage[Any]]] | None:
        """Claim a round (None: nothing due) and give back what no channel here can send."""
        with self.db.session() as s:
            claimed = outbox.claim(
                s,
                self.name,
                now=self.clock(),
                limit=self.batch,
                ids=ids,
                lease=timedelta(seconds=self.db.settings.delivery_lease_s),
            )
            if not claimed:
                return None
            messages = build_messages(s, self.db.settings, claimed)
            unsendable = [d.id for d in claimed if d.channel not in self.channels]
        if unsendable:
            with self.db.session() as s:
                outbox.postpone(s, unsendable, until=self.clock() + timedelta(minutes=1))
        return messages

    async def _deliver(self, messages: dict[str, list[OutboundMessage[Any]]]) -> Counter[str]:
        results: Counter[str] = Counter()
        sends = [
            self._send(channel, batch)
            for channel, batch in messages.items()
            if channel in self.channels
        ]
        for outcomes in await asyncio.gather(*sends):
            results += outcomes
        return results

    async def _send(self, channel: str, messages: list[OutboundMessage[Any]]) -> Counter[str]:
        allowed, held = [], []
        for m in messages:
            (allowed if self.breakers.get(m.endpoint).allow() else held).append(m)
        if held:
            wait = max(self.breakers.get(m.endpoint).retry_in for m in held)
            with self.db.session() as s:
                outbox.postpone(
                    s, [m.delivery_id for m in held], until=self.clock() + timedelta(seconds=wait)
                )
        results: Counter[str] = Counter()
        for start in range(0, len(allowed), self.wave):
            results += await self._send_wave(channel, allowed[start : start + self.wave])
        return results

    async def _send_wave(self, channel: str, wave: list[OutboundMessage[Any]]) -> Counter[str]:
        """Attempts opened (committed) before the network calls, receipts recorded right after
        the wave: a crash repeats at most one wave's sends, and the history shows them."""
        with self.db.session() as s:
            start_attempts(s, [m.delivery_id for m in wave], worker=self.name, now=self.clock())
        receipts = await self.channels[channel].send_batch(wave)
        by_id = {m.delivery_id: m.endpoint for m in wave}
        for r in receipts:
            self.breakers.get(by_id[r.delivery_id]).record(r.outcome)
        if not receipts:
            return Counter()
        with self.db.session() as s:
            return outbox.record(s, receipts, worker=self.name, now=self.clock(), delay=self.delay)

    async def run_rounds(
        self, ids: Sequence[str] | None = None, *, rounds: int = 1000
    ) -> Counter[str]:
        """Claim and send rounds, up to `rounds_in_flight` at once, until a claim finds nothing
        due and every round sent has been recorded; `ids`: what the first claim asks for.
        Returns how many ended in each state."""
        total: Counter[str] = Counter()
        sending: set[asyncio.Task[Counter[str]]] = set()
        try:
            while True:
                while rounds > 0 and len(sending) < self.rounds_in_flight:
                    claimed = self._claim(ids)
                    ids = None
                    if not claimed:
                        break
                    rounds -= 1
                    sending.add(asyncio.create_task(self._deliver(claimed)))
                if not sending:
                    return total
                done, sending = await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    total += task.result()
        finally:
            for task in sending:
                task.cancel()
            if sending:
                await asyncio.gather(*sending, return_exceptions=True)

    async def drain(self, *, rounds: int = 1000) -> Counter[str]:
        """Run rounds until nothing is due (tests and the CLI's one-shot mode)."""
        return await self.run_rounds(rounds=rounds)

    async def run_forever(self, wakeups: Any, poll_s: float = 2.0) -> None:
        """Work whenever the bus says there is work, and poll for retries and expired leases."""
        while True:
            try:
                ids = await wakeups.next_batch(timeout=poll_s)
                await self.run_rounds(ids)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery round failed")
                await asyncio.sleep(poll_s)

    async def aclose(self) -> None:
        for channel in self.channels.values():
            await channel.aclose()
