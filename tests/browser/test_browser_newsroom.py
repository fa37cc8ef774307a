"""The public newsroom in a real browser (Debian's Chromium driven by Playwright): the reader's
flows (the desk's top story with its image, the sections, filters, search, editions),
axe-core accessibility checks and Nu HTML Checker validity on every page type, no page wider
than a phone, and screenshots at desktop and phone widths when NEWSWIRE_SCREENSHOTS=DIR is set
(the tools and the live server: `browser_kit`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient

from browser import browser_kit as kit
from browser.newsroom_seed import IMAGE_ALT, ensure_sitemaps, seed
from builders import World
from newswire.config import Settings
from newswire.web.app import create_app

tools = kit.tools  # Chromium, axe-core, vnu.jar
database_url = kit.database_url  # SQLite only


@pytest.fixture
def site(tools: dict[str, Path], settings: Settings, db: object, world: World) -> Iterator[tuple]:
    port, settings = kit.live_settings(settings)
    app = create_app(settings, run_scheduler=False)
    ensure_sitemaps(app)
    with TestClient(app) as client:
        news = seed(client, world, image_base=settings.base_url)
    app = create_app(settings, run_scheduler=False, migrate=False)
    app.mount("/media", StaticFiles(directory=kit.HERE / "media"), name="media")  # the image
    with kit.Server(app, port) as server:
        yield server.url, news


def test_reader_flows_accessibility_and_validity(
    site: tuple, tools: dict[str, Path], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, news = site
    rid = news.ids["en"]
    pages = {
        "newsroom": "/",
        "search": "/releases/?" + urlencode({"q": "solar OR 半導体", "industry": "energy"}),
        "issuer": "/newsroom/acme",
        "release": f"/releases/{rid}",
        "release-ar": f"/releases/{news.ids['ar']}",
        "release-th": f"/releases/{news.ids['th']}",
        "edition-ar": f"/releases/{rid}/ar",
        "release-ja": f"/releases/{news.ids['ja']}",
        "error": "/releases/?region=XX",
        "newsroom-ar": "/releases/?ui=ar",
        "newsroom-th": "/releases/?ui=th",
    }
    check = kit.Checker(tools, tmp_path, phone_overflow=True)
    with sync_playwright() as p:
        browser = kit.launch(p)
        try:
            page = browser.new_page(viewport=kit.DESKTOP, bypass_csp=True)
            # the flows: open the newsroom, filter, search, open a release, switch edition
            page.goto(base + "/")
            lead = page.locator("article.lead")
            assert "640 MW" in lead.locator("h2").inner_text()
            image = lead.locator("figure img")
            assert image.get_attribute("alt") == IMAGE_ALT
            assert image.evaluate("img => img.complete && img.naturalWidth > 0")  # it loaded
            sections = page.locator("section.desk-section h2").all_inner_texts()
            assert sections == ["Daily news", "Feature", "Business"]
            assert page.locator("ol.releases li").count() == 5
            page.select_option("#f-industry", "solar-power")
            page.click("form.filters button[type=submit]")
            page.wait_for_url("**industry=solar-power**")
            assert page.locator("ol.releases li").count() == 2
            page.select_option("#f-industry", "")
            page.fill("#q", "半導体")
            page.press("#q", "Enter")
            page.wait_for_url("**q=**")
            assert page.locator("ol.releases h2 a").all_inner_texts() == [
                "アクメ、東京に新しい半導体工場を開設"
            ]
            page.goto(base + "/")
            page.click(f"a[href='/releases/{rid}']")
            page.wait_for_url(f"**/releases/{rid}")
            assert "640 MW" in page.locator("article h1").inner_text()
            assert "Verified" in page.locator("aside.verified").inner_text()
            page.click("nav.editions a[hreflang=ar]")
            page.wait_for_url(f"**/releases/{rid}/ar")
            assert page.locator("html").get_attribute("dir") == "rtl"
            assert page.locator("html").get_attribute("lang") == "ar"
            direction = page.evaluate(
                "getComputedStyle(document.querySelector('article')).direction"
            )
            assert direction == "rtl"
            page.click("nav.editions a[hreflang=de]")
            page.wait_for_url(f"**/releases/{rid}/de")
            assert page.locator("html").get_attribute("dir") == "ltr"
            # every page type: axe, HTML saved for the checker, screenshots
            for name, path in pages.items():
                check.response(page, page.goto(base + path), name, status=None, csp=False)
        finally:
            browser.close()
    check.assert_clean()
