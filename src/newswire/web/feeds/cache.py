"""The rendered feeds of one application, kept valid against the publication sequence (see the
package's docstring, "Caching")."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any

from newswire.publish.feeds import CachedFeed, Key
from newswire.store import feeds as store
from newswire.store.db import Database
from newswire.store.feed_query import FeedQuery

CHECK_INTERVAL_S = 1.0


MAX_CACHED_BYTES = 64 * 1024 * 1024


MAX_RAW_KEYS = 16_384


class FeedCache:
    """Rendered feeds of one application, kept valid against the publication sequence.

    Validity is derived, not pushed: `fresh()` is true while this process has committed no new
    version and the last check is under `check_interval_s` old; otherwise `sync()` reads the
    sequence and drops the feeds that the versions published since touch. `invalidate_for` in
    `newswire.store.feeds` is what bumps the in-process generation (called on every commit that
    adds a version); nothing else needs calling.
    """

    def __init__(
        self, *, check_interval_s: float = CHECK_INTERVAL_S, max_bytes: int = MAX_CACHED_BYTES
    ) -> None:
        self.check_interval_s = check_interval_s
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, CachedFeed] = OrderedDict()
        self._by_query: dict[FeedQuery, set[Key]] = {}
        self._raw: dict[tuple[str, bytes], Key] = {}
        self._bytes = 0
        self._seq: int | None = None
        self._seen: set[int] = set()
        self._edition_mark: datetime | None = None
        self._editions_seen: set[tuple[int, datetime]] = set()
        self._generation = -1
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._building: dict[Key, threading.Lock] = {}
        self.renders = 0  # how many pages were rendered (for tests and the bench)

    # -- the hot path (event loop, no I/O) --

    def fresh(self) -> bool:
        return (
            self._generation == store.publication_generation()
            and time.monotonic() - self._checked_at < self.check_interval_s
        )

    def hit(self, raw: tuple[str, bytes]) -> CachedFeed | None:
        key = self._raw.get(raw)
        return self._entries.get(key) if key is not None else None

    # -- validity --

    def sync(self, db: Database) -> None:
        """Catch up with the publication sequence; drop the feeds that changed."""
        with self._lock:
            generation = store.publication_generation()
            if self._generation == generation and (
                time.monotonic() - self._checked_at < self.check_interval_s
            ):
                return  # another request has just done it
            with db.session() as s:
                seq, _ = store.publication_mark(s)
                edition_mark = store.edition_mark(s)
                if self._seq is None:
                    self._seq = seq
                    self._seen = store.recent_version_ids(s, seq)
                    self._edition_mark = edition_mark
                    if edition_mark is not None:
                        changed = store.edition_changes_since(s, edition_mark)
                        self._editions_seen = {c.key for c in changed}
                else:
                    if seq != self._seq or generation != self._generation:
                        self._apply(store.changes_since(s, self._seq))
                        self._seq = max(self._seq, seq)
                        self._seen = {i for i in self._seen if i > self._seq - store.GAP_WINDOW}
                    if edition_mark is not None and (
                        edition_mark != self._edition_mark or generation != self._generation
                    ):
                        since = self._edition_mark or edition_mark - store.EDITION_WINDOW
                        self._apply_editions(store.edition_changes_since(s, since))
                        self._edition_mark = max(self._edition_mark or edition_mark, edition_mark)
            self._generation = generation
            self._checked_at = time.monotonic()

    def _apply(self, changes: list[store.Change] | None) -> None:
        if changes is None:
            self.clear()
            return
        for change in changes:
            if change.version_id in self._seen:
                continue
            self._seen.add(change.version_id)
            for query in [q for q in self._by_query if change.affects(q)]:
                self._drop(query)

    def _apply_editions(self, changes: list[store.EditionChange]) -> None:
        for change in changes:
            if change.key in self._editions_seen:
                continue
            self._editions_seen.add(change.key)
            for query in [q for q in self._by_query if change.affects(q)]:
                self._drop(query)
        if self._edition_mark is not None:
            horizon = self._edition_mark - 2 * store.EDITION_WINDOW
            self._editions_seen = {k for k in self._editions_seen if k[1] >= horizon}

    def _drop(self, query: FeedQuery) -> None:
        for key in self._by_query.pop(query, ()):
            feed = self._entries.pop(key, None)
            if feed is not None:
                self._bytes -= feed.size

    def clear(self) -> None:
        self._entries.clear()
        self._by_query.clear()
        self._bytes = 0

    # -- filling --

    def lookup(self, key: Key) -> CachedFeed | None:
        return self._entries.get(key)

    def remember(self, raw: tuple[str, bytes], key: Key) -> None:
        if len(self._raw) >= MAX_RAW_KEYS:
            self._raw.clear()
        self._raw[raw] = key

    def put(
        self, key: Key, feed: CachedFeed, sequence: int, edition_mark: datetime | None = None
    ) -> bool:
        """Keep a page read at `sequence` (and, for a language feed, `edition_mark`); refused
        when a check has meanwhile passed either (the changes in between were judged without
        this page: it may be stale)."""
        with self._lock:
            if self._seq is None or sequence < self._seq:
                return False
            if (
                key[0].language is not None
                and self._edition_mark is not None
                and (edition_mark is None or edition_mark < self._edition_mark)
            ):
                return False
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = feed
            self._by_query.setdefault(key[0], set()).add(key)
            self._bytes += feed.size
            while self._bytes > self.max_bytes and len(self._entries) > 1:
                oldest, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size
                keys = self._by_query.get(oldest[0])
                if keys is not None:
                    keys.discard(oldest)
                    if not keys:
                        del self._by_query[oldest[0]]
            return True

    def building(self, key: Key) -> threading.Lock:
        """A lock per page, so that concurrent misses render it once."""
        with self._lock:
            return self._building.setdefault(key, threading.Lock())

    def done_building(self, key: Key) -> None:
        with self._lock:
            self._building.pop(key, None)


def cache_of(app: Any) -> FeedCache:
    """The application's feed cache, made on first use (no I/O, so no race on the loop)."""
    cache = getattr(app.state, "feeds", None)
    if cache is None:
        cache = app.state.feeds = FeedCache()
    return cache
