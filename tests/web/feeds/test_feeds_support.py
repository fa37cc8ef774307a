"""Helpers for the feed tests (no tests here): publish releases fast, through the actions and
the scheduler, and read feeds back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
from fastapi import FastAPI
from fastapi.testclient import TestClient

from builders import World, release_payload
from newswire.actions import releases as actions
from newswire.actions.scheduler import run_once
from newswire.config import Settings
from newswire.intake.validate import ReleaseInput, content_from_input
from newswire.store.db import Database
from newswire.web import feeds as web_feeds
from newswire.web.app import create_app
from newswire.web.feeds.cache import FeedCache, cache_of

GERMAN = {
    "headline": "Acme Speicher nimmt Batteriepark in Brandenburg in Betrieb",
    "subheadline": None,
    "dateline": {"city": "Berlin", "country": "DE"},
    "body": (
        "Die Acme Renewables AG hat heute ihren größten Batteriespeicher in Brandenburg in "
        "Betrieb genommen.\n\nDer Speicher nimmt Strom aus Wind- und Solarparks auf und gibt "
        "ihn bei Bedarf wieder ab."
    ),
    "boilerplate": "Die Acme Renewables AG baut und betreibt Wind- und Solarparks in Europa.",
    "language": "de",
    "keywords": ["Batteriespeicher"],
    "target_languages": [],
}


def app_with_feeds(settings: Settings) -> FastAPI:
    """The application with the feeds installed (router and fast path), whether or not
    create_app does it yet."""
    app = create_app(settings, run_scheduler=False)
    web_feeds.install(app)
    return app


def publish(
    db: Database,
    world: World,
    *,
    who: str = "issuer",
    at: datetime | None = None,
    **overrides: Any,
) -> str:
    """Create, submit, approve (overriding checks: these tests are not about review) and let
    the scheduler publish one release; returns its id."""
    now = at or datetime.now(UTC)
    content = content_from_input(ReleaseInput.model_validate(release_payload(**overrides)), now=now)
    with db.session() as s:
        release = actions.create_release(s, getattr(world, who), content, submit=True, now=now)
        actions.approve(s, world.editor, release.id, override_reason="feed tests", now=now)
        rid = release.id
    if content.embargo_until is None:
        assert rid in run_once(db, now=now + timedelta(seconds=1))
    return rid


def unique(n: int, **overrides: Any) -> dict[str, Any]:
    """Payload overrides for the n-th of several otherwise similar releases."""
    return {
        "headline": f"Release number {n} of the feed tests",
        "body": f"This is the body of release number {n}.\n\nIt has a second paragraph {n}.",
        **overrides,
    }


def entry_ids(client: TestClient, url: str) -> list[str]:
    """The release ids in a feed, in order, read with feedparser (or json for .json)."""
    response = client.get(url)
    assert response.status_code == 200, response.text
    if url.split("?")[0].endswith(".json"):
        return [i["id"].rsplit(":", 1)[1] for i in json.loads(response.content)["items"]]
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return [e.id.rsplit(":", 1)[1] for e in parsed.entries]


def cache(client: TestClient) -> FeedCache:
    return cache_of(client.app)
