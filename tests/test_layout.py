"""The house rules of the source tree (issue 14, DESIGN.md "Layout"): small modules, no import
cycles between modules, and a design page for every subsystem that its package's docstring
links to. The layer order itself
is checked by import-linter (`[tool.importlinter]` in pyproject.toml, run by scripts/test)."""

from __future__ import annotations

import importlib
from pathlib import Path

import grimp
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


def module_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, without
    recursion): each is a set of modules that import each other, directly or around a loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, imported = work[-1]
            for other in imported:
                if other not in index:
                    index[other] = low[other] = len(index)
                    stack.append(other)
                    on_stack.add(other)
                    work.append(
                        (other, iter(sorted(graph.find_modules_directly_imported_by(other))))
                    )
                    break
                if other in on_stack:
                    low[module] = min(low[module], index[other])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[module])
                if low[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))
    return cycles


def test_module_cycles_are_found_around_a_loop() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    graph.add_import(importer="pkg.d", imported="pkg.a")
    assert module_cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_no_import_cycles_between_modules_of_newswire() -> None:
    """Type-checking imports count too: a cycle is a sign that a shared piece belongs lower."""
    cycles = module_cycles(grimp.build_graph("newswire"))
    assert cycles == [], f"move what these modules share to the lower one: {cycles}"


@pytest.mark.parametrize("page", [*SUBSYSTEM_PAGES, "scale-out", "README"])
def test_every_subsystem_has_a_design_page(page: str) -> None:
    text = (ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8")
    assert text.startswith("# "), f"docs/{page}.md should open with a title"


@pytest.mark.parametrize(("page", "package"), sorted(SUBSYSTEM_PAGES.items()))
def test_each_subsystem_package_links_to_its_design_page(page: str, package: str) -> None:
    doc = importlib.import_module(package).__doc__ or ""
    assert f"docs/{page}.md" in doc, f"{package}'s docstring should link to docs/{page}.md"
