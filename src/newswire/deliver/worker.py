"""A delivery worker: claim due deliveries, send them through their channel, record receipts.

Any number of workers, in any number of processes, share one outbox. One slow or failing
endpoint never holds up the others: channels bound what is in flight per endpoint, a circuit
breaker per endpoint gives back the deliveries of an endpoint that keeps failing (untried, no
attempt spent), and a claim is sent in waves of `wave` messages, each wave's attempts committed
before its network calls and its receipts right after (see `newswire.deliver.in_flight`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from newswire.channels.base import Channel, OutboundMessage
from newswire.deliver import outbox
from newswire.deliver.in_flight import start_attempts
from newswire.deliver.payloads import build_messages
from newswire.deliver.policy import CircuitBreakers
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
    ) -> None:
        self.db = db
        self.channels = channels
        self.name = name or worker_name()
        self.batch = batch
        self.wave = wave  # sent at once, then recorded: what a crash may repeat
        self.clock = clock
        self.breakers = breakers or CircuitBreakers()

    async def run_once(self, ids: Sequence[str] | None = None) -> Counter[str]:
        """One round: claim up to `batch` due deliveries (or those of `ids` that are due),
        send them, record the receipts. Returns how many ended in each state."""
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
                return Counter()
            messages = build_messages(s, self.db.settings, claimed)
            unsendable = [d.id for d in claimed if d.channel not in self.channels]
        results: Counter[str] = Counter()
        if unsendable:
            with self.db.session() as s:
                outbox.postpone(s, unsendable, until=self.clock() + timedelta(minutes=1))
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
            mine = start_attempts(
                s,
                [m.delivery_id for m in wave],
                worker=self.name,
                now=self.clock(),
                lease=timedelta(seconds=self.db.settings.delivery_lease_s),
            )
        wave = [m for m in wave if m.delivery_id in mine]  # a lost lease: another's to send
        if not wave:
            return Counter()
        receipts = await self.channels[channel].send_batch(wave)
        by_id = {m.delivery_id: m.endpoint for m in wave}
        for r in receipts:
            self.breakers.get(by_id[r.delivery_id]).record(r.outcome)
        if not receipts:
            return Counter()
        with self.db.session() as s:
            return outbox.record(s, receipts, worker=self.name, now=self.clock())

    async def drain(self, *, rounds: int = 1000) -> Counter[str]:
        """Run rounds until nothing is due (tests and the CLI's one-shot mode)."""
        total: Counter[str] = Counter()
        for _ in range(rounds):
            done = await self.run_once()
            if not done:
                break
            total += done
        return total

    async def run_forever(self, wakeups: Any, poll_s: float = 2.0) -> None:
        """Work whenever the bus says there is work, and poll for retries and expired leases.
        A bus that fails (its server down) counts as no wakeup: the outbox is still polled."""
        while True:
            try:
                ids = await wakeups.next_batch(timeout=poll_s)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("the bus failed; polling the outbox instead", exc_info=True)
                await asyncio.sleep(poll_s)
                ids = None
            try:
                while await self.run_once(ids):
                    ids = None
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery round failed")
                await asyncio.sleep(poll_s)

    async def aclose(self) -> None:
        for channel in self.channels.values():
            await channel.aclose()
