"""The operator's pages in a real browser (Chromium via Playwright, as test_browser_desk.py): an
admin signs in, creates a user, imports a CSV and reads the report, opens endpoint health,
replays a dead letter, and watches a new delivery appear in the live view without a reload;
axe-core and the Nu HTML Checker on every operator page type (the 403 refusal included); no
CSP violation in the console; screenshots at desktop and phone widths when
NEWSWIRE_SCREENSHOTS=DIR is set."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from browser import browser_kit as kit
from builders import World, release_payload
from newswire.actions import releases as actions
from newswire.audience.importing import import_recipients
from newswire.config import Settings
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.intake import validate_release
from newswire.store.db import Database
from newswire.web.app import create_app
from receivers import WebhookReceiver

tools = kit.tools  # Chromium, axe-core, vnu.jar
database_url = kit.database_url  # SQLite only

CSV = (
    "kind,name,email,languages,industries\n"
    "journalist,Jana Becker,jana@example.org,de;en,energy\n"
    "journalist,Bad Address,not-an-email,en,energy\n"
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _partners(*urls: str) -> bytes:
    return json.dumps(
        [
            {"kind": "partner", "name": f"Partner {url}", "webhook_url": url,
             "subscriptions": [{"industries": ["energy"]}]}
            for url in urls
        ]
    ).encode()  # fmt: skip


def _publish(db: Database, world: World, clock: Clock) -> str:
    with db.session() as s:
        content = validate_release(release_payload(), now=clock())
        release = actions.create_release(s, world.issuer, content, submit=True, now=clock())
        actions.approve(s, world.editor, release.id, override_reason="sample", now=clock())
        actions.publish(s, db.settings, world.editor, release.id, now=clock())
        return release.id


def _deliver(db: Database, clock: Clock) -> None:
    """One round of a delivery worker, in a thread of its own (Playwright's sync API holds an
    event loop in this one)."""
    worker = DeliveryWorker(db, make_channels(db.settings), name="browser-test", clock=clock)

    async def round_() -> None:
        try:
            await worker.run_once()
        finally:
            await worker.aclose()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, round_()).result(60)


@dataclass
class Site:
    base: str
    db: Database
    world: World
    healthy: WebhookReceiver
    failing: WebhookReceiver


@pytest.fixture
def operator_site(
    tools: dict[str, Path], settings: Settings, db: Database, world: World
) -> Iterator[Site]:
    """Two endpoints that answer 500 (walked to the end of the retry schedule: dead letters,
    an open breaker) and one that answers 204."""
    port, settings = kit.live_settings(settings, webhook_allow=("127.0.0.0/8",))
    healthy = WebhookReceiver().start()
    failing = WebhookReceiver(behaviour=lambda _p: (500, 0, {})).start()
    data = Database(settings)
    try:
        with data.session() as s:
            urls = (failing.url("/down-1"), failing.url("/down-2"), healthy.url("/up"))
            assert import_recipients(s, _partners(*urls), "json", source="test").imported == 3
        clock = Clock()
        _publish(data, world, clock)
        for _ in range(10):  # the whole retry schedule (its longest step: 24 h +20% jitter)
            _deliver(data, clock)
            clock.now += timedelta(hours=30)
        app = create_app(settings, run_scheduler=False, migrate=False)
        with kit.Server(app, port) as server:
            yield Site(server.url, data, world, healthy, failing)
    finally:
        healthy.stop()
        failing.stop()
        data.dispose()


def test_admin_runs_the_wire_in_the_browser_accessibility_and_validity(
    operator_site: Site, tools: dict[str, Path], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    site = operator_site
    base = site.base
    check = kit.Checker(tools, tmp_path, prefix="operator-", phone_overflow=True)
    csv_file = tmp_path / "press.csv"
    csv_file.write_text(CSV, encoding="utf-8")

    with sync_playwright() as p:
        browser = kit.launch(p)
        try:
            # the flows, under the real Content-Security-Policy
            page = check.watch(browser.new_page(viewport=kit.DESKTOP))
            kit.sign_in(page, base, "/operator", "admin@newswire.example")
            assert page.locator("h1").inner_text() == "Operations"

            # a new user
            page.click("nav.op-nav a[href='/operator/users']")
            page.fill("#user-name", "Lee Park")
            page.fill("#user-email", "lee@acme.example")
            page.fill("#user-password", "long-enough-1")
            page.select_option("#user-role", "issuer")
            page.select_option("#user-org", "acme")
            page.click("#user-form button[type=submit]")
            page.wait_for_url("**/operator/users?done=user-created")
            assert "User created" in page.locator(".flash-ok").inner_text()
            assert "lee@acme.example" in page.locator("table.op-table").inner_text()

            # a CSV with a bad row: the report names it, nothing is imported
            page.click("nav.op-nav a[href='/operator/recipients/import']")
            page.set_input_files("#import-file", str(csv_file))
            page.click("#import-form button[type=submit]")
            page.wait_for_selector("#h-report")
            assert "Nothing was imported" in page.locator(".flash-error").inner_text()
            rejected = page.locator("#rejected-rows tbody tr")
            assert rejected.count() == 1
            assert "Bad Address" in rejected.inner_text() and "email" in rejected.inner_text()

            # endpoint health: the failing endpoints first, breaker open
            page.click("nav.op-nav a[href='/operator/endpoints']")
            first = page.locator("#endpoint-health tbody tr").first
            assert "/down-" in first.inner_text()
            assert "open: paused" in first.inner_text()
            assert "500" in first.inner_text()

            # dead letters: replay one
            page.click("nav.op-nav a[href='/operator/dead-letters']")
            rows = page.locator("#dead-letters tbody tr")
            assert rows.count() == 2
            rows.first.locator("button[type=submit]").click()
            page.wait_for_url("**/operator/dead-letters?done=replayed&count=1")
            assert "1 dead letter(s) queued again" in page.locator(".flash-ok").inner_text()
            assert page.locator("#dead-letters tbody tr").count() == 1

            # the live view: a new delivery appears without a reload
            page.click("nav.op-nav a[href='/operator/live']")
            page.wait_for_load_state("load")
            page.evaluate("window.__sameDocument = true")
            before = page.locator("#live-table tbody tr").count()
            assert before > 0
            fresh = site.healthy.url("/fresh")
            with site.db.session() as s:
                assert import_recipients(s, _partners(fresh), "json", source="test").imported
            clock = Clock()
            _publish(site.db, site.world, clock)
            _deliver(site.db, clock)
            page.locator("#live-table tbody tr", has_text=fresh).wait_for(timeout=15_000)
            assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
            assert page.locator("#live-table tbody tr").first.get_attribute("class") == "op-new"
            assert "new attempt" in page.locator("#live-status").inner_text()
            storage = page.context.storage_state()
            page.close()

            # every page type: axe (injected, so the CSP is bypassed here), HTML for the checker
            checked = kit.checking_page(browser, storage)
            pages = {
                "overview": "/operator",
                "organizations": "/operator/organizations",
                "users": "/operator/users",
                "api-keys": "/operator/api-keys",
                "import": "/operator/recipients/import",
                "endpoints": "/operator/endpoints",
                "dead-letters": "/operator/dead-letters",
                "live": "/operator/live",
            }
            for name, path in pages.items():
                check.visit(checked, base + path, name)
            checked.goto(base + "/operator/api-keys")
            checked.select_option("#key-owner", label="press@acme.example (Issuer)")
            checked.fill("#key-name", "Acme CMS")
            with checked.expect_navigation() as created:
                checked.click("#key-form button[type=submit]")
            check.response(checked, created.value, "api-key-created")
            assert checked.input_value("#new-key").startswith("nw_")
            checked.goto(base + "/operator/recipients/import")
            checked.set_input_files("#import-file", str(csv_file))
            checked.check("input[name=valid_only]")
            with checked.expect_navigation() as report:
                checked.click("#import-form button[type=submit]")
            check.response(checked, report.value, "import-report")
            checked.context.close()

            editor = browser.new_context(bypass_csp=True).new_page()
            kit.sign_in(editor, base, "/desk", "editor@newswire.example")
            check.visit(editor, base + "/operator", "refused", status=403)
        finally:
            browser.close()
    check.assert_clean()
