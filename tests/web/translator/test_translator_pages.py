"""The translators' pages over HTTP: sign-in leads to the queue, the queue holds only the
translator's languages, the side-by-side page pre-fills and marks terms, a draft keeps the text,
the QA gate's flags show before the final submit, the desk sees who translated; and a translator
opens nothing else (desk, portal, operator, other editions, the release itself)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from builders import World, in_hours, release_payload, sqlite_url
from newswire.actions import accounts
from newswire.actions.editions import DatabaseMemory, translate_due
from newswire.config import Settings
from newswire.domain.lifecycle import Role
from newswire.store.db import Database
from newswire.store.models import Edition
from newswire.translate.engines import EngineRegistry
from newswire.web.app import create_app
from web_pages import csrf, login

HEADLINE = "Acme opens a new factory in Lisbon"
BODY = "Acme opened a new factory in Lisbon today. It will employ 300 people."
GERMAN_BODY = [
    "Acme hat heute eine neue Fabrik in Lissabon eröffnet.",
    "Sie wird 300 Menschen beschäftigen.",
]
GERMAN_HEADLINE = "Acme eröffnet eine neue Fabrik in Lissabon"


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


@pytest.fixture
def web(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, run_scheduler=False)) as test_client:
        yield test_client


def add_translator(db: Database, email: str, languages: str, *, trusted: bool = False) -> None:
    with db.session() as s:
        accounts.create_user(
            s, email=email, name=email.split("@")[0].title(), role=Role.TRANSLATOR,
            organization=accounts.get_organization(s, "newswire-desk"),
            password="correct-horse", languages=languages, trusted=trusted,
        )  # fmt: skip


def approved_release(web: TestClient, world: World, languages: list[str], **extra: object) -> str:
    fields = {"headline": HEADLINE, "subheadline": None, "body": BODY, **extra}
    created = web.post(
        "/api/v1/releases?submit=true",
        json=release_payload(target_languages=languages, **fields),
        headers=world.headers("issuer"),
    )
    assert created.status_code == 201, created.text
    rid = str(created.json()["id"])
    approved = web.post(
        f"/api/v1/releases/{rid}/approve",
        json={"override_reason": "test"},
        headers=world.headers("editor"),
    )
    assert approved.status_code == 200, approved.text
    translate_due(web.app.state.db, EngineRegistry(), now=datetime.now(UTC))
    return rid


def edition_id(db: Database, rid: str, language: str) -> int:
    with db.session() as s:
        return s.query(Edition).filter_by(release_id=rid, language=language).one().id


def edition(db: Database, eid: int) -> Edition:
    with db.session() as s:
        found = s.get(Edition, eid)
        s.expunge(found)
        return found


def test_a_translator_signs_in_to_the_queue_of_their_languages(
    web: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(web, world, ["de", "th"], embargo_until=in_hours(48))
    add_translator(db, "greta@translators.example", "de")
    signed = login(web, "greta@translators.example")
    assert signed.status_code == 303 and signed.headers["location"] == "/translate"
    page = web.get("/translate")
    assert page.status_code == 200
    assert "Translation queue" in page.text and "Greta (Translator)" in page.text
    assert "Your languages: German" in page.text
    assert HEADLINE in page.text and "German" in page.text and "English" in page.text
    assert "embargoed until" in page.text  # when it goes out
    assert "no engine translates en to de" in page.text  # the reason
    assert f"/translate/editions/{edition_id(db, rid, 'de')}" in page.text
    assert f"/translate/editions/{edition_id(db, rid, 'th')}" not in page.text
    japanese = web.get("/translate?ui=ja")
    assert "翻訳キュー" in japanese.text and "あなたの言語：ドイツ語" in japanese.text
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_a_translator_opens_nothing_but_their_queue(
    web: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(web, world, ["de", "th"])
    add_translator(db, "greta@translators.example", "de")
    login(web, "greta@translators.example")
    for path in ("/desk", f"/desk/releases/{rid}", "/portal", "/operator", "/operator/users"):
        refused = web.get(path, follow_redirects=False)
        assert refused.status_code == 403, path
        assert "text/html" in refused.headers["content-type"]
    thai = web.get(f"/translate/editions/{edition_id(db, rid, 'th')}")
    assert thai.status_code == 404 and "in your translation queue" in thai.text
    for missing in ("424242", "not-a-number", "9" * 30):
        assert web.get(f"/translate/editions/{missing}").status_code == 404, missing
    token = csrf(web.get("/translate").text)
    posted = web.post(
        f"/translate/editions/{edition_id(db, rid, 'th')}/draft",
        data={"csrf_token": token, "headline": "x", "body": ["a", "b"]},
    )
    assert posted.status_code == 404
    assert edition(db, edition_id(db, rid, "th")).draft == {}


def test_the_desk_and_issuers_cannot_open_the_translation_pages(
    web: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(web, world, ["de"])
    for who in ("editor", "issuer", "admin"):
        web.cookies.clear()
        login(web, who)
        for path in ("/translate", f"/translate/editions/{edition_id(db, rid, 'de')}"):
            refused = web.get(path)
            assert refused.status_code == 403, (who, path)
            assert "The translation pages are for translators" in refused.text
    web.cookies.clear()
    assert (
        web.get("/translate", follow_redirects=False)
        .headers["location"]
        .startswith("/login?next=/translate")
    )


def test_the_side_by_side_page_prefills_and_marks_terms(
    web: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(
        web, world, ["de"], body=BODY + " Details at https://acme.example/lisbon."
    )
    eid = edition_id(db, rid, "de")
    with db.session() as s:  # a sentence approved before, and a machine draft of another
        DatabaseMemory(s).store("en", "de", "It will employ 300 people.", GERMAN_BODY[1])
        e = s.get(Edition, eid)
        e.machine_translated = True
        e.segments = {"headline": [[HEADLINE, "Acme öffnet Fabrik", "engine"]]}
    add_translator(db, "greta@translators.example", "de")
    login(web, "greta@translators.example")
    page = web.get(f"/translate/editions/{eid}")
    assert page.status_code == 200
    assert "Translation into German" in page.text
    assert '<mark class="term term-name"' in page.text and ">Lisbon</mark>" in page.text
    assert '<mark class="term term-protected"' in page.text
    assert ">https://acme.example/lisbon</mark>" in page.text
    assert f">{GERMAN_BODY[1]}</textarea>" in page.text
    assert "pre-filled from: translation memory" in page.text
    assert ">Acme öffnet Fabrik</textarea>" in page.text
    assert "pre-filled from: machine draft" in page.text
    assert len(re.findall(r'<textarea[^>]+name="body"', page.text)) == 3


def test_a_draft_is_kept_and_the_status_stays(web: TestClient, world: World, db: Database) -> None:
    rid = approved_release(web, world, ["de"])
    eid = edition_id(db, rid, "de")
    add_translator(db, "greta@translators.example", "de")
    login(web, "greta@translators.example")
    path = f"/translate/editions/{eid}"
    token = csrf(web.get(path).text)
    saved = web.post(
        path + "/draft",
        data={"csrf_token": token, "headline": "", "body": [GERMAN_BODY[0], ""]},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == path + "?done=draft"
    page = web.get(saved.headers["location"])
    assert "Draft saved." in page.text and f">{GERMAN_BODY[0]}</textarea>" in page.text
    assert "draft saved by greta@translators.example" in page.text
    kept = edition(db, eid)
    assert kept.status == "needs_translator" and kept.content == {}
    refused = web.post(path + "/draft", data={"csrf_token": "forged", "body": ["x", "y"]})
    assert refused.status_code == 403


def test_flags_show_before_the_final_submit_then_the_desk_sees_who_translated(
    web: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(web, world, ["de"])
    eid = edition_id(db, rid, "de")
    add_translator(db, "greta@translators.example", "de")
    login(web, "greta@translators.example")
    path = f"/translate/editions/{eid}"
    token = csrf(web.get(path).text)
    typed = {
        "csrf_token": token,
        "headline": GERMAN_HEADLINE,
        "body": [GERMAN_BODY[0], "Sie wird 30 Menschen beschäftigen."],
    }
    held = web.post(path + "/submit", data=typed)
    assert held.status_code == 200
    assert "The QA gate raised doubts" in held.text
    assert "300 in the source not found in the target" in held.text
    assert ">Sie wird 30 Menschen beschäftigen.</textarea>" in held.text  # nothing lost
    assert 'name="confirm" value="1"' in held.text
    assert edition(db, eid).status == "needs_translator"
    empty = web.post(path + "/submit", data={**typed, "body": [GERMAN_BODY[0], ""]})
    assert empty.status_code == 422 and "sentence(s) 2 are empty" in empty.text
    sent = web.post(path + "/submit", data={**typed, "confirm": "1"}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/translate?done=submitted"
    assert "the desk reviews it" in web.get(sent.headers["location"]).text
    submitted = edition(db, eid)
    assert (
        submitted.status == "needs_review"
        and submitted.translated_by == "greta@translators.example"
    )
    web.cookies.clear()
    login(web, "editor")
    assert "translated by greta@translators.example" in web.get("/desk").text
    desk = web.get(f"/desk/releases/{rid}/editions/de")
    assert desk.status_code == 200
    assert "translated by greta@translators.example" in desk.text
    assert "300 in the source not found in the target" in desk.text


def test_a_trusted_translator_submits_straight_to_readers(
    web: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(web, world, ["de"])
    eid = edition_id(db, rid, "de")
    add_translator(db, "senior@translators.example", "de", trusted=True)
    login(web, "senior@translators.example")
    path = f"/translate/editions/{eid}"
    token = csrf(web.get(path).text)
    sent = web.post(
        path + "/submit",
        data={"csrf_token": token, "headline": GERMAN_HEADLINE, "body": GERMAN_BODY},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/translate?done=approved"
    approved = edition(db, eid)
    assert approved.status == "approved" and approved.approved_by == "senior@translators.example"
    with db.session() as s:
        assert DatabaseMemory(s).lookup("en", "de", HEADLINE) == GERMAN_HEADLINE
    assert web.get(path).status_code == 404  # out of the queue once approved


def test_a_correction_during_the_work_keeps_the_text_as_a_draft(
    web: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(web, world, ["de"])
    eid = edition_id(db, rid, "de")
    add_translator(db, "greta@translators.example", "de")
    login(web, "greta@translators.example")
    path = f"/translate/editions/{eid}"
    token = csrf(web.get(path).text)
    with db.session() as s:  # as retranslate_editions leaves it after a correction
        s.get(Edition, eid).status = "pending"
    typed = {"csrf_token": token, "headline": GERMAN_HEADLINE, "body": GERMAN_BODY}
    refused = web.post(path + "/submit", data=typed)
    assert refused.status_code == 409 and "being translated again" in refused.text
    kept = edition(db, eid)
    assert kept.status == "pending" and kept.translated_by is None
    assert kept.draft["fields"]["body"]["It will employ 300 people."] == GERMAN_BODY[1]
    with db.session() as s:  # back in the queue: the text is there again
        s.get(Edition, eid).status = "needs_translator"
    assert f">{GERMAN_BODY[1]}</textarea>" in web.get(path).text


def test_a_translators_api_key_reads_no_release(
    web: TestClient, world: World, db: Database
) -> None:
    rid = approved_release(web, world, ["de"])
    add_translator(db, "greta@translators.example", "de")
    with db.session() as s:
        user = accounts.user_by_email(s, "greta@translators.example")
        key = accounts.create_api_key(s, name="greta", user=user)[1]
    headers = {"Authorization": f"Bearer {key}"}
    assert web.get(f"/api/v1/releases/{rid}", headers=headers).status_code == 404
    assert web.get(f"/api/v1/releases/{rid}/editions", headers=headers).status_code == 404
    listed = web.get("/api/v1/releases", headers=headers)
    assert listed.status_code == 200 and rid not in listed.text
    filed = web.post("/api/v1/releases", json=release_payload(), headers=headers)
    assert filed.status_code == 403
