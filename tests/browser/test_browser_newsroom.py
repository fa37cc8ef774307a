"""The public newsroom in a real browser (Debian's Chromium driven by Playwright): the reader's
flows, axe-core accessibility checks and Nu HTML Checker validity on every page type, and
screenshots at desktop and phone widths when NEWSWIRE_SCREENSHOTS=DIR is set.

Needs /usr/bin/chromium (or NEWSWIRE_CHROMIUM), npm and java; axe-core and vnu-jar are
installed on first use into tests/browser/node_modules (`npm install --prefix tests/browser`).
Without them these tests skip with the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import pytest
import uvicorn
from fastapi.testclient import TestClient

from browser.newsroom_seed import ensure_sitemaps, seed
from builders import World, sqlite_url
from newswire.config import Settings
from newswire.web.app import create_app

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("NEWSWIRE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
VNU = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI=true: the browser tests are required)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def tools() -> dict[str, Path]:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    if shutil.which("java") is None:
        _unavailable("no java on PATH (the Nu HTML Checker needs Java 11+)")
    if not (AXE.exists() and VNU.exists()):
        if shutil.which("npm") is None:
            _unavailable("no npm on PATH to install axe-core and vnu-jar")
        done = subprocess.run(
            ["npm", "install", "--prefix", str(HERE), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode or not (AXE.exists() and VNU.exists()):
            _unavailable(f"npm install of axe-core and vnu-jar failed: {done.stderr[-500:]}")
    return {"axe": AXE, "vnu": VNU}


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return sqlite_url(request, tmp_path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, app: object, port: int) -> None:
        self.port = port
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                break
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def site(tools: dict[str, Path], settings: Settings, db: object, world: World) -> Iterator[tuple]:
    port = _free_port()
    settings = replace(settings, base_url=f"http://127.0.0.1:{port}")
    app = create_app(settings, run_scheduler=False)
    ensure_sitemaps(app)
    with TestClient(app) as client:
        news = seed(client, world)
    with Server(create_app(settings, run_scheduler=False, migrate=False), port) as server:
        yield server.url, news


def _axe(page: object, axe_js: str) -> list[dict]:
    page.add_script_tag(content=axe_js)  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


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
        "edition-ar": f"/releases/{rid}/ar",
        "release-ja": f"/releases/{news.ids['ja']}",
        "error": "/releases/?region=XX",
        "newsroom-ar": "/releases/?ui=ar",
        "newsroom-th": "/releases/?ui=th",
    }
    shots = os.environ.get("NEWSWIRE_SCREENSHOTS")
    axe_js = tools["axe"].read_text()
    problems: dict[str, list[dict]] = {}
    html_files: dict[str, Path] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800}, bypass_csp=True)
            # the flows: open the newsroom, filter, search, open a release, switch edition
            page.goto(base + "/")
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
                response = page.goto(base + path)
                assert response is not None
                html_files[name] = tmp_path / f"{name}.html"
                html_files[name].write_bytes(response.body())
                found = _axe(page, axe_js)
                if found:
                    problems[name] = found
                if shots:
                    folder = Path(shots)
                    folder.mkdir(parents=True, exist_ok=True)
                    for size, (width, height) in SIZES.items():
                        page.set_viewport_size({"width": width, "height": height})
                        page.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
                    page.set_viewport_size({"width": 1280, "height": 800})
        finally:
            browser.close()
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)
    errors = nu_checker_errors(tools["vnu"], list(html_files.values()))
    assert not errors, json.dumps(errors, indent=1, ensure_ascii=False)


def nu_checker_errors(vnu: Path, files: list[Path]) -> list[dict[str, object]]:
    """The Nu HTML Checker's errors (not warnings) on the given HTML files."""
    done = subprocess.run(
        ["java", "-jar", str(vnu), "--errors-only", "--format", "json"] + [str(f) for f in files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    return [
        {"file": Path(m.get("url", "")).name, "line": m.get("lastLine"), "message": m["message"]}
        for m in messages
        if m.get("type") == "error"
    ]
