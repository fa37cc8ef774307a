"""Streams for news terminals: a filtered, gap-free feed of events from the durable log.

Every published version is an event with a number (`StreamEvent.seq`). A connection first
replays what the client missed (everything after its Last-Event-ID that passes its filter), then
follows live events. The `Broadcaster` reads new events from the log once per commit and hands
them to every connection's bounded queue; a client that falls behind (its queue is full) is
disconnected and resumes from its last id, so it never slows the others and never misses one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from newswire import taxonomy
from newswire.store.db import Database
from newswire.store.models import StreamEvent

QUEUE_SIZE = 1000
REPLAY_PAGE = 500


@dataclass(frozen=True)
class Event:
    seq: int
    release_id: str
    version: int
    kind: str
    issuer: str
    facts: dict
    ninjs: str
    newsml: str
    # encoded forms, made once per event and shared by every connection (see `encoded`)
    _encoded: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    def encoded(self, key: str, make: Callable[[Event], bytes]) -> bytes:
        """`make(self)`, computed once per (event, key) however many connections send it."""
        found = self._encoded.get(key)
        if found is None:
            found = self._encoded[key] = make(self)
        return found

    @classmethod
    def of(cls, row: StreamEvent) -> Event:
        return cls(
            row.seq, row.release_id, row.version_number, row.kind, row.issuer, row.facts, row.ninjs,
            row.newsml,
        )  # fmt: skip


@dataclass(frozen=True)
class StreamFilter:
    """Empty = everything. Industries match their descendants; regions expand to countries."""

    industries: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    issuers: frozenset[str] = frozenset()

    @classmethod
    def parse(
        cls,
        industries: Iterable[str],
        regions: Iterable[str],
        languages: Iterable[str],
        issuers: Iterable[str],
    ) -> StreamFilter:
        """Raises ValueError naming the bad value."""
        inds = set()
        for code in industries:
            try:
                inds.add(taxonomy.get_industry(code).code)
            except KeyError:
                raise ValueError(f"unknown industry '{code}'") from None
        ctry: set[str] = set()
        for region in regions:
            ctry |= taxonomy.expand_region(taxonomy.normalize_region(region))
        langs = {taxonomy.normalize_language(tag) for tag in languages}
        return cls(frozenset(inds), frozenset(ctry), frozenset(langs), frozenset(issuers))

    def accepts(self, event: Event) -> bool:
        facts = event.facts
        return (
            (not self.industries or bool(self.industries & set(facts.get("industries", ()))))
            and (not self.countries or bool(self.countries & set(facts.get("countries", ()))))
            and (not self.languages or bool(self.languages & set(facts.get("languages", ()))))
            and (not self.issuers or event.issuer in self.issuers)
        )


def replay(
    db: Database, after: int, flt: StreamFilter, limit: int = REPLAY_PAGE
) -> tuple[list[Event], int]:
    """Events after `after` that pass the filter (one page), and the last seq looked at."""
    with db.session() as s:
        rows = list(
            s.scalars(
                select(StreamEvent)
                .where(StreamEvent.seq > after)
                .order_by(StreamEvent.seq)
                .limit(limit)
            )
        )
    events = [Event.of(r) for r in rows]
    last = events[-1].seq if events else after
    return [e for e in events if flt.accepts(e)], last


def last_seq(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(StreamEvent.seq).order_by(StreamEvent.seq.desc()).limit(1)) or 0


class Overflow(Exception):
    """The client fell behind: disconnect it; it resumes from its Last-Event-ID."""


class Subscriber:
    """A connection's buffer: at most `limit` events wait; past that the connection gets the
    end marker (None) after what it already has (nothing queued is dropped, so resuming from
    the last id it received leaves no gap).

    Fan-out is in-loop and cheap: `offer` appends to a deque and wakes the connection's task
    only if it is waiting; the connection takes everything pending at once (`take`)."""

    __slots__ = (
        "_everything",
        "_waiter",
        "closed",
        "direct",
        "flt",
        "limit",
        "overflowed",
        "pending",
    )

    def __init__(self, flt: StreamFilter, limit: int = QUEUE_SIZE) -> None:
        self.flt = flt
        self.limit = limit
        self.pending: deque[Event | None] = deque()
        self.overflowed = False
        self.closed = False
        # set by a connection parked with nothing pending: writes the event at once, in the
        # broadcaster's loop iteration, without waking the connection's task; returns False
        # when it cannot (the socket pushes back), and the event is queued as usual
        self.direct: Callable[[Event], bool] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._everything = flt == StreamFilter()

    def offer(self, event: Event) -> None:
        if self.overflowed or not (self._everything or self.flt.accepts(event)):
            return
        if self.direct is not None and not self.pending and self.direct(event):
            return
        if len(self.pending) >= self.limit:
            self.overflowed = True
            self.pending.append(None)  # tells the connection to close
        else:
            self.pending.append(event)
        self.wake()

    def wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def close(self) -> None:
        """The connection went away: stop buffering for it and wake its task."""
        self.closed = True
        self.overflowed = True
        self.pending.clear()
        self.wake()

    async def wait(self, timeout: float | None = None) -> None:
        """Until something is pending (or `wake()`, or `timeout` seconds)."""
        if self.pending or self.closed:
            return
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        timer = loop.call_later(timeout, self.wake) if timeout is not None else None
        try:
            await waiter
        finally:
            if timer is not None:
                timer.cancel()
            if self._waiter is waiter:
                self._waiter = None

    def take(self) -> list[Event | None]:
        items = list(self.pending)
        self.pending.clear()
        return items


class Broadcaster:
    """One per process: reads new events from the log after each publishing commit and fans
    them out to every live connection."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.subscribers: set[Subscriber] = set()
        self._seen = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pumping: asyncio.Lock | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._pumping = asyncio.Lock()
        self._seen = await asyncio.to_thread(last_seq, self.db)

    def notify(self) -> None:
        """Called after a commit that appended events (any thread)."""
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self.pump()))

    async def pump(self) -> None:
        assert self._pumping is not None, "start() the broadcaster first"
        async with self._pumping:
            await self._pump()

    async def _pump(self) -> None:
        while True:
            events, last = await asyncio.to_thread(replay, self.db, self._seen, StreamFilter())
            if last <= self._seen:
                return
            self._seen = last
            subscribers = list(self.subscribers)
            for event in events:
                for subscriber in subscribers:
                    subscriber.offer(event)

    def subscribe(self, flt: StreamFilter) -> Subscriber:
        """Register first, then replay up to `seen`: every event after `seen` reaches the new
        subscriber live, every event up to it is in the log."""
        subscriber = Subscriber(flt)
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    @property
    def seen(self) -> int:
        return self._seen
