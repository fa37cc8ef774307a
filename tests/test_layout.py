"""The house rules of the source tree (issue 14, DESIGN.md "Layout"): small modules, and a
design page for every subsystem that its package's docstring links to. The layer order itself
is checked by import-linter (`[tool.importlinter]` in pyproject.toml, run by scripts/test)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "newswire"
MAX_LINES = 500

SUBSYSTEM_PAGES = {
    "intake": "newswire.intake",
    "review": "newswire.review",
    "translate": "newswire.translate",
    "publish": "newswire.publish",
    "target": "newswire.target",
    "deliver": "newswire.deliver",
    "channels": "newswire.channels",
    "streams": "newswire.web.streams",
    "web": "newswire.web",
}


def test_no_module_in_src_is_longer_than_500_lines() -> None:
    too_long = {
        str(path.relative_to(SRC)): n
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these modules by concept: {too_long}"


@pytest.mark.parametrize("page", [*SUBSYSTEM_PAGES, "scale-out", "README"])
def test_every_subsystem_has_a_design_page(page: str) -> None:
    text = (ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8")
    assert text.startswith("# "), f"docs/{page}.md should open with a title"


@pytest.mark.parametrize(("page", "package"), sorted(SUBSYSTEM_PAGES.items()))
def test_each_subsystem_package_links_to_its_design_page(page: str, package: str) -> None:
    doc = importlib.import_module(package).__doc__ or ""
    assert f"docs/{page}.md" in doc, f"{package}'s docstring should link to docs/{page}.md"
