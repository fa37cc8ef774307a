"""Language feeds carry the approved editions (translations) in their language, each as its
own entry with its own stable id, linked to the edition's page; nothing unapproved, nothing
embargoed, and the cached feed changes the moment an edition is approved."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from fastapi.testclient import TestClient
from test_feeds_support import app_with_feeds, publish, unique

from builders import World
from newswire.actions import editions
from newswire.actions import releases as actions
from newswire.actions.scheduler import run_once
from newswire.config import Settings
from newswire.store.db import Database
from newswire.translate.engines import EngineRegistry

GERMAN = {
    "headline": "Acme eröffnet eine neue Fabrik in Lissabon",
    "body": "Acme eröffnet heute eine neue Fabrik in Lissabon. Sie beschäftigt 300 Menschen.",
}


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(app_with_feeds(settings)) as test_client:
        yield test_client


def _translate_by_hand(db: Database, world: World, rid: str, language: str = "de") -> None:
    """No engine knows en->de here: the edition waits for a human, who writes and approves it."""
    now = datetime.now(UTC)
    editions.translate_due(db, EngineRegistry(), now=now)
    with db.session() as s:
        editions.post_edit(s, world.editor, rid, language, GERMAN, now=now)
    with db.session() as s:
        editions.approve_edition(s, world.editor, rid, language, now=now)


def _atom(client: TestClient, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200, response.text
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_an_approved_edition_is_its_own_entry_in_its_language_feed(
    client: TestClient, world: World
) -> None:
    db = client.app.state.db
    rid = publish(db, world, **unique(1, industries=["wind-power"], target_languages=["de"]))
    assert _atom(client, "/feeds/language/de.atom").entries == []  # cached, and empty

    _translate_by_hand(db, world, rid)

    feed = _atom(client, "/feeds/language/de.atom")
    (entry,) = feed.entries
    assert entry.id == f"urn:newswire:release:{rid}:de"
    assert entry.title == GERMAN["headline"]
    assert entry.link == f"http://testserver/releases/{rid}/de"
    assert entry.get("language") == "de" or feed.feed.get("language") == "de"
    content = entry.content[0].value
    assert "Sie beschäftigt 300 Menschen" in content
    # how it was translated, in German, before the article
    assert content.startswith(
        "<p><em>Übersetzt und redaktionell geprüft; Originalsprache: Englisch"
    )
    # the original stays where it was, once
    everything = _atom(client, "/feeds/releases.atom")
    assert [e.id for e in everything.entries] == [f"urn:newswire:release:{rid}"]
    assert _atom(client, "/feeds/language/en.atom").entries[0].title != GERMAN["headline"]
    # JSON Feed and RSS say the same
    items = json.loads(client.get("/feeds/language/de.json").content)["items"]
    assert [(i["id"], i["language"]) for i in items] == [(f"urn:newswire:release:{rid}:de", "de")]
    rss = _atom(client, "/feeds/language/de.rss")
    assert [e.id for e in rss.entries] == [f"urn:newswire:release:{rid}:de"]


def test_edition_entries_follow_the_other_filters(client: TestClient, world: World) -> None:
    db = client.app.state.db
    wind = publish(db, world, **unique(1, industries=["wind-power"], target_languages=["de"]))
    oil = publish(db, world, **unique(2, industries=["oil-gas"], target_languages=["de"]))
    _translate_by_hand(db, world, wind)
    _translate_by_hand(db, world, oil)
    both = _atom(client, "/feeds/language/de.atom")
    assert {e.id for e in both.entries} == {
        f"urn:newswire:release:{wind}:de",
        f"urn:newswire:release:{oil}:de",
    }
    wind_only = _atom(client, "/feeds/releases.atom?lang=de&industry=wind-power")
    assert [e.id for e in wind_only.entries] == [f"urn:newswire:release:{wind}:de"]
    assert _atom(client, "/feeds/releases.atom?lang=de&issuer=globex").entries == []


def test_an_edition_waiting_for_the_desk_is_not_in_any_feed(
    client: TestClient, world: World
) -> None:
    db = client.app.state.db
    rid = publish(db, world, **unique(1, target_languages=["de"]))
    editions.translate_due(db, EngineRegistry(), now=datetime.now(UTC))
    with db.session() as s:
        editions.post_edit(s, world.editor, rid, "de", GERMAN, now=datetime.now(UTC))
    assert _atom(client, "/feeds/language/de.atom").entries == []


def test_an_embargoed_releases_edition_waits_for_the_embargo(
    client: TestClient, world: World
) -> None:
    db = client.app.state.db
    lift = datetime.now(UTC) + timedelta(hours=2)
    rid = publish(db, world, **unique(1, target_languages=["de"], embargo_until=lift.isoformat()))
    _translate_by_hand(db, world, rid)
    assert _atom(client, "/feeds/language/de.atom").entries == []
    run_once(db, now=lift + timedelta(seconds=1))
    assert [e.id for e in _atom(client, "/feeds/language/de.atom").entries] == [
        f"urn:newswire:release:{rid}:de"
    ]


def test_a_retraction_reaches_the_edition_entry(client: TestClient, world: World) -> None:
    db = client.app.state.db
    rid = publish(db, world, **unique(1, target_languages=["de"]))
    _translate_by_hand(db, world, rid)
    with db.session() as s:
        actions.retract(
            s, client.app.state.settings, world.editor, rid, "Falsche Zahlen", now=datetime.now(UTC)
        )
    (entry,) = _atom(client, "/feeds/language/de.atom").entries
    assert entry.id == f"urn:newswire:release:{rid}:de"
    assert "Falsche Zahlen" in entry.summary and entry.title != GERMAN["headline"]
