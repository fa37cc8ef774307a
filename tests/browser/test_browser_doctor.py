"""`newswire doctor`'s output as an operator sees it, in a browser page: its words in a <pre>,
readable at desktop and phone widths without scrolling sideways; with NEWSWIRE_SCREENSHOTS=DIR
the screenshots (doctor-desktop.png, doctor-phone.png) and the text (doctor.txt) are saved."""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from browser import browser_kit as kit
from newswire.cli import app

tools = kit.tools  # Chromium, axe-core, vnu.jar

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>newswire doctor</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ margin: 0; padding: 1rem; background: #14181d; color: #e8ecf1; }}
h1 {{ font: 600 1rem system-ui, sans-serif; color: #9fb3c8; margin: 0 0 .75rem; }}
pre {{ font: 14px/1.5 "Noto Sans Mono", "DejaVu Sans Mono", monospace; margin: 0;
      white-space: pre-wrap; overflow-wrap: anywhere; }}
</style></head>
<body><main><h1>$ newswire doctor</h1><pre>{text}</pre></main></body></html>
"""


def test_the_doctors_words_read_well_at_desktop_and_phone_widths(
    tools: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import sync_playwright

    for name in ("DATABASE_URL", "NEWSWIRE_SMTP_URL", "NEWSWIRE_BUS_URL", "NEWSWIRE_DKIM_KEY"):
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "wire"
    assert CliRunner().invoke(app, ["db-upgrade", "--data", str(data)]).exit_code == 0
    result = CliRunner().invoke(app, ["doctor", "--data", str(data)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "nothing required is broken" in text and "warn  mail" in text
    shots = os.environ.get("NEWSWIRE_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        (Path(shots) / "doctor.txt").write_text(text, encoding="utf-8")
    with sync_playwright() as p:
        browser = kit.launch(p)
        try:
            page = browser.new_page()
            page.set_content(PAGE.format(text=html.escape(text)))
            for size, (width, height) in kit.SIZES.items():
                page.set_viewport_size({"width": width, "height": height})
                assert page.evaluate("document.documentElement.scrollWidth") <= width, size
                assert "nothing required is broken" in page.locator("pre").inner_text()
                if shots:
                    shot = Path(shots) / f"doctor-{size}.png"
                    page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
