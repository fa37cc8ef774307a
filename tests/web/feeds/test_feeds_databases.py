"""The feed queries on SQLite and on PostgreSQL: filtered scans, paging, and change tracking
across a correction (the other feed tests run on SQLite only)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from test_feeds_support import app_with_feeds, entry_ids, publish, unique

from builders import World, release_payload
from newswire.config import Settings
from newswire.store import feeds as store_feeds
from newswire.store.db import Database
from newswire.store.feed_query import FeedQuery


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(app_with_feeds(settings)) as test_client:
        yield test_client


def test_feed_queries_and_change_tracking(
    client: TestClient, world: World, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_feeds, "PAGE_SIZE", 2)
    ago = datetime.now(UTC) - timedelta(hours=1)  # so that the correction comes later
    wind = publish(db, world, at=ago, **unique(1, industries=["wind-power"], regions=["DE"]))
    bank = publish(db, world, who="other_issuer", at=ago, **unique(2, industries=["banking"]))
    solar = publish(db, world, at=ago, **unique(3, industries=["solar-power"], regions=["EU"]))

    assert entry_ids(client, "/feeds/releases.json") == [solar, bank]  # SQL paging
    assert entry_ids(client, "/feeds/releases.json?page=2") == [wind]
    assert entry_ids(client, "/feeds/industry/energy.json") == [solar, wind]  # scanned
    assert entry_ids(client, "/feeds/region/DE.rss?issuer=acme") == [solar, wind]
    assert entry_ids(client, "/feeds/issuer/globex.atom") == [bank]

    with db.session() as s:
        mark, _ = store_feeds.publication_mark(s)
    client.post(
        f"/api/v1/releases/{wind}/corrections",
        json={
            "release": release_payload(**unique(1, industries=["banking"], regions=["DE"])),
            "reason": "Wrong industry",
        },
        headers=world.headers("editor"),
    ).raise_for_status()
    with db.session() as s:
        changes = store_feeds.changes_since(s, mark)
    assert changes is not None
    (change,) = [c for c in changes if c.version_id > mark]
    assert change.affects(FeedQuery(industry="energy"))  # it was there before
    assert change.affects(FeedQuery(industry="business-finance"))  # it is there now
    assert not change.affects(FeedQuery(issuer="globex"))

    assert entry_ids(client, "/feeds/industry/energy.json") == [solar]
    assert entry_ids(client, "/feeds/industry/banking.json") == [wind, bank]
    assert entry_ids(client, "/feeds/releases.json") == [wind, solar]
