"""The issuer portal in a real browser (Chromium via Playwright, as test_browser_desk.py): an
issuer signs in, composes a release with the live preview, filters the industry tree, watches
the reach estimate follow the choices and submits; an editor approves it on the desk's page; the
scheduler publishes it, the deliveries go out, and the issuer follows the distribution report
and downloads its CSV. axe-core and the Nu HTML Checker on every portal page type; no CSP
violation in the console; screenshots at desktop and phone widths when NEWSWIRE_SCREENSHOTS=DIR
is set."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from browser import browser_kit as kit
from builders import World, release_payload
from newswire.actions import releases as actions
from newswire.actions.scheduler import run_once
from newswire.audience.inputs import RecipientInput
from newswire.audience.recipients import create_recipient
from newswire.config import Settings
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.report.deliveries import COLUMNS as CSV_COLUMNS
from newswire.store.db import Database
from newswire.web.app import create_app

tools = kit.tools  # Chromium, axe-core, vnu.jar
database_url = kit.database_url  # SQLite only

READERS = (  # name, email, languages, countries, industries
    ("Jana Becker", "jana@example.org", ["de"], ["DE"], ["energy"]),
    ("Ann Lee", "ann@example.org", ["en"], ["PT"], ["renewable-energy"]),
    ("Mei Tan", "mei@example.org", ["en"], ["SG"], ["wind-power"]),
    ("Bo Chen", "bo@example.org", ["en"], ["US"], ["banking"]),
)


def _add_readers(db: Database) -> None:
    for name, email, languages, countries, industries in READERS:
        data = RecipientInput.model_validate(
            {
                "name": name,
                "email": email,
                "languages": languages,
                "countries": countries,
                "subscriptions": [{"industries": industries}],
            }
        )
        with db.session() as s:
            create_recipient(s, data, source="test", confirmed=True)


@pytest.fixture
def portal_site(
    tools: dict[str, Path], settings: Settings, db: object, world: World
) -> Iterator[tuple[str, dict[str, str], Any]]:
    port, settings = kit.live_settings(settings, country_header="CF-IPCountry")
    ids: dict[str, str] = {}
    with TestClient(create_app(settings, run_scheduler=False)) as client:
        _add_readers(client.app.state.db)
        # a draft, and a release the desk sent back with a reason
        for name, headline in (
            ("draft", "Acme Plans A Hydrogen Plant In Rostock"),
            ("changes", "Acme Signs A Supply Deal With Nordwerft"),
        ):
            made = client.post(
                "/api/v1/releases",
                json=release_payload(headline=headline),
                headers=world.headers("issuer"),
            )
            assert made.status_code == 201, made.text
            ids[name] = made.json()["id"]
        with client.app.state.db.session() as s:
            actions.submit_release(s, world.issuer, ids["changes"])
            actions.request_changes(
                s, world.editor, ids["changes"], "Name the shipyard's customer, please."
            )
    app = create_app(settings, run_scheduler=False, migrate=False)
    with kit.Server(app, port) as server:
        yield server.url, ids, app


READS = (  # user agent, country (the trusted header), path under /releases/{id} or /embed/{id}
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "DE", ""),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1", "PT", ""),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36", "SG", ".json"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Mobile/15E148", "DE", "embed"),
)


def _read(base: str, rid: str) -> None:
    """Readers open the release, fetch its ninjs, load its embed: the report's readership."""
    for agent, country, what in READS:
        url = f"{base}/embed/{rid}" if what == "embed" else f"{base}/releases/{rid}{what}"
        got = httpx.get(url, headers={"User-Agent": agent, "CF-IPCountry": country})
        assert got.status_code == 200, (url, got.status_code)


def _publish_and_deliver(app: Any) -> None:
    db = app.state.db
    assert len(run_once(db, now=datetime.now(UTC))) == 1  # approved a moment ago: due now
    worker = DeliveryWorker(db, make_channels(db.settings), name="browser-test")
    # Playwright's sync API runs an event loop in this thread: the worker gets its own thread
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, worker.drain()).result()["delivered"] == 3


def test_issuer_composes_submits_and_follows_the_report_accessibly(
    portal_site: tuple, tools: dict[str, Path], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, ids, app = portal_site
    check = kit.Checker(tools, tmp_path)
    shots = check.shots
    with sync_playwright() as p:
        browser = kit.launch(p)
        try:
            # the issuer, under the real Content-Security-Policy
            issuer = browser.new_context(viewport={"width": 1280, "height": 900})
            page = check.watch(issuer.new_page())
            kit.sign_in(page, base, "/portal", "press@acme.example")
            expect(page.locator("h1")).to_have_text("Your releases")
            page.click("a[href='/portal/releases/new']")
            page.wait_for_url("**/portal/releases/new")
            # the reach estimate is there before any choice (the whole audience matches nothing)
            expect(page.locator("#reach-panel")).to_have_attribute("data-recipients", "0")
            page.fill("#f-headline", "Acme Commissions Its Third Offshore Wind Farm")
            page.fill("#f-dateline-city", "Hamburg")
            page.select_option("#f-dateline-country", "DE")
            page.fill(
                "#f-body",
                "Acme today commissioned **Nordlicht III**, a 900 MW offshore wind farm.\n\n"
                "- 60 turbines\n- 3.1 TWh a year\n\n<script>alert('no')</script>",
            )
            preview = page.locator("#preview")
            expect(preview.locator("strong")).to_have_text("Nordlicht III")
            expect(preview.locator("li")).to_have_count(2)
            expect(preview.locator("script")).to_have_count(0)
            page.fill("#f-boilerplate", "Acme Renewables AG builds wind and solar farms.")
            page.fill("#f-contact-0-name", "Jana Becker")
            page.fill("#f-contact-0-email", "press@acme.example")
            # the industry tree: the filter keeps matches with their parents, hides the rest
            tree = page.locator("#industry-tree")
            expect(page.locator("#industry-filter")).to_be_visible()
            page.fill("#industry-filter", "wind")
            wind = tree.locator("li:has(> label input[value='wind-power'])")
            expect(wind).to_be_visible()
            expect(tree.locator("li:has(> label input[value='renewable-energy'])")).to_be_visible()
            expect(tree.locator("li:has(> label input[value='banking'])")).to_be_hidden()
            expect(tree.locator("li:has(> label input[value='solar-power'])")).to_be_hidden()
            wind.locator("> label input").check()
            panel = page.locator("#reach-panel")
            expect(panel).to_have_attribute("data-recipients", "3")  # energy > renewables > wind
            expect(panel.locator(".reach-total strong")).to_have_text("3")
            page.fill("#industry-filter", "")
            expect(tree.locator("li:has(> label input[value='banking'])")).to_be_visible()
            page.check("input[name=target_languages][value=de]")
            expect(panel.locator("table").nth(1)).to_contain_text("German")
            page.check("input[name=regions][value=EU]")
            page.click("button[name=action][value=submit]")
            page.wait_for_url("**/portal/releases/*?done=submitted")
            rid = page.url.split("/portal/releases/")[1].split("?")[0]
            expect(page.locator(".flash-ok")).to_contain_text("Submitted for review")
            expect(page.locator(".page-head .state")).to_have_text("Submitted for review")
            ids["submitted"] = rid
            if shots:
                page.screenshot(path=str(Path(shots) / "portal-flow-submitted.png"), full_page=True)

            # the editor approves on the desk's page
            desk = browser.new_context(viewport={"width": 1280, "height": 900})
            editor = check.watch(desk.new_page())
            kit.sign_in(editor, base, f"/desk/releases/{rid}", "editor@newswire.example")
            editor.click("#approve-form button[type=submit]")
            editor.wait_for_url(f"**/desk/releases/{rid}?done=approved")
            desk.close()

            # the scheduler publishes it; the deliveries go out
            _publish_and_deliver(app)
            _read(base, rid)
            page.goto(base + f"/portal/releases/{rid}")
            expect(page.locator(".page-head .state")).to_have_text("Published")
            timeline = page.locator("ol.timeline")
            expect(timeline).to_contain_text("Approved")
            expect(timeline).to_contain_text("editor@newswire.example")
            expect(timeline).to_contain_text("Published")
            page.click(f"a[href='/portal/releases/{rid}/report']")
            page.wait_for_url(f"**/portal/releases/{rid}/report")
            # deliveries by time, country, language; reads by day and channel, by country
            expect(page.locator("svg.chart")).to_have_count(5)
            expect(page.locator("#chart-readership")).to_be_visible()
            expect(page.locator(".figures")).to_contain_text("3")
            with page.expect_download() as download:
                page.click(f"a[href='/portal/releases/{rid}/report.csv']")
            saved = Path(download.value.path())
            rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
            assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 4
            assert {r[CSV_COLUMNS.index("status")] for r in rows[1:]} == {"delivered"}
            storage = issuer.storage_state()
            issuer.close()

            # every page type: axe (injected, so the CSP is bypassed here), HTML for the checker
            checked = kit.checking_page(browser, storage)
            pages = {
                "portal-index": ("/portal", 200),
                "portal-compose": ("/portal/releases/new", 200),
                "portal-edit": (f"/portal/releases/{ids['changes']}/edit", 200),
                "portal-draft": (f"/portal/releases/{ids['draft']}", 200),
                "portal-changes": (f"/portal/releases/{ids['changes']}", 200),
                "portal-release": (f"/portal/releases/{rid}", 200),
                "portal-report": (f"/portal/releases/{rid}/report", 200),
                "portal-not-found": ("/portal/releases/000000000000", 404),
            }
            for name, (path, status) in pages.items():
                check.visit(checked, base + path, name, status)
            # the compose form with errors (the browser's own checks switched off)
            checked.goto(base + "/portal/releases/new")
            checked.evaluate(
                "document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))"
            )
            checked.fill("#f-body", "Only a body.")
            checked.check("#f-timing-embargo-until")
            with checked.expect_navigation() as navigation:
                checked.click("button[name=action][value=save]")
            expect(checked.locator("#error-summary")).to_contain_text("headline")
            check.response(checked, navigation.value, "portal-errors", 422)
            # right to left: the interface in Arabic (remembered from here on)
            for name, path in (
                ("portal-compose-ar", "/portal/releases/new?ui=ar"),
                ("portal-report-ar", f"/portal/releases/{rid}/report"),
            ):
                response = checked.goto(base + path)
                expect(checked.locator("html")).to_have_attribute("dir", "rtl")
                check.response(checked, response, name)
            checked.context.close()
        finally:
            browser.close()
    check.assert_clean()
