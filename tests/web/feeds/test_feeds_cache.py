"""Feeds are rendered once per change: conditional GET, what a publication invalidates (and
what it leaves alone), corrections, embargoes, and no database query on a cached hit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from test_feeds_support import app_with_feeds, cache, entry_ids, publish, unique

from builders import World, release_payload, sqlite_url
from newswire.actions.scheduler import run_once
from newswire.config import Settings
from newswire.store import feeds as store_feeds
from newswire.store.db import Database
from newswire.web.feeds.cache import FeedCache
from newswire.web.feeds.http import FeedEndpoint

IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """These are about behaviour, not the database: SQLite is enough."""
    return sqlite_url(request, tmp_path)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """The app with the feeds installed (see `app_with_feeds`)."""
    with TestClient(app_with_feeds(settings)) as test_client:
        yield test_client


@pytest.fixture
def feeds_client(client: TestClient, world: World) -> TestClient:
    return client


def test_a_repeat_with_the_etag_or_the_date_is_304(feeds_client: TestClient, world: World) -> None:
    client = feeds_client
    publish(client.app.state.db, world, **unique(1))
    for fmt in ("rss", "atom", "json"):
        url = f"/feeds/releases.{fmt}"
        first = client.get(url, headers=IDENTITY)
        assert first.status_code == 200
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert etag.startswith('"') and parsedate_to_datetime(modified)

        again = client.get(url, headers={**IDENTITY, "If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == "public, max-age=60"
        assert 'rel="hub"' in again.headers["link"]
        listed = client.get(url, headers={**IDENTITY, "If-None-Match": f'"other", W/{etag}'})
        assert listed.status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200

        since = client.get(url, headers={**IDENTITY, "If-Modified-Since": modified})
        assert since.status_code == 304
        earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(seconds=1), True)
        assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
        assert client.get(url, headers={"If-Modified-Since": "yesterday"}).status_code == 200
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
        both = client.get(url, headers={"If-None-Match": '"other"', "If-Modified-Since": modified})
        assert both.status_code == 200


def test_cached_bytes_are_served_until_a_release_in_that_feed_changes(
    feeds_client: TestClient, world: World
) -> None:
    client = feeds_client
    db = client.app.state.db
    wind = publish(db, world, **unique(1, industries=["wind-power"]))
    feed_cache = cache(client)

    energy = client.get("/feeds/industry/energy.atom", headers=IDENTITY)
    banking = client.get("/feeds/industry/banking.atom", headers=IDENTITY)
    everything = client.get("/feeds/releases.atom", headers=IDENTITY)
    renders = feed_cache.renders
    for _ in range(3):
        assert client.get("/feeds/industry/energy.atom", headers=IDENTITY).content == (
            energy.content
        )
    assert feed_cache.renders == renders  # served from the cache

    # A banking release: the banking and the everything feeds change; the energy feed stays.
    bank = publish(db, world, who="other_issuer", **unique(2, industries=["banking"]))
    assert entry_ids(client, "/feeds/industry/banking.atom") == [bank]
    assert entry_ids(client, "/feeds/releases.atom") == [bank, wind]
    assert feed_cache.renders == renders + 2
    again = client.get("/feeds/industry/energy.atom", headers=IDENTITY)
    assert again.content == energy.content and again.headers["etag"] == energy.headers["etag"]
    assert feed_cache.renders == renders + 2  # untouched
    assert (
        client.get(
            "/feeds/industry/energy.atom", headers={"If-None-Match": energy.headers["etag"]}
        ).status_code
        == 304
    )

    # A solar release: now the energy feed is rendered again, and its ETag changes.
    solar = publish(db, world, **unique(3, industries=["solar-power"]))
    fresh = client.get("/feeds/industry/energy.atom", headers=IDENTITY)
    assert fresh.headers["etag"] != energy.headers["etag"]
    assert entry_ids(client, "/feeds/industry/energy.atom") == [solar, wind]
    assert (
        client.get(
            "/feeds/industry/energy.atom", headers={"If-None-Match": energy.headers["etag"]}
        ).status_code
        == 200
    )
    assert banking.content != everything.content


def test_a_cached_hit_reads_nothing_from_the_database(
    feeds_client: TestClient, world: World
) -> None:
    client = feeds_client
    db = client.app.state.db
    publish(db, world, **unique(1))
    client.get("/feeds/releases.rss")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    started = time.monotonic()
    try:
        for _ in range(50):
            assert client.get("/feeds/releases.rss").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    seconds = time.monotonic() - started
    # nothing but the once-a-second check of the publication sequence and the editions (two
    # statements), however many seconds the 50 hits spanned on a busy machine
    checks = ("FROM stream_events", "FROM editions ORDER BY editions.updated_at DESC")
    assert all(any(c in st for c in checks) for st in statements), statements
    assert len(statements) <= 2 * (int(seconds) + 2), (seconds, statements)


def test_a_correction_keeps_the_id_and_updates_the_entry(
    feeds_client: TestClient, world: World
) -> None:
    client = feeds_client
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    rid = publish(client.app.state.db, world, at=an_hour_ago, **unique(1))
    before = {fmt: client.get(f"/feeds/releases.{fmt}") for fmt in ("rss", "atom", "json")}
    old_atom = feedparser.parse(before["atom"].content).entries[0]

    corrected = client.post(
        f"/api/v1/releases/{rid}/corrections",
        json={
            "release": release_payload(
                **unique(1, subheadline="Nordlicht II will power about 690,000 households")
            ),
            "reason": "Household figure",
        },
        headers=world.headers("editor"),
    )
    assert corrected.status_code == 201, corrected.text

    after = {fmt: client.get(f"/feeds/releases.{fmt}") for fmt in ("rss", "atom", "json")}
    for fmt in after:
        assert after[fmt].headers["etag"] != before[fmt].headers["etag"]
    atom = feedparser.parse(after["atom"].content)
    assert len(atom.entries) == 1
    new = atom.entries[0]
    assert new.id == old_atom.id == f"urn:newswire:release:{rid}"
    assert new.updated_parsed > old_atom.updated_parsed
    assert new.published_parsed == old_atom.published_parsed
    assert new.summary == "Nordlicht II will power about 690,000 households"
    assert "Household figure" in new.content[0].value

    rss = feedparser.parse(after["rss"].content)
    assert [e.id for e in rss.entries] == [f"urn:newswire:release:{rid}"]
    item = after["json"].json()["items"][0]
    assert item["id"] == f"urn:newswire:release:{rid}"
    assert item["date_modified"] > item["date_published"]
    assert item["_newswire"] == {**item["_newswire"], "kind": "correction", "version": 2}


def test_a_correction_that_changes_the_industry_moves_the_release_between_feeds(
    feeds_client: TestClient, world: World
) -> None:
    client = feeds_client
    rid = publish(client.app.state.db, world, **unique(1, industries=["wind-power"]))
    assert entry_ids(client, "/feeds/industry/energy.json") == [rid]
    assert entry_ids(client, "/feeds/industry/banking.json") == []
    client.post(
        f"/api/v1/releases/{rid}/corrections",
        json={
            "release": release_payload(**unique(1, industries=["banking"])),
            "reason": "Wrong industry",
        },
        headers=world.headers("editor"),
    ).raise_for_status()
    assert entry_ids(client, "/feeds/industry/energy.json") == []  # left the cached feed
    assert entry_ids(client, "/feeds/industry/banking.json") == [rid]


def test_an_embargoed_release_never_appears_before_the_scheduler_publishes_it(
    feeds_client: TestClient, world: World
) -> None:
    client = feeds_client
    db = client.app.state.db
    lift = datetime.now(UTC) + timedelta(hours=3)
    visible = publish(db, world, **unique(1))
    embargoed = publish(db, world, **unique(2, embargo_until=lift.isoformat()))
    urls = [
        f"/feeds/{path}.{fmt}"
        for path in ("releases", "industry/wind-power", "issuer/acme", "region/EU")
        for fmt in ("rss", "atom", "json")
    ]

    def everywhere() -> set[str]:
        """The releases in any of the feeds; the embargoed text only ever with its entry."""
        seen: set[str] = set()
        for url in urls:
            ids = set(entry_ids(client, url))
            text = client.get(url).text
            assert ("release number 2" in text.lower()) == (embargoed in ids), url
            seen |= ids
        return seen

    assert everywhere() == {visible}
    assert run_once(db, now=lift - timedelta(seconds=1)) == []
    assert everywhere() == {visible}
    assert run_once(db, now=lift) == [embargoed]
    assert everywhere() == {visible, embargoed}


def test_another_process_publishing_is_seen_on_the_next_check(
    feeds_client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without this process's generation bump (as when another node publishes), the cache
    still notices within its check interval."""
    client = feeds_client
    db = client.app.state.db
    first = publish(db, world, **unique(1))
    feed_cache = cache(client)
    feed_cache.check_interval_s = 0.2
    assert entry_ids(client, "/feeds/releases.json") == [first]

    monkeypatch.setattr(store_feeds, "invalidate_for", lambda version=None: None)
    second = publish(db, world, **unique(2))
    # within the interval the cached page may still be served...
    time.sleep(0.25)
    # ...and after it the check finds the new version and renders the feed again
    assert entry_ids(client, "/feeds/releases.json") == [second, first]


def test_the_in_process_generation_moves_only_on_commits_that_add_a_version(
    feeds_client: TestClient, world: World
) -> None:
    db = feeds_client.app.state.db
    generation = store_feeds.publication_generation()
    with db.session() as s:
        s.execute(store_feeds.select(store_feeds.Organization.id)).all()
    assert store_feeds.publication_generation() == generation
    publish(db, world, **unique(1))
    assert store_feeds.publication_generation() != generation


def test_the_cache_drops_the_oldest_pages_past_its_byte_budget(
    feeds_client: TestClient, world: World
) -> None:
    client = feeds_client
    publish(client.app.state.db, world, **unique(1))
    small = FeedCache(max_bytes=1)
    client.app.state.feeds = small
    for fmt in ("rss", "atom", "json"):
        assert client.get(f"/feeds/releases.{fmt}").status_code == 200
    assert len(small._entries) == 1  # only the newest page is kept
    assert client.get("/feeds/releases.json").status_code == 200


def test_cached_hits_are_answered_before_the_application_routes(
    feeds_client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = feeds_client
    publish(client.app.state.db, world, **unique(1))
    warm = client.get("/feeds/releases.rss?lang=en", headers=IDENTITY)

    async def routed(*_args: object) -> None:
        raise AssertionError("a cached hit went through the routes")

    monkeypatch.setattr(FeedEndpoint, "__call__", routed)
    for _ in range(3):
        hit = client.get("/feeds/releases.rss?lang=en", headers=IDENTITY)
        assert hit.status_code == 200 and hit.content == warm.content
    etag = {"If-None-Match": warm.headers["etag"]}
    assert client.get("/feeds/releases.rss?lang=en", headers=etag).status_code == 304
    assert client.head("/feeds/releases.rss?lang=en", headers=IDENTITY).content == b""
    # a miss goes on to the routes
    with pytest.raises(AssertionError, match="went through the routes"):
        client.get("/feeds/releases.atom")
    # so does a hit once this process has published: the route checks validity first
    monkeypatch.undo()
    publish(client.app.state.db, world, **unique(2))
    monkeypatch.setattr(FeedEndpoint, "__call__", routed)
    with pytest.raises(AssertionError, match="went through the routes"):
        client.get("/feeds/releases.rss?lang=en")
