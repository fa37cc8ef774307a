"""What the browser tests share: Debian's Chromium driven by Playwright against a live server,
axe-core and the Nu HTML Checker on every page type, screenshots at desktop and phone widths
when NEWSWIRE_SCREENSHOTS=DIR is set, and signing in through the login form.

Needs /usr/bin/chromium (or NEWSWIRE_CHROMIUM), npm and java; axe-core and vnu-jar are
installed on first use into tests/browser/node_modules (`npm install --prefix tests/browser`).
Without them the browser tests skip with the reason, except under CI=true, where they fail.

A test module takes the fixtures by name: ``tools = browser_kit.tools`` and
``database_url = browser_kit.database_url`` (the browser tests run on SQLite only).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from builders import sqlite_url
from live_server import LiveServer, free_port
from newswire.config import Settings

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
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "correct-horse"  # builders.make_world's users


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI=true: the browser tests are required)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def tools() -> dict[str, Path]:
    """Chromium, axe-core and vnu.jar, or a skip naming what is missing."""
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


# --- the live server ---------------------------------------------------------------------------


def live_settings(settings: Settings, **changes: Any) -> tuple[int, Settings]:
    """A free port and the settings with the base URL of a server on it."""
    port = free_port()
    return port, replace(settings, base_url=f"http://127.0.0.1:{port}", **changes)


class Server(LiveServer):
    """The app served by uvicorn in a thread, for the length of a ``with``; ``url`` is its base."""

    @property
    def url(self) -> str:
        return self.base


# --- the browser -------------------------------------------------------------------------------


def launch(playwright: Any) -> Any:
    """Headless Chromium (close it in a ``finally``)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def checking_page(browser: Any, storage: Any = None) -> Any:
    """A desktop-sized page to check page types on: the Content-Security-Policy bypassed (axe is
    injected), signed in as ``storage`` (a context's storage state) says. Close its context."""
    page = browser.new_context(bypass_csp=True, storage_state=storage).new_page()
    page.set_viewport_size(DESKTOP)
    return page


def sign_in(page: Any, base: str, path: str, email: str) -> None:
    """Open a signed-in page, get sent to the login form, sign in, land on the page."""
    page.goto(base + path)
    page.wait_for_url(f"**/login?next={path}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"**{path}")


def axe(page: Any, axe_js: str) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(content=axe_js)
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


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


class Checker:
    """Collects, page type by page type: axe's violations, the HTML for the Nu HTML Checker,
    Content-Security-Policy violations in the console of the pages it watches, and (with
    ``phone_overflow``) pages wider than a phone; takes the screenshots (``prefix``-name-size).
    `assert_clean` at the end fails with everything found."""

    def __init__(
        self, tools: dict[str, Path], tmp_path: Path, prefix: str = "", phone_overflow: bool = False
    ) -> None:
        self.axe_js = tools["axe"].read_text()
        self.vnu = tools["vnu"]
        self.tmp_path = tmp_path
        self.prefix = prefix
        self.phone_overflow = phone_overflow
        self.shots = os.environ.get("NEWSWIRE_SCREENSHOTS")
        self.problems: dict[str, list[dict[str, Any]]] = {}
        self.html_files: dict[str, Path] = {}
        self.csp_errors: list[str] = []

    def watch(self, page: Any) -> Any:
        """Count the page's Content-Security-Policy violations (console messages)."""
        page.on(
            "console",
            lambda m: (
                self.csp_errors.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )
        return page

    def visit(self, page: Any, url: str, name: str, status: int = 200) -> None:
        """Open ``url`` (answered with ``status``) and check it."""
        self.response(page, page.goto(url), name, status)

    def response(
        self, page: Any, response: Any, name: str, status: int | None = 200, csp: bool = True
    ) -> None:
        """Check the page ``response`` shows: its status (unless None), the policy header."""
        assert response is not None, name
        assert status is None or response.status == status, (name, response.status)
        if csp:
            assert "default-src 'self'" in response.headers["content-security-policy"]
        self.here(page, name, response.body())

    def here(self, page: Any, name: str, body: bytes | None = None) -> None:
        """Check the page as it is now (its HTML: ``body``, else the live document)."""
        self.html_files[name] = self.tmp_path / f"{name}.html"
        self.html_files[name].write_bytes(body if body is not None else page.content().encode())
        found = axe(page, self.axe_js)
        if found:
            self.problems[name] = found
        if self.phone_overflow:
            width, height = SIZES["phone"]
            page.set_viewport_size({"width": width, "height": height})
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:  # wide tables scroll inside their region, not the page
                self.problems.setdefault(name, []).append({"id": "phone-overflow", "width": wide})
            page.set_viewport_size(DESKTOP)
        if self.shots:
            folder = Path(self.shots)
            folder.mkdir(parents=True, exist_ok=True)
            for size, (width, height) in SIZES.items():
                page.set_viewport_size({"width": width, "height": height})
                shot = folder / f"{self.prefix}{name}-{size}.png"
                page.screenshot(path=str(shot), full_page=True)
            page.set_viewport_size(DESKTOP)

    def assert_clean(self) -> None:
        assert not self.csp_errors, self.csp_errors
        assert not self.problems, json.dumps(self.problems, indent=1, ensure_ascii=False)
        errors = nu_checker_errors(self.vnu, list(self.html_files.values()))
        assert not errors, json.dumps(errors, indent=1, ensure_ascii=False)
