"""The editorial desk in a real browser (Chromium via Playwright, as test_browser_newsroom.py):
sign in as an editor, open the queue, approve a release, read it on the public page, correct its
headline, summary and body; axe-core and the Nu HTML Checker on the login, queue, release and
edition pages, in English and in Arabic (right to left, ``?ui=ar``); no CSP violation in the
console; screenshots at desktop and phone widths when NEWSWIRE_SCREENSHOTS=DIR is set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from browser import browser_kit as kit
from builders import World, release_payload
from newswire.actions.scheduler import run_once
from newswire.config import Settings
from newswire.store.models import Edition
from newswire.web import session
from newswire.web.app import create_app
from newswire.web.desk import routes as desk

tools = kit.tools  # Chromium, axe-core, vnu.jar
database_url = kit.database_url  # SQLite only


def _desk_app(settings: Settings, **kw: object) -> FastAPI:
    app = create_app(settings, run_scheduler=False, **kw)  # type: ignore[arg-type]
    if not any(getattr(r, "path", None) == "/login" for r in app.routes):
        session.install(app)
        app.include_router(desk.router)
    return app


@pytest.fixture
def desk_site(tools: dict[str, Path], settings: Settings, db: object, world: World) -> Iterator:
    port, settings = kit.live_settings(settings)
    ids = {}
    with TestClient(_desk_app(settings)) as client:
        for name, headline in (
            ("first", None),
            ("second", "Acme Opens A Training Centre For Wind Technicians In Bremerhaven"),
            ("third", "Acme Wins Award For Best Offshore Wind Service In The North Sea"),
        ):
            payload = release_payload(**({"headline": headline} if headline else {}))
            made = client.post(
                "/api/v1/releases?submit=true", json=payload, headers=world.headers("issuer")
            )
            assert made.status_code == 201, made.text
            ids[name] = made.json()["id"]
        # the second is approved and has a doubtful German translation to review
        approved = client.post(
            f"/api/v1/releases/{ids['second']}/approve", headers=world.headers("editor")
        )
        assert approved.status_code == 200, approved.text
        with client.app.state.db.session() as s:
            edition = s.query(Edition).filter_by(release_id=ids["second"], language="de").one()
            edition.status, edition.reason = "needs_review", "numbers differ"
            edition.content = {"headline": "Acme eröffnet Ausbildungszentrum", "body": "Text."}
            edition.flags = {
                "flags": [
                    {"kind": "numbers", "field": "body", "segment": 0, "source": "43",
                     "target": "", "reason": "the number 43 is missing"},
                ]
            }  # fmt: skip
    app = _desk_app(settings, migrate=False)
    with kit.Server(app, port) as server:
        yield server.url, ids, app


def test_editor_approves_in_the_browser_accessibility_and_validity(
    desk_site: tuple, tools: dict[str, Path], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, ids, app = desk_site
    rid = ids["first"]
    check = kit.Checker(tools, tmp_path)
    with sync_playwright() as p:
        browser = kit.launch(p)
        try:
            # the flow, under the real Content-Security-Policy
            page = check.watch(browser.new_page(viewport=kit.DESKTOP))
            kit.sign_in(page, base, "/desk", "editor@newswire.example")
            assert page.locator("h1").inner_text() == "Review queue"
            page.click(f"ol.queue a[href='/desk/releases/{rid}']")
            page.wait_for_url(f"**/desk/releases/{rid}")
            page.click("#approve-form button[type=submit]")
            page.wait_for_url(f"**/desk/releases/{rid}?done=approved")
            assert "Approved" in page.locator(".flash-ok").inner_text()
            assert page.locator(".state").inner_text() == "scheduled"
            run_once(app.state.db, now=datetime.now(UTC) + timedelta(seconds=1))
            page.goto(base + f"/releases/{rid}")
            assert "640 MW" in page.locator("article h1").inner_text()
            # a correction of the headline, summary and body through the desk's form
            page.goto(base + f"/desk/releases/{rid}")
            assert "640 MW" in page.input_value("#correct_headline")
            page.fill("#correct_headline", "Acme Renewables Commissions 650 MW North Sea Wind Farm")
            page.fill("#correct_subheadline", "Nordlicht II will power about 690,000 households")
            page.fill("#correct_reason", "The capacity is 650 MW.")
            page.click("#correct-form button[type=submit]")
            page.wait_for_url(f"**/desk/releases/{rid}?done=corrected")
            assert page.locator(".state").inner_text() == "corrected"
            page.goto(base + f"/releases/{rid}")
            page.reload()  # the public page was cached a minute ago (max-age=60)
            assert "650 MW" in page.locator("article h1").inner_text()
            assert "The capacity is 650 MW." in page.locator(".notice-correction").inner_text()
            cookies = page.context.cookies()
            cookie = next(c for c in cookies if c["name"] == session.COOKIE)
            assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
            storage = page.context.storage_state()
            page.close()
            # every page type: axe (injected, so the CSP is bypassed here), HTML for the checker
            checked = kit.checking_page(browser, storage)
            pages = {
                "desk-queue": "/desk",
                "desk-release": f"/desk/releases/{ids['second']}",
                "desk-published": f"/desk/releases/{rid}",
                "desk-review": f"/desk/releases/{ids['third']}",
                "desk-edition": f"/desk/releases/{ids['second']}/editions/de",
            }
            for name, path in pages.items():
                check.visit(checked, base + path, name)
            # the same pages in Arabic: right to left, translated, as valid and accessible
            pages["desk-flash"] = f"/desk/releases/{rid}?done=corrected"
            for name, path in pages.items():
                url = base + path + ("&" if "?" in path else "?") + "ui=ar"
                check.visit(checked, url, f"ar-{name}")
                _assert_right_to_left(checked, f"ar-{name}")
            assert "قائمة المراجعة" in checked.locator("nav a[href='/desk']").inner_text()
            flash = checked.locator(".flash-ok")  # the last page: its border is on the right
            assert flash.evaluate("e => getComputedStyle(e).borderRightWidth") == "4px"
            assert flash.evaluate("e => getComputedStyle(e).borderLeftWidth") == "0px"
            checked.context.close()
            anonymous = browser.new_context(bypass_csp=True).new_page()
            check.visit(anonymous, base + "/login", "login")
            check.visit(anonymous, base + "/login?ui=ar", "ar-login")
            _assert_right_to_left(anonymous, "ar-login")
            assert anonymous.locator("h1").inner_text() == "تسجيل الدخول"
        finally:
            browser.close()
    check.assert_clean()


RIGHT_GAP = """() => {
  const heading = [...document.querySelectorAll(".desk h1, .desk h2")]
    .find(h => !h.closest("article"));
  const text = document.createRange();
  text.selectNodeContents(heading);
  return heading.closest(".desk").getBoundingClientRect().right
    - text.getBoundingClientRect().right;
}"""


def _assert_right_to_left(page: Any, name: str) -> None:
    """The page is laid out right to left: the first heading of the interface ends at the right
    edge of the content, and the release previews keep their own direction."""
    assert page.evaluate("document.documentElement.dir") == "rtl", name
    assert page.evaluate("document.documentElement.lang") == "ar", name
    assert abs(page.evaluate(RIGHT_GAP)) < 2, name
    for preview in page.locator("article.preview").all():
        assert preview.evaluate("e => getComputedStyle(e).direction") == "ltr", name
