"""The desk's pages over HTTP: sign-in, rate limiting, CSRF, CSP, role checks, and the editor's
decisions through the forms (the release and edition change state through the action functions)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from builders import World, release_payload
from newswire.actions.scheduler import run_once
from newswire.config import Settings
from newswire.store.db import Database
from newswire.store.models import Edition, Release
from newswire.web import session
from newswire.web.app import create_app
from newswire.web.desk import routes as desk
from web_pages import EMAILS, PASSWORD, csrf, login


def desk_app(settings: Settings) -> FastAPI:
    """The app with the session layer and the desk mounted (whether or not app.py does it)."""
    app = create_app(settings, run_scheduler=False)
    if not any(getattr(r, "path", None) == "/login" for r in app.routes):
        session.install(app)
        app.include_router(desk.router)
    return app


@pytest.fixture
def web(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(desk_app(settings)) as test_client:
        yield test_client


def submit(client: TestClient, world: World, **overrides: object) -> str:
    created = client.post(
        "/api/v1/releases?submit=true",
        json=release_payload(**overrides),
        headers=world.headers("issuer"),
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def state_of(db: Database, release_id: str) -> str:
    with db.session() as s:
        release = s.get(Release, release_id)
        assert release is not None
        return release.state


def test_sign_in_and_out(web: TestClient, world: World) -> None:
    page = web.get("/login")
    assert page.status_code == 200
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # the base URL is http://testserver
    signed = login(web, "editor")
    assert signed.status_code == 303
    assert signed.headers["location"] == "/desk"
    queue = web.get("/desk")
    assert queue.status_code == 200
    assert "Review queue" in queue.text and "editor (Editor)" in queue.text
    out = web.post("/logout", data={"csrf_token": csrf(queue.text)}, follow_redirects=False)
    assert out.status_code == 303
    again = web.get("/desk", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"].startswith("/login?next=/desk")


def test_a_wrong_password_is_refused_on_the_page(web: TestClient, world: World) -> None:
    refused = login(web, "editor", "wrong-horse")
    assert refused.status_code == 401
    assert "Wrong email or password." in refused.text
    assert web.get("/desk", follow_redirects=False).status_code == 303


def test_repeated_failures_are_rate_limited(web: TestClient, world: World) -> None:
    for _ in range(session.MAX_FAILURES):
        assert login(web, "editor", "wrong-horse").status_code == 401
    limited = login(web, "editor")  # even the right password waits now
    assert limited.status_code == 429
    assert "Too many failed sign-ins" in limited.text
    assert int(limited.headers["retry-after"]) > 0
    assert login(web, "admin").status_code == 303  # another account is not held up


def test_posts_without_the_csrf_token_are_refused(web: TestClient, world: World) -> None:
    fresh = web.post(
        "/login", data={"email": EMAILS["editor"], "password": PASSWORD}, follow_redirects=False
    )
    assert fresh.status_code == 403
    assert login(web, "editor").status_code == 303
    rid = submit(web, world)
    for token in ("", "forged-token"):
        refused = web.post(f"/desk/releases/{rid}/approve", data={"csrf_token": token})
        assert refused.status_code == 403
        assert "Form refused" in refused.text
    assert state_of(web.app.state.db, rid) == "submitted"
    assert web.post("/logout", data={}).status_code == 403


def test_html_responses_carry_a_content_security_policy(web: TestClient, world: World) -> None:
    for path in ("/login", "/releases/"):
        policy = web.get(path).headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in web.get("/login").headers["content-security-policy"]
    assert "content-security-policy" not in web.get("/feeds/releases.atom").headers


def test_an_issuer_cannot_open_the_desk(web: TestClient, world: World) -> None:
    rid = submit(web, world)
    assert login(web, "issuer").status_code == 303
    for path in ("/desk", f"/desk/releases/{rid}", f"/desk/releases/{rid}/editions/de"):
        refused = web.get(path)
        assert refused.status_code == 403, path
        assert rid not in refused.text
    token = csrf(web.get("/login").text)
    posted = web.post(f"/desk/releases/{rid}/approve", data={"csrf_token": token})
    assert posted.status_code == 403
    assert state_of(web.app.state.db, rid) == "submitted"


def test_anonymous_visitors_are_sent_to_sign_in(web: TestClient, world: World) -> None:
    rid = submit(web, world)
    page = web.get(f"/desk/releases/{rid}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=/desk/releases/{rid}"
    token = csrf(web.get("/login").text)
    signed = web.post(
        "/login",
        data={
            "email": EMAILS["editor"],
            "password": PASSWORD,
            "csrf_token": token,
            "next": f"/desk/releases/{rid}",
        },
        follow_redirects=False,
    )
    assert signed.headers["location"] == f"/desk/releases/{rid}"
    evil = web.get("/login?next=//evil.example/").text
    assert "evil.example" not in evil


def test_the_queue_shows_submitted_releases_oldest_first_with_failing_checks(
    web: TestClient, world: World
) -> None:
    first = submit(web, world, headline="First In The Queue: Acme Opens A Plant")
    second = submit(
        web,
        world,
        headline="BUY NOW!!! Best Deal Ever!!! Guaranteed Returns!!!",
        body="Click here to buy now! Limited time offer! Guaranteed returns of 500%!!!",
    )
    assert login(web, "editor").status_code == 303
    queue = web.get("/desk").text
    assert queue.index(f"/desk/releases/{first}") < queue.index(f"/desk/releases/{second}")
    assert "badge-error" in queue or "badge-warning" in queue


def test_the_editor_approves_through_the_form_and_it_is_published(
    web: TestClient, world: World
) -> None:
    rid = submit(web, world)
    assert login(web, "editor").status_code == 303
    page = web.get(f"/desk/releases/{rid}")
    assert page.status_code == 200
    assert "Automated checks" in page.text and "Approve" in page.text
    done = web.post(
        f"/desk/releases/{rid}/approve",
        data={"csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/desk/releases/{rid}?done=approved"
    assert state_of(web.app.state.db, rid) == "scheduled"
    assert "Approved:" in web.get(done.headers["location"]).text
    run_once(web.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))
    assert state_of(web.app.state.db, rid) == "published"
    assert web.get(f"/releases/{rid}").status_code == 200
    # now it can be retracted, with a reason
    page = web.get(f"/desk/releases/{rid}")
    assert "Retract" in page.text and "Issue correction" in page.text
    retracted = web.post(
        f"/desk/releases/{rid}/retract",
        data={"csrf_token": csrf(page.text), "reason": "The figures were wrong."},
        follow_redirects=False,
    )
    assert retracted.status_code == 303
    assert state_of(web.app.state.db, rid) == "retracted"


def test_a_correction_shows_the_diff(web: TestClient, world: World) -> None:
    rid = submit(web, world)
    assert login(web, "editor").status_code == 303
    token = csrf(web.get("/desk").text)
    web.post(f"/desk/releases/{rid}/approve", data={"csrf_token": token})
    run_once(web.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))
    body = release_payload()["body"].replace("43 turbines", "44 turbines")
    done = web.post(
        f"/desk/releases/{rid}/correct",
        data={"csrf_token": token, "body": body, "reason": "One turbine more."},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert state_of(web.app.state.db, rid) == "corrected"
    page = web.get(f"/desk/releases/{rid}").text
    assert "version 1 → version 2" in page
    assert 'class="d-add"' in page and "44 turbines" in page


def test_reject_and_request_changes_need_a_reason(web: TestClient, world: World) -> None:
    rid = submit(web, world)
    assert login(web, "editor").status_code == 303
    token = csrf(web.get(f"/desk/releases/{rid}").text)
    missing = web.post(f"/desk/releases/{rid}/reject", data={"csrf_token": token, "reason": " "})
    assert 400 <= missing.status_code < 500
    assert 'class="flash flash-error"' in missing.text
    assert state_of(web.app.state.db, rid) == "submitted"
    changes = web.post(
        f"/desk/releases/{rid}/request-changes",
        data={"csrf_token": token, "reason": "Add a contact phone number."},
        follow_redirects=False,
    )
    assert changes.status_code == 303
    assert state_of(web.app.state.db, rid) == "changes_requested"
    other = submit(web, world, headline="Acme Announces Another Wind Farm Near Kiel")
    rejected = web.post(
        f"/desk/releases/{other}/reject",
        data={"csrf_token": token, "reason": "Not news."},
        follow_redirects=False,
    )
    assert rejected.status_code == 303
    assert state_of(web.app.state.db, other) == "rejected"
    # acting on a release in the wrong state is a message on the page, not a 500
    late = web.post(f"/desk/releases/{other}/approve", data={"csrf_token": token})
    assert 400 <= late.status_code < 500
    assert "flash-error" in late.text


def test_place_in_sections(web: TestClient, world: World) -> None:
    rid = submit(web, world)
    assert login(web, "editor").status_code == 303
    token = csrf(web.get(f"/desk/releases/{rid}").text)
    done = web.post(
        f"/desk/releases/{rid}/place",
        data={"csrf_token": token, "sections": ["business"], "top_story": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with web.app.state.db.session() as s:
        release = s.get(Release, rid)
        assert release.top_story and release.sections["sections"] == ["top-story", "business"]


def test_unknown_release_is_a_404_page(web: TestClient, world: World) -> None:
    assert login(web, "editor").status_code == 303
    missing = web.get("/desk/releases/nope")
    assert missing.status_code == 404
    assert "text/html" in missing.headers["content-type"]


def test_the_editor_post_edits_and_approves_an_edition(web: TestClient, world: World) -> None:
    rid = submit(web, world)
    assert login(web, "editor").status_code == 303
    token = csrf(web.get("/desk").text)
    web.post(f"/desk/releases/{rid}/approve", data={"csrf_token": token})
    db = web.app.state.db
    with db.session() as s:  # as the translate job leaves a doubtful machine translation
        edition = s.query(Edition).filter_by(release_id=rid, language="de").one()
        edition.status, edition.reason = "needs_review", "numbers differ"
        edition.content = {"headline": "Acme nimmt Windpark in Betrieb", "body": "Text 43."}
        edition.flags = {
            "flags": [
                {"kind": "numbers", "field": "body", "segment": 0, "source": "640",
                 "target": "", "reason": "the number 640 is missing"},
            ]
        }  # fmt: skip
    path = f"/desk/releases/{rid}/editions/de"
    page = web.get(path)
    assert page.status_code == 200
    assert "the number 640 is missing" in page.text and "Acme nimmt Windpark" in page.text
    assert "Nordlicht II" in page.text  # the source beside it
    edited = web.post(
        path + "/edit",
        data={
            "csrf_token": token,
            "headline": "Acme nimmt 640-MW-Windpark Nordlicht II in Betrieb",
            "subheadline": "",
            "body": "Acme Renewables hat heute den 640-Megawatt-Windpark Nordlicht II eröffnet.",
        },
        follow_redirects=False,
    )
    assert edited.status_code == 303, edited.text
    approved = web.post(path + "/approve", data={"csrf_token": token}, follow_redirects=False)
    assert approved.status_code == 303
    with db.session() as s:
        edition = s.query(Edition).filter_by(release_id=rid, language="de").one()
        assert edition.status == "approved" and edition.post_edited
        assert edition.content["headline"].startswith("Acme nimmt 640-MW")
        assert edition.approved_by == EMAILS["editor"]
    again = web.post(path + "/edit", data={"csrf_token": token, "headline": "x", "body": "y"})
    assert again.status_code == 409 and "already approved" in again.text


def test_interface_language_follows_the_switch_then_the_browser(
    web: TestClient, world: World
) -> None:
    login(web, "editor")
    english = web.get("/desk")
    assert '<html lang="en" dir="ltr">' in english.text and "Review queue" in english.text
    japanese = web.get("/desk?ui=ja")
    assert '<html lang="ja"' in japanese.text and "審査キュー" in japanese.text
    assert "nw_lang=ja" in japanese.headers["set-cookie"]
    assert "審査キュー" in web.get("/desk").text  # remembered in the cookie
    web.cookies.delete("nw_lang")
    french = web.get("/desk", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr"' in french.text and "File de relecture" in french.text
    arabic = web.get("/desk", headers={"Accept-Language": "ar"})
    assert 'dir="rtl"' in arabic.text
    korean = web.get("/desk", headers={"Accept-Language": "ko"})
    assert '<html lang="ko"' in korean.text and "검토 대기열" in korean.text
    swahili = web.get("/desk", headers={"Accept-Language": "sw"})  # not a wire language
    assert '<html lang="en"' in swahili.text


@pytest.mark.parametrize(
    ("tag", "review_queue", "sign_out"),
    [
        ("ko", "검토 대기열", "로그아웃"),
        ("zh-Hant", "審核佇列", "登出"),
        ("vi", "Hàng chờ duyệt", "Đăng xuất"),
        ("th", "คิวตรวจทาน", "ออกจากระบบ"),
    ],
)
def test_the_desk_speaks_each_of_the_wires_languages(
    web: TestClient, world: World, tag: str, review_queue: str, sign_out: str
) -> None:
    login(web, "editor")
    page = web.get(f"/desk?ui={tag}").text
    assert f'<html lang="{tag}"' in page
    assert review_queue in page and sign_out in page
    assert "Review queue" not in page


def test_the_language_switch_offers_all_fifteen_languages(web: TestClient, world: World) -> None:
    login(web, "editor")
    page = web.get("/desk").text
    for tag in session.INTERFACE_LANGUAGES:
        assert f'<option value="{tag}" lang="{tag}"' in page
    assert '<option value="th" lang="th">ไทย</option>' in page
    assert '<option value="zh-Hant" lang="zh-Hant">中文 (繁體)</option>' in page


def publish(client: TestClient, world: World, **overrides: object) -> str:
    """A release submitted, approved through the desk's form and published by the scheduler
    (the client is signed in as the editor)."""
    rid = submit(client, world, **overrides)
    page = client.get(f"/desk/releases/{rid}")
    client.post(f"/desk/releases/{rid}/approve", data={"csrf_token": csrf(page.text)})
    run_once(client.app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))
    assert state_of(client.app.state.db, rid) == "published"
    return rid


def test_the_correction_form_corrects_headline_summary_and_body(
    web: TestClient, world: World
) -> None:
    assert login(web, "editor").status_code == 303
    rid = publish(web, world)
    page = web.get(f"/desk/releases/{rid}").text
    # the form starts from the current version
    assert 'value="Acme Renewables Commissions 640 MW North Sea Wind Farm"' in page
    assert ">Nordlicht II will power about 680,000 households</textarea>" in page
    assert "The 43 turbines" in page
    body = release_payload()["body"].replace("43 turbines", "44 turbines")
    done = web.post(
        f"/desk/releases/{rid}/correct",
        data={
            "csrf_token": csrf(page),
            "headline": "Acme Renewables Commissions 650 MW North Sea Wind Farm",
            "subheadline": "Nordlicht II will power about 690,000 households",
            "body": body,
            "reason": "The capacity was 650 MW, not 640 MW.",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/desk/releases/{rid}?done=corrected"
    assert state_of(web.app.state.db, rid) == "corrected"
    desk_page = web.get(done.headers["location"]).text
    assert "Corrected: the correction goes to everyone" in desk_page
    assert "version 1 → version 2" in desk_page
    public = web.get(f"/releases/{rid}").text
    assert "Acme Renewables Commissions 650 MW North Sea Wind Farm" in public
    assert "690,000 households" in public and "44 turbines" in public
    assert "Corrected on" in public and "The capacity was 650 MW, not 640 MW." in public
    with web.app.state.db.session() as s:
        assert s.get(Release, rid).headline.startswith("Acme Renewables Commissions 650 MW")
    # the first version stays as it was
    assert "640 MW" in web.get(f"/releases/{rid}/v1").text


def test_a_bad_correction_is_refused_with_the_text_kept(web: TestClient, world: World) -> None:
    assert login(web, "editor").status_code == 303
    rid = publish(web, world)
    token = csrf(web.get(f"/desk/releases/{rid}").text)
    url = f"/desk/releases/{rid}/correct"
    body = release_payload()["body"]
    headline = "Acme Renewables Commissions 640 MW North Sea Wind Farm"
    empty = web.post(
        url, data={"csrf_token": token, "headline": " ", "body": body, "reason": "Typo."}
    )
    assert empty.status_code == 422
    assert "headline" in empty.text and 'class="flash flash-error"' in empty.text
    unchanged = web.post(
        url, data={"csrf_token": token, "headline": headline, "body": body, "reason": "Typo."}
    )
    assert unchanged.status_code == 422
    assert "Nothing was changed" in unchanged.text
    no_reason = web.post(
        url,
        data={"csrf_token": token, "headline": "Acme Commissions Nordlicht II", "body": body},
    )
    assert 400 <= no_reason.status_code < 500
    assert 'value="Acme Commissions Nordlicht II"' in no_reason.text  # what was typed is kept
    assert state_of(web.app.state.db, rid) == "published"
    assert (
        len(web.get(f"/api/v1/releases/{rid}/versions", headers=world.headers("editor")).json())
        == 1
    )


def test_the_desk_speaks_german_and_arabic(web: TestClient, world: World) -> None:
    rid = submit(web, world)
    assert login(web, "editor").status_code == 303
    german = web.get("/desk?ui=de").text
    assert '<html lang="de" dir="ltr">' in german
    assert "<title>Prüfwarteschlange · " in german
    assert "Zur Prüfung eingereicht (1)" in german and "Kürzlich veröffentlicht" in german
    assert "eingereicht am " in german and " UTC" in german  # a German date
    assert "Englisch" in german  # the release's language, named in German
    page = web.get(f"/desk/releases/{rid}").text  # the language is remembered
    assert "Automatische Prüfungen" in page and "Entscheidung" in page
    assert ">Freigeben</button>" in page and ">Ablehnen</button>" in page
    assert 'class="state">eingereicht</strong>' in page
    assert "Grund für die Ablehnung" in page and "Verlauf" in page
    refused = web.post(
        f"/desk/releases/{rid}/reject", data={"csrf_token": csrf(page), "reason": ""}
    )
    assert 400 <= refused.status_code < 500 and '<html lang="de"' in refused.text
    done = web.post(
        f"/desk/releases/{rid}/request-changes",
        data={"csrf_token": csrf(page), "reason": "Bitte eine Telefonnummer ergänzen."},
    )
    assert "Änderungen angefordert. Der Herausgeber sieht die Begründung." in done.text

    arabic = web.get("/desk?ui=ar").text
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "قائمة المراجعة" in arabic and "نُشرت مؤخرًا" in arabic
    page = web.get(f"/desk/releases/{rid}").text
    assert '<html lang="ar" dir="rtl">' in page
    assert "الفحوص الآلية" in page and "السجل" in page
    # the release keeps its own language and direction inside the Arabic page
    assert '<article class="preview" lang="en" dir="ltr">' in page
    assert "طُلبت تعديلات" in page  # the history, in Arabic
    missing = web.get("/desk/releases/nope").text
    assert "غير موجود" in missing


def test_sign_in_and_refusals_in_the_interface_language(web: TestClient, world: World) -> None:
    page = web.get("/login?ui=fr")
    assert '<html lang="fr"' in page.text and ">Se connecter</button>" in page.text
    assert "Mot de passe" in page.text
    refused = login(web, "editor", "wrong-horse")
    assert refused.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in refused.text
    forged = web.post("/login", data={"csrf_token": "forged"})
    assert forged.status_code == 403 and "Formulaire refusé" in forged.text
    web.cookies.delete("nw_lang")
    assert login(web, "issuer").status_code == 303
    desk_refused = web.get("/desk", headers={"Accept-Language": "ja"})
    assert desk_refused.status_code == 403
    assert (
        "アクセスできません" in desk_refused.text
        and "編集部は編集者と管理者専用です" in desk_refused.text
    )
