"""Approved translations (editions) in the terminal streams: a terminal that follows a language
gets each release's edition in that language as its own event, whether the edition was approved
before the release went out (then right after the original) or afterwards (then when it is
approved), with the edition's ninjs; replay and the other filters treat edition events like any
other. A terminal with no language filter gets every language, each event saying its own."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import httpx
from test_streams import Server, read_events

from builders import World, release_payload
from newswire.actions import editions
from newswire.actions import releases as actions
from newswire.channels.streams import StreamFilter, replay
from newswire.intake import validate_release
from newswire.store.db import Database
from newswire.translate.engines import EngineRegistry

HEADLINE = "Acme Renewables Commissions 640 MW North Sea Wind Farm"
GERMAN = {
    "headline": "Acme Renewables nimmt Windpark mit 640 MW in der Nordsee in Betrieb",
    "body": "Acme Renewables hat heute den Offshore-Windpark **Nordlicht II** in Betrieb genommen.",
}
FRENCH = {
    "headline": "Acme Renewables met en service un parc éolien de 640 MW en mer du Nord",
    "body": "Acme Renewables a mis en service aujourd'hui le parc éolien **Nordlicht II**.",
}


def approved(db: Database, world: World, **overrides: object) -> str:
    """Filed and approved by the desk (which requests its editions), not yet published."""
    now = datetime.now(UTC)
    with db.session() as s:
        content = validate_release(release_payload(**overrides), now=now)
        release = actions.create_release(s, world.issuer, content, submit=True, now=now)
        actions.approve(s, world.editor, release.id, override_reason="test", now=now)
        return release.id


def go_out(db: Database, world: World, rid: str) -> None:
    with db.session() as s:
        actions.publish(s, db.settings, world.editor, rid, now=datetime.now(UTC))


def translate_by_hand(
    db: Database, world: World, rid: str, language: str = "de", text: dict | None = None
) -> None:
    """No engine knows en->de here: the edition waits for a translator, who writes it; the
    desk approves it."""
    now = datetime.now(UTC)
    editions.translate_due(db, EngineRegistry(), now=now)
    with db.session() as s:
        editions.post_edit(s, world.editor, rid, language, text or GERMAN, now=now)
    with db.session() as s:
        editions.approve_edition(s, world.editor, rid, language, now=now)


def headline(event: dict) -> str:
    return str(event["data"]["headlines"][0]["value"])


def test_an_edition_approved_before_publication_goes_out_with_it(
    db: Database, world: World
) -> None:
    rid = approved(db, world, target_languages=["de", "fr"])
    translate_by_hand(db, world, rid, "de", GERMAN)
    translate_by_hand(db, world, rid, "fr", FRENCH)
    with Server(db.settings) as server:
        key = world.keys["issuer"]
        later = threading.Thread(target=lambda: (time.sleep(0.3), go_out(db, world, rid)))
        later.start()
        [german] = read_events(server.url, key, 1, params={"lang": "de"})
        later.join()
        assert german["event"] == "release"
        assert german["data"]["language"] == "de"
        assert headline(german) == GERMAN["headline"]
        assert german["data"]["uri"] == f"urn:newswire:release:{rid}"  # the same item, in German
        assert german["data"]["version"] == "1"

        everything = read_events(server.url, key, 3, last_id=0)
        assert [(e["event"], e["data"]["language"]) for e in everything] == [
            ("release", "en"),
            ("release", "de"),
            ("release", "fr"),
        ]
        assert [e["id"] for e in everything] == sorted({e["id"] for e in everything})
        assert headline(everything[0]) == HEADLINE
        [english] = read_events(server.url, key, 1, last_id=0, params={"lang": "en"})
        assert english["id"] == everything[0]["id"]


def test_an_edition_approved_afterwards_reaches_the_terminal_live_and_in_replay(
    db: Database, world: World
) -> None:
    rid = approved(db, world)
    go_out(db, world, rid)
    editions.translate_due(db, EngineRegistry(), now=datetime.now(UTC))
    with db.session() as s:
        editions.post_edit(s, world.editor, rid, "de", GERMAN, now=datetime.now(UTC))
    with Server(db.settings) as server:
        key = world.keys["issuer"]
        [original] = read_events(server.url, key, 1, last_id=0)
        assert original["data"]["language"] == "en"

        def approve_over_the_api() -> None:
            time.sleep(0.3)
            base = server.url.removesuffix("/api/v1/stream")
            response = httpx.post(
                f"{base}/api/v1/releases/{rid}/editions/de/approve", headers=world.headers("editor")
            )
            assert response.status_code == 200, response.text

        later = threading.Thread(target=approve_over_the_api)
        later.start()
        [live] = read_events(server.url, key, 1, last_id=original["id"], params={"lang": "de"})
        later.join()
        assert (live["event"], live["data"]["language"]) == ("release", "de")
        assert headline(live) == GERMAN["headline"] and live["id"] > original["id"]

        [replayed] = read_events(server.url, key, 1, last_id=original["id"])
        assert replayed == live
        # a terminal following German only never saw the English original
        [first_german] = read_events(server.url, key, 1, last_id=0, params={"lang": "de"})
        assert first_german["id"] == live["id"]


def test_filters_apply_to_edition_events_as_to_the_original(db: Database, world: World) -> None:
    wind = approved(db, world, industries=["wind-power"], regions=["DE"])
    bank = approved(
        db,
        world,
        headline="Harbor Bank Reports Record Profit",
        industries=["banking"],
        regions=["SG"],
    )
    for rid in (wind, bank):
        translate_by_hand(db, world, rid)
        go_out(db, world, rid)

    def german(**params: str) -> list[str]:
        events, _ = replay(
            db,
            0,
            StreamFilter.parse(
                [params.get("industry", "")] if "industry" in params else [],
                [params.get("region", "")] if "region" in params else [],
                ["de"],
                [params.get("issuer", "")] if "issuer" in params else [],
            ),
        )
        assert all(e.language == "de" and e.edition == "de" for e in events)
        return [e.release_id for e in events]

    assert german() == [wind, bank]
    assert german(industry="energy") == [wind]  # a parent industry takes in its children
    assert german(region="EU") == [wind]  # a region group takes in its countries
    assert german(region="SG") == [bank]
    assert german(issuer="acme") == [wind, bank]
    assert german(issuer="globex") == []


def test_corrections_and_retractions_reach_a_terminal_in_its_language(
    db: Database, world: World
) -> None:
    rid = approved(db, world)
    translate_by_hand(db, world, rid)
    go_out(db, world, rid)
    now = datetime.now(UTC)
    with db.session() as s:
        content = validate_release(release_payload(subheadline="corrected figure"), now=now)
        actions.correct(s, db.settings, world.editor, rid, content, "subheadline", now=now)
    with Server(db.settings) as server:  # the German text is translated again first
        got = read_events(server.url, world.keys["issuer"], 1, last_id=0, params={"lang": "de"})
        assert [e["data"]["version"] for e in got] == ["1"]
    translate_by_hand(db, world, rid)
    with db.session() as s:
        actions.retract(s, db.settings, world.editor, rid, "issued in error", now=now)
    with Server(db.settings) as server:
        got = read_events(server.url, world.keys["issuer"], 3, last_id=0, params={"lang": "de"})
    assert [(e["event"], e["data"]["version"], e["data"]["language"]) for e in got] == [
        ("release", "1", "de"),
        ("correction", "2", "de"),
        ("retraction", "3", "de"),
    ]
    assert all(headline(e) == GERMAN["headline"] for e in got)


def test_a_machine_translation_approved_by_the_qa_gate_is_streamed(
    db: Database, world: World
) -> None:
    known = {
        "Acme opens a new plant in Porto": "Acme abre uma nova fábrica no Porto",
        "Acme opened a plant in Porto today.": "A Acme abriu hoje uma fábrica no Porto.",
    }

    class Phrasebook:
        name = "phrasebook"

        def supports(self, src: str, tgt: str) -> bool:
            return (src, tgt) == ("en", "pt")

        def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
            return [known.get(s.strip(), s) for s in segments]

    rid = approved(
        db,
        world,
        headline="Acme opens a new plant in Porto",
        subheadline=None,
        body="Acme opened a plant in Porto today.",
        target_languages=["pt"],
    )
    go_out(db, world, rid)
    registry = EngineRegistry({"en-pt": "phrasebook"}, {"phrasebook": Phrasebook()})
    editions.translate_due(db, registry, now=datetime.now(UTC))
    with db.session() as s:
        [edition] = editions.editions_of(s, rid)
        assert edition.status == "approved" and edition.approved_by == "QA gate"
    events, _ = replay(db, 0, StreamFilter.parse([], [], ["pt"], []))
    assert [(e.release_id, e.kind, e.language) for e in events] == [(rid, "original", "pt")]
    assert (
        json.loads(events[0].ninjs)["headlines"][0]["value"]
        == "Acme abre uma nova fábrica no Porto"
    )


def test_each_edition_goes_into_the_log_once_and_only_when_out(db: Database, world: World) -> None:
    rid = approved(db, world)
    translate_by_hand(db, world, rid)
    assert replay(db, 0, StreamFilter())[0] == []  # approved, but the release is not out yet
    go_out(db, world, rid)
    with db.session() as s:  # approved again: nothing new
        editions.approve_edition(s, world.editor, rid, "de", now=datetime.now(UTC))
    events, _ = replay(db, 0, StreamFilter())
    assert [(e.kind, e.language) for e in events] == [("original", "en"), ("original", "de")]


def test_the_websocket_stream_carries_editions_too(db: Database, world: World) -> None:
    from fastapi.testclient import TestClient

    from newswire.web.app import create_app

    rid = approved(db, world)
    translate_by_hand(db, world, rid)
    go_out(db, world, rid)
    with TestClient(create_app(db.settings, run_scheduler=False)) as client:
        key = world.keys["issuer"]
        with client.websocket_connect(f"/api/v1/stream/ws?key={key}&lang=de") as ws:
            message = ws.receive_json()
    assert message["event"] == "release"
    assert json.loads(message["data"])["language"] == "de"
