"""The translators' pages in a real browser (Chromium via Playwright, as test_browser_desk.py):
a translator signs in, opens an edition from the queue, types the sentences, sees the QA gate's
flag before submitting, confirms and submits; axe-core and the Nu HTML Checker on the queue, the
edition page (with a held submission's flags) and the refusal page, in English and in Arabic
(right to left), and on the operator's users page with a translator on it; no CSP violation
in the console; screenshots when NEWSWIRE_SCREENSHOTS=DIR."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from browser import browser_kit as kit
from builders import World, in_hours, release_payload
from newswire.actions import accounts
from newswire.actions.editions import translate_due
from newswire.config import Settings
from newswire.domain.lifecycle import Role
from newswire.store.models import Edition
from newswire.translate.engines import EngineRegistry
from newswire.web.app import create_app

tools = kit.tools  # Chromium, axe-core, vnu.jar
database_url = kit.database_url  # SQLite only

TRANSLATOR = "greta@translators.example"


@pytest.fixture
def translator_site(
    tools: dict[str, Path], settings: Settings, db: object, world: World
) -> Iterator:
    port, settings = kit.live_settings(settings)
    with TestClient(create_app(settings, run_scheduler=False)) as client:
        payload = release_payload(
            headline="Acme opens a new factory in Lisbon",
            subheadline=None,
            body="Acme opened a new factory in Lisbon today. It will employ 300 people. "
            "Details at https://acme.example/lisbon.",
            target_languages=["de"],
            embargo_until=in_hours(48),
        )
        made = client.post(
            "/api/v1/releases?submit=true", json=payload, headers=world.headers("issuer")
        )
        assert made.status_code == 201, made.text
        rid = made.json()["id"]
        approved = client.post(
            f"/api/v1/releases/{rid}/approve",
            json={"override_reason": "test"},
            headers=world.headers("editor"),
        )
        assert approved.status_code == 200, approved.text
        db_ = client.app.state.db
        translate_due(db_, EngineRegistry(), now=datetime.now(UTC))
        with db_.session() as s:
            accounts.create_user(
                s, email=TRANSLATOR, name="Greta", role=Role.TRANSLATOR,
                organization=accounts.get_organization(s, "newswire-desk"),
                password=kit.PASSWORD, languages="de",
            )  # fmt: skip
            eid = s.query(Edition).filter_by(release_id=rid, language="de").one().id
    app = create_app(settings, run_scheduler=False, migrate=False)
    with kit.Server(app, port) as server:
        yield server.url, eid, app


def test_a_translator_translates_in_the_browser_accessibility_and_validity(
    translator_site: tuple, tools: dict[str, Path], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, eid, _app = translator_site
    check = kit.Checker(tools, tmp_path, prefix="translator-", phone_overflow=True)
    with sync_playwright() as p:
        browser = kit.launch(p)
        try:
            page = check.watch(browser.new_page(viewport=kit.DESKTOP))
            kit.sign_in(page, base, "/translate", TRANSLATOR)
            assert page.locator("h1").inner_text() == "Translation queue"
            page.click(f"a[href='/translate/editions/{eid}']")
            page.wait_for_url(f"**/translate/editions/{eid}")
            assert page.locator("mark.term-protected").first.inner_text() == (
                "https://acme.example/lisbon"
            )
            page.fill("#t-headline-0", "Acme eröffnet eine neue Fabrik in Lissabon")
            page.fill("#t-body-0", "Acme hat heute eine neue Fabrik in Lissabon eröffnet.")
            page.fill("#t-body-1", "Sie wird 30 Menschen beschäftigen.")
            page.fill("#t-body-2", "Details unter https://acme.example/lisbon.")
            page.click("#check-submit")
            page.wait_for_selector("#h-flags")
            assert "300 in the source" in page.locator(".sentence-flagged").inner_text()
            assert page.input_value("#t-body-1") == "Sie wird 30 Menschen beschäftigen."
            page.click("#confirm-submit")
            page.wait_for_url("**/translate?done=submitted")
            assert "the desk reviews it" in page.locator(".flash-ok").inner_text()
            storage = page.context.storage_state()
            page.close()
            checked = kit.checking_page(browser, storage)
            for ui in ("", "?ui=ar"):  # the edition again, and a submission held by its flags
                check.visit(
                    checked,
                    base + f"/translate/editions/{eid}{ui}",
                    "edition" + ui.replace("?ui=", "-"),
                )
                checked.click("#check-submit")
                checked.wait_for_selector("section[aria-labelledby=h-flags] [role=alert]")
                check.here(checked, "edition-held" + ui.replace("?ui=", "-"))
            pages = {"queue": "/translate", "refused": "/desk"}
            for name, path in pages.items():
                check.visit(checked, base + path, name, 403 if name == "refused" else 200)
                check.visit(
                    checked, base + path + "?ui=ar", f"ar-{name}", 403 if name == "refused" else 200
                )
                assert checked.evaluate("document.documentElement.dir") == "rtl"
            checked.context.close()
            admin = kit.checking_page(browser)  # the operator's users page with the translator
            kit.sign_in(admin, base, "/operator/users", "admin@newswire.example")
            check.here(admin, "operator-users")
            assert admin.input_value("input[id^=languages-]") == "de"
            admin.context.close()
        finally:
            browser.close()
    check.assert_clean()
