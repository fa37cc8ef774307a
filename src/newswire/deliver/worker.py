"""A delivery worker: claim due deliveries, send them through their channel, record receipts.

Any number of workers, in any number of processes, share one outbox. One slow or failing
endpoint never holds up the others: channels bound what is in flight per endpoint, a circuit
breaker per endpoint gives back the deliveries of an endpoint that keeps failing (untried, no
attempt spent), and a claim is sent in waves of `wave` messages, each wave's attempts committed
before its network calls and its receipts right after (see `newswire.deliver.in_flight`).
A wave's receipts are recorded in groups of about `record_every` as each group comes back, and
the worker claims again whenever fewer than `rounds_in_flight` x `batch` deliveries are
claimed and not yet recorded, so that endpoints that hang until they time out hold up only
their own group, never the next claim.
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
        rounds_in_flight: int = 8,
        record_every: int = 32,
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
        self.record_every = max(1, record_every)
        self._unrecorded = 0  # claimed by run_rounds and not yet recorded
        self._progress: asyncio.Event | None = None  # set when some are recorded
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
        self._unrecorded += len(claimed) - len(unsendable)
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

    def _groups(self, wave: list[OutboundMessage[Any]]) -> list[list[OutboundMessage[Any]]]:
        """The wave in groups of about `record_every`; an endpoint's messages stay in one group,
        in wave order (an original before its correction)."""
        by_endpoint: dict[str, list[OutboundMessage[Any]]] = {}
        for m in wave:
            by_endpoint.setdefault(m.endpoint, []).append(m)
        groups: list[list[OutboundMessage[Any]]] = [[]]
        for in_order in by_endpoint.values():
            if len(groups[-1]) >= self.record_every:
                groups.append([])
            groups[-1].extend(in_order)
        return groups

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
            self._recorded(len(held))
        results: Counter[str] = Counter()
        for start in range(0, len(allowed), self.wave):
            results += await self._send_wave(channel, allowed[start : start + self.wave])
        return results

    async def _send_wave(self, channel: str, wave: list[OutboundMessage[Any]]) -> Counter[str]:
        """Attempts opened (committed) before the network calls, receipts recorded as each
        group of the wave comes back: a crash repeats at most one wave's sends, and the
        history shows them."""
        with self.db.session() as s:
            mine = start_attempts(
                s,
                [m.delivery_id for m in wave],
                worker=self.name,
                now=self.clock(),
                lease=timedelta(seconds=self.db.settings.delivery_lease_s),
            )
        lost = len(wave)
        wave = [m for m in wave if m.delivery_id in mine]  # a lost lease: another's to send
        self._recorded(lost - len(wave))
        results: Counter[str] = Counter()
        if not wave:
            return results
        for outcomes in await asyncio.gather(
            *(self._send_group(channel, group) for group in self._groups(wave))
        ):
            results += outcomes
        return results

    async def _send_group(self, channel: str, group: list[OutboundMessage[Any]]) -> Counter[str]:
        try:
            receipts = await self.channels[channel].send_batch(group)
            by_id = {m.delivery_id: m.endpoint for m in group}
            for r in receipts:
                self.breakers.get(by_id[r.delivery_id]).record(r.outcome)
            if not receipts:
                return Counter()
            with self.db.session() as s:
                return outbox.record(
                    s, receipts, worker=self.name, now=self.clock(), delay=self.delay
                )
        finally:
            self._recorded(len(group))

    def _recorded(self, count: int) -> None:
        self._unrecorded = max(0, self._unrecorded - count)
        if self._progress is not None:
            self._progress.set()

    async def run_rounds(
        self, ids: Sequence[str] | None = None, *, rounds: int = 1000
    ) -> Counter[str]:
        """Claim and send rounds, claiming again whenever fewer than `rounds_in_flight` x
        `batch` deliveries are claimed and not yet recorded, until a claim finds nothing due
        and every round sent has been recorded; `ids`: what the first claim asks for.
        Returns how many ended in each state."""
        total: Counter[str] = Counter()
        sending: set[asyncio.Task[Counter[str]]] = set()
        most = self.rounds_in_flight * self.batch
        self._unrecorded, self._progress = 0, asyncio.Event()
        try:
            while True:
                while rounds > 0 and self._unrecorded < most:
                    claimed = self._claim(ids)
                    ids = None
                    if not claimed:
                        break
                    rounds -= 1
                    sending.add(asyncio.create_task(self._deliver(claimed)))
                if not sending:
                    return total
                self._progress.clear()
                progress = asyncio.create_task(self._progress.wait())
                await asyncio.wait({progress, *sending}, return_when=asyncio.FIRST_COMPLETED)
                progress.cancel()
                for task in [t for t in sending if t.done()]:
                    sending.discard(task)
                    total += task.result()
        finally:
            for task in sending:
                task.cancel()
            if sending:
                await asyncio.gather(*sending, return_exceptions=True)
            self._unrecorded, self._progress = 0, None

    async def drain(self, *, rounds: int = 1000) -> Counter[str]:
        """Run rounds until nothing is due (tests and the CLI's one-shot mode)."""
        return await self.run_rounds(rounds=rounds)

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
                await self.run_rounds(ids)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery round failed")
                await asyncio.sleep(poll_s)

    async def aclose(self) -> None:
        for channel in self.channels.values():
            await channel.aclose()
