"""Streams for news terminals: a filtered, gap-free feed of events from the durable log.

Every published version is an event with a number (`StreamEvent.seq`), and so is every approved
edition of it (the version in another language; see `newswire.publish.events`). A connection
first replays what the client missed (everything after its Last-Event-ID that passes its
filter), then follows live events. The `Broadcaster` learns of new events once per commit
(handed over by the committing transaction in this process, else read from the log) and hands
them to every connection: subscribers are grouped by filter, so an event is matched once per
distinct filter, not once per connection; a parked connection writes at once (`direct`), a busy
one buffers; a client that falls behind (its buffer is full) is disconnected and resumes from
its last id, so it never slows the others and never misses one.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Sequence
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

    @property
    def language(self) -> str | None:
        """The language of the document: the edition's, or the original's."""
        languages = self.facts.get("languages") or [None]
        return languages[0]  # type: ignore[no-any-return]

    @property
    def edition(self) -> str | None:
        """The language of an edition event (None for the original version)."""
        return self.facts.get("edition")

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
        if self._everything or self.flt.accepts(event):
            self.deliver(event)

    def deliver(self, event: Event) -> None:
        """An event that passed this subscriber's filter."""
        if self.overflowed:
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
    """One per process: learns of new events after each publishing commit and fans them out
    to every live connection, in log order, each event exactly once."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.groups: dict[StreamFilter, dict[Subscriber, None]] = {}
        self._seen = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pumping: asyncio.Lock | None = None
        self._url = db.engine.url.render_as_string(hide_password=False)
        self._tasks: set[asyncio.Future[None]] = set()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._pumping = asyncio.Lock()
        self._seen = max(self._seen, await asyncio.to_thread(last_seq, self.db))

    def notify(self, events: Sequence[Event] | None = None, database: str | None = None) -> None:
        """Called after a commit that appended events (any thread). `events`, when the
        committing transaction hands them over (with its `database` URL), are fanned out
        without reading them back, if they directly follow the last one seen; else, and
        without them, the broadcaster reads what is new from the log."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if events and database != self._url:
            events = None  # another database's log (tests run several apps in one process)
        with contextlib.suppress(RuntimeError):  # the loop stopped meanwhile
            loop.call_soon_threadsafe(self._committed, events)

    def _committed(self, events: Sequence[Event] | None) -> None:
        assert self._pumping is not None
        if (
            events
            and not self._pumping.locked()
            and events[0].seq == self._seen + 1
            and all(b.seq == a.seq + 1 for a, b in itertools.pairwise(events))
        ):
            self._seen = events[-1].seq
            self._fan_out(events)
            return
        if events and events[-1].seq <= self._seen:
            return  # already read from the log
        task = asyncio.ensure_future(self.pump())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

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
            self._fan_out(events)

    def _fan_out(self, events: Sequence[Event]) -> None:
        """Each event is matched once per distinct filter, then handed to that filter's
        subscribers (a parked connection writes it right here)."""
        groups = [(flt, list(members)) for flt, members in self.groups.items()]
        for event in events:
            for flt, members in groups:
                if flt.accepts(event):
                    for subscriber in members:
                        subscriber.deliver(event)

    def subscribe(self, flt: StreamFilter) -> Subscriber:
        """Register first, then replay up to `seen`: every event after `seen` reaches the new
        subscriber live, every event up to it is in the log. Subscribers with equal filters
        share one filter object (fewer objects for the garbage collector to walk)."""
        members = self.groups.get(flt)
        if members is None:
            members = self.groups[flt] = {}
        else:
            flt = next(iter(members)).flt
        subscriber = Subscriber(flt)
        members[subscriber] = None
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        members = self.groups.get(subscriber.flt)
        if members is not None:
            members.pop(subscriber, None)
            if not members:
                del self.groups[subscriber.flt]

    @property
    def subscribers(self) -> list[Subscriber]:
        return [s for members in self.groups.values() for s in members]

    @property
    def seen(self) -> int:
        return self._seen
