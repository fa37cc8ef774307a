"""NATS JetStream: deliveries go through a work-queue stream; every worker process pulls from
one durable consumer, so each batch of ids goes to exactly one of them.

A message is acknowledged when a worker takes it: if that worker dies, its deliveries' leases
in the outbox expire and any worker's poll takes them over, so the bus never has to redeliver.

A NATS server that restarts without its store (a new machine, a lost volume) comes back with
neither the stream nor the consumer: every process re-declares both when it reconnects, and a
publish that finds no stream declares it and tries once more, so wakeups resume without
restarting any worker or server (until then, workers find their work by polling the outbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import nats
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StreamConfig
from nats.js.errors import NoStreamResponseError

STREAM = "NEWSWIRE_DELIVERIES"
SUBJECT = "newswire.deliveries"
CONSUMER = "delivery-workers"
CHUNK = 500
ACK_WAIT_S = 60
log = logging.getLogger(__name__)
EVENTS = "newswire.events"  # core NATS: "the stream log grew"; gateways then read it


class NatsBus:
    def __init__(self, url: str) -> None:
        self.url = url
        self._nc: nats.NATS | None = None
        self._js = None
        self._sub = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._nc = await nats.connect(
            self.url, name="newswire", max_reconnect_attempts=-1, reconnected_cb=self._reconnected
        )
        self._js = self._nc.jetstream()
        await self._declare()
        self._sub = await self._js.pull_subscribe(
            SUBJECT, durable=CONSUMER, stream=STREAM, config=_consumer_config()
        )

    async def _declare(self) -> None:
        """The stream and the workers' consumer, as they must be (idempotent)."""
        assert self._js is not None, "start() the bus first"
        with contextlib.suppress(Exception):  # exists already, with this configuration
            await self._js.add_stream(
                StreamConfig(name=STREAM, subjects=[SUBJECT], retention=RetentionPolicy.WORK_QUEUE)
            )
        with contextlib.suppress(Exception):
            await self._js.add_consumer(STREAM, config=_consumer_config())

    async def _reconnected(self) -> None:
        try:
            await self._declare()
        except Exception:  # the next reconnect or publish declares them again
            log.warning("could not declare the delivery stream after reconnecting", exc_info=True)

    async def publish(self, delivery_ids: list[str]) -> None:
        assert self._js is not None, "start() the bus first"
        for i in range(0, len(delivery_ids), CHUNK):
            payload = json.dumps(delivery_ids[i : i + CHUNK]).encode()
            try:
                await self._js.publish(SUBJECT, payload)
            except NoStreamResponseError:  # the server lost its store: declare, then once more
                await self._declare()
                await self._js.publish(SUBJECT, payload)

    def notify(self, delivery_ids: list[str]) -> None:
        if self._loop is None or self._loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            asyncio.run_coroutine_threadsafe(self.publish(list(delivery_ids)), self._loop)

    async def next_batch(self, timeout: float) -> list[str] | None:
        assert self._sub is not None, "start() the bus first"
        try:
            messages = await self._sub.fetch(1, timeout=timeout)
        except (TimeoutError, nats.errors.TimeoutError):
            return None
        ids: list[str] = []
        for message in messages:
            ids += json.loads(message.data)
            await message.ack()
        return ids

    async def close(self) -> None:
        if self._nc is not None:
            await self._nc.drain()
            self._nc = None

    def announce_events(self) -> None:
        if self._loop is None or self._loop.is_closed() or self._nc is None:
            return
        with contextlib.suppress(RuntimeError):
            asyncio.run_coroutine_threadsafe(self._nc.publish(EVENTS, b"1"), self._loop)


def _consumer_config() -> ConsumerConfig:
    return ConsumerConfig(
        name=CONSUMER,
        durable_name=CONSUMER,
        filter_subject=SUBJECT,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ACK_WAIT_S,
    )


async def listen_for_events(url: str, callback: object) -> nats.NATS:
    """A gateway's subscription to event announcements; returns the connection to close."""
    connection = await nats.connect(url, name="newswire-gateway", max_reconnect_attempts=-1)

    async def handler(_message: object) -> None:
        callback()  # type: ignore[operator]

    await connection.subscribe(EVENTS, cb=handler)
    return connection
