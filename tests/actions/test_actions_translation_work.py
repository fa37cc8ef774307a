"""Human translators' work: the queue in their languages, sentence-by-sentence work pre-filled
from their draft, the memory and the machine draft, the QA gate before submitting, the desk's
(or a trusted translator's) approval through the one approval path, and the memory learning."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from builders import World, release_payload, sqlite_url
from newswire.actions import accounts, translation_work
from newswire.actions.actor import Actor
from newswire.actions.editions import DatabaseMemory, approve_edition, translate_due
from newswire.actions.releases import get_release, list_releases
from newswire.domain.errors import Forbidden, NotFound
from newswire.domain.lifecycle import Role
from newswire.store.db import Database
from newswire.store.models import Edition, Release
from newswire.translate.engines import EngineRegistry

HEADLINE = "Acme opens a new factory in Lisbon"
BODY = "Acme opened a new factory in Lisbon today. It will employ 300 people."
GERMAN = {
    "headline": ["Acme eröffnet eine neue Fabrik in Lissabon"],
    "body": [
        "Acme hat heute eine neue Fabrik in Lissabon eröffnet.",
        "Sie wird 300 Menschen beschäftigen.",
    ],
}
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


def translator(db: Database, email: str, languages: str = "", *, trusted: bool = False) -> Actor:
    with db.session() as s:
        user = accounts.create_user(
            s, email=email, name=email.split("@")[0], role=Role.TRANSLATOR,
            organization=accounts.get_organization(s, "newswire-desk"),
            password="correct-horse", languages=languages, trusted=trusted,
        )  # fmt: skip
        return accounts.actor_for(user)


def approved_release(
    client: TestClient, world: World, languages: list[str], **extra: object
) -> str:
    fields = {"headline": HEADLINE, "subheadline": None, "body": BODY, **extra}
    payload = release_payload(target_languages=languages, **fields)
    created = client.post(
        "/api/v1/releases?submit=true", json=payload, headers=world.headers("issuer")
    )
    assert created.status_code == 201, created.text
    rid = str(created.json()["id"])
    approved = client.post(
        f"/api/v1/releases/{rid}/approve",
        json={"override_reason": "test"},
        headers=world.headers("editor"),
    )
    assert approved.status_code == 200, approved.text
    translate_due(client.app.state.db, EngineRegistry(), now=datetime.now(UTC))
    return rid


def edition_id(db: Database, rid: str, language: str) -> int:
    with db.session() as s:
        return s.query(Edition).filter_by(release_id=rid, language=language).one().id


def queued(db: Database, actor: Actor) -> list[tuple[str, str]]:
    with db.session() as s:
        return [(r.id, e.language) for e, r in translation_work.queue(s, actor)]


def test_the_queue_holds_what_needs_a_translator_in_their_languages(
    client: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(client, world, ["de", "ja", "th"])
    german_japanese = translator(db, "dj@translators.example", "de, ja")
    anyone = translator(db, "any@translators.example")
    assert sorted(queued(db, german_japanese)) == [(rid, "de"), (rid, "ja")]
    assert sorted(queued(db, anyone)) == [(rid, "de"), (rid, "ja"), (rid, "th")]
    with db.session() as s, pytest.raises(Forbidden):
        translation_work.queue(s, world.editor)


def test_nothing_outside_the_queue_can_be_opened(
    client: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(client, world, ["de", "th"])
    german = translator(db, "de@translators.example", "de")
    thai = edition_id(db, rid, "th")
    with (
        db.session() as s,
        pytest.raises(NotFound, match="in your translation queue"),
    ):
        translation_work.open_work(s, german, thai)
    with db.session() as s, pytest.raises(NotFound):
        translation_work.open_work(s, german, 999_999)
    with db.session() as s:  # the desk approves the German edition: it leaves the queue
        e = s.get(Edition, edition_id(db, rid, "de"))
        e.content, e.status = {"headline": "x", "body": "y"}, "approved"
    with db.session() as s, pytest.raises(NotFound):
        translation_work.open_work(s, german, edition_id(db, rid, "de"))
    with db.session() as s:  # and the release itself is never shown to a translator directly
        with pytest.raises(NotFound):
            get_release(s, german, rid)
        assert list_releases(s, german) == []


def test_a_withdrawn_release_leaves_the_queue(
    client: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(client, world, ["de"])
    german = translator(db, "de@translators.example", "de")
    assert queued(db, german) == [(rid, "de")]
    with db.session() as s:
        s.get(Release, rid).state = "withdrawn"
    assert queued(db, german) == []


def test_the_work_is_sentence_by_sentence_with_the_terms_marked(
    client: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(client, world, ["de"])
    german = translator(db, "de@translators.example", "de")
    with db.session() as s:
        work = translation_work.open_work(s, german, edition_id(db, rid, "de"))
        assert [f.name for f in work.fields] == ["headline", "body"]
        body = work.fields[1].sentences
        assert [x.source for x in body] == [
            "Acme opened a new factory in Lisbon today.",
            "It will employ 300 people.",
        ]
        assert all(x.target == "" and x.origin == "" for x in body)  # no engine for en-de
        assert [(t.text, t.kind) for t in body[0].terms] == [("Lisbon", "name")]


def test_a_draft_keeps_the_text_and_changes_nothing_else(
    client: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(client, world, ["de"])
    german = translator(db, "de@translators.example", "de")
    eid = edition_id(db, rid, "de")
    with db.session() as s:
        translation_work.save_draft(
            s, german, eid, {"headline": [""], "body": [GERMAN["body"][0], ""]}, now=NOW
        )
    with db.session() as s:
        edition = s.get(Edition, eid)
        assert edition.status == "needs_translator" and edition.content == {}
        work = translation_work.open_work(s, german, eid)
        assert work.draft_by == "de@translators.example"
        first, second = work.fields[1].sentences
        assert (first.target, first.origin) == (GERMAN["body"][0], "draft")
        assert (second.target, second.origin) == ("", "")


def test_a_form_that_does_not_match_the_sentences_is_refused(
    client: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(client, world, ["de"])
    german = translator(db, "de@translators.example", "de")
    with db.session() as s, pytest.raises(translation_work.InvalidTranslation, match="reload"):
        translation_work.save_draft(
            s, german, edition_id(db, rid, "de"), {"headline": ["x"], "body": ["one"]}, now=NOW
        )


def test_the_qa_gate_runs_before_submitting_and_flags_need_confirming(
    client: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(client, world, ["de"])
    german = translator(db, "de@translators.example", "de")
    eid = edition_id(db, rid, "de")
    wrong = {**GERMAN, "body": [GERMAN["body"][0], "Sie wird 30 Menschen beschäftigen."]}
    with db.session() as s:
        held = translation_work.submit_translation(s, german, eid, wrong, confirmed=False, now=NOW)
    assert not held.submitted
    assert [(f["kind"], f["field"], f["segment"]) for f in held.flags] == [("numbers", "body", 1)]
    with db.session() as s:
        edition = s.get(Edition, eid)
        assert edition.status == "needs_translator"  # nothing submitted, the text kept
        assert edition.draft["fields"]["body"]["It will employ 300 people."].startswith("Sie")
        sent = translation_work.submit_translation(s, german, eid, wrong, confirmed=True, now=NOW)
    assert sent.submitted and not sent.approved
    with db.session() as s:
        edition = s.get(Edition, eid)
        assert edition.status == "needs_review" and edition.translated_by == german.label
        assert edition.content["body"] == " ".join(wrong["body"])
        assert [f["kind"] for f in edition.flags["flags"]] == ["numbers"]  # the desk sees them
        assert edition.draft == {}
        again = translation_work.open_work(s, german, eid).fields[1].sentences[1]
        assert (again.target, again.origin) == (wrong["body"][1], "submitted")


def test_an_empty_sentence_cannot_be_submitted(
    client: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(client, world, ["de"])
    german = translator(db, "de@translators.example", "de")
    half = {**GERMAN, "body": [GERMAN["body"][0], ""]}
    with db.session() as s, pytest.raises(translation_work.InvalidTranslation, match="sentence"):
        translation_work.submit_translation(
            s, german, edition_id(db, rid, "de"), half, confirmed=True, now=NOW
        )


def test_the_desk_approves_a_human_edition_and_the_memory_learns(
    client: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(client, world, ["de"])
    german = translator(db, "de@translators.example", "de")
    eid = edition_id(db, rid, "de")
    with db.session() as s:
        sent = translation_work.submit_translation(s, german, eid, GERMAN, confirmed=False, now=NOW)
    assert sent.submitted and sent.flags == []
    with db.session() as s:
        approve_edition(s, world.editor, rid, "de", now=NOW)
    with db.session() as s:
        edition = s.get(Edition, eid)
        assert edition.status == "approved" and edition.approved_by == world.editor.label
        memory = DatabaseMemory(s)
        assert memory.lookup("en", "de", "It will employ 300 people.") == GERMAN["body"][1]
        assert memory.lookup("en", "de", HEADLINE) == GERMAN["headline"][0]
    again = approved_release(client, world, ["de"], headline="Acme grows in Lisbon")
    with db.session() as s:  # the next release that shares a sentence starts from the memory
        work = translation_work.open_work(s, german, edition_id(db, again, "de"))
        second = work.fields[1].sentences[1]
        assert (second.target, second.origin) == (GERMAN["body"][1], "memory")


def test_a_trusted_translator_approves_through_the_desks_path(
    client: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(client, world, ["de"])
    trusted = translator(db, "senior@translators.example", "de", trusted=True)
    with db.session() as s:
        sent = translation_work.submit_translation(
            s, trusted, edition_id(db, rid, "de"), GERMAN, confirmed=False, now=NOW
        )
    assert sent.approved
    with db.session() as s:
        edition = s.get(Edition, edition_id(db, rid, "de"))
        assert edition.status == "approved" and edition.approved_by == trusted.label
        assert DatabaseMemory(s).lookup("en", "de", BODY.split(". ")[0] + ".") == GERMAN["body"][0]
    editions = client.get(f"/api/v1/releases/{rid}/editions", headers=world.headers("issuer"))
    assert [(e["language"], e["status"], e["translated_by"]) for e in editions.json()] == [
        ("de", "approved", trusted.label)
    ]


def test_a_machine_draft_prefills_what_the_memory_does_not(
    client: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(client, world, ["de"])
    german = translator(db, "de@translators.example", "de")
    eid = edition_id(db, rid, "de")
    with db.session() as s:  # as the translate job leaves a doubtful machine translation
        edition = s.get(Edition, eid)
        edition.status, edition.machine_translated = "needs_review", True
        edition.segments = {
            "body": [["It will employ 300 people.", "Es wird 300 beschäftigen.", "engine"]]
        }
        DatabaseMemory(s).store("en", "de", "It will employ 300 people.", GERMAN["body"][1])
    with db.session() as s:
        body = translation_work.open_work(s, german, eid).fields[1].sentences
        assert (body[1].target, body[1].origin) == (GERMAN["body"][1], "memory")
        assert (body[0].target, body[0].origin) == ("", "")
    with db.session() as s:
        s.query(type(s.get(Edition, eid))).filter_by(id=eid).one().segments = {
            "body": [
                ["Acme opened a new factory in Lisbon today.", "Acme öffnete Fabrik.", "engine"]
            ]
        }
    with db.session() as s:
        body = translation_work.open_work(s, german, eid).fields[1].sentences
        assert (body[0].target, body[0].origin) == ("Acme öffnete Fabrik.", "machine")


def test_translator_accounts_name_wire_languages_only(db: Database, world: World) -> None:
    with db.session() as s:
        wire = accounts.get_organization(s, "newswire-desk")
        with pytest.raises(accounts.InvalidInput, match="'klingon' is not one of the wire"):
            accounts.create_user(
                s, email="t@x.example", name="T", role=Role.TRANSLATOR, organization=wire,
                password="correct-horse", languages="de klingon",
            )  # fmt: skip
        with pytest.raises(accounts.InvalidInput, match="for translators only"):
            accounts.create_user(
                s, email="e@x.example", name="E", role=Role.EDITOR, organization=wire,
                password="correct-horse", languages="de",
            )  # fmt: skip
        user = accounts.create_user(
            s, email="t@x.example", name="T", role=Role.TRANSLATOR, organization=wire,
            password="correct-horse", languages="zh-TW, de-AT, de",
        )  # fmt: skip
        assert user.language_list == ["zh-Hant", "de"]


def test_an_edition_of_a_release_not_approved_is_never_shown(
    client: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(client, world, ["de"])
    german = translator(db, "de@translators.example", "de")
    for state in ("draft", "submitted", "changes_requested", "rejected", "retracted"):
        with db.session() as s:
            s.get(Release, rid).state = state
        assert queued(db, german) == [], state
        with db.session() as s, pytest.raises(NotFound):
            translation_work.open_work(s, german, edition_id(db, rid, "de"))
