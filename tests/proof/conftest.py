"""Shared by the proof suites (issue 15): the scale each suite runs at, and the figures each
prints at the end of the run.

The scale comes from tests/proof_scale.py (`from proof_scale import proof_scale`). A suite
records its figures with the `proof_figures` fixture; they are printed in their own section of
pytest's summary, so `.ci/run`'s log shows them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from proof_scale import FULL

_FIGURES: list[tuple[str, str]] = []


@pytest.fixture
def proof_figures(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Record one line of figures for this suite (printed in the summary)."""

    def record(line: str) -> None:
        _FIGURES.append((request.node.nodeid, line))

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("proof figures" + (" (full)" if FULL else ""))
    for nodeid, line in _FIGURES:
        terminalreporter.write_line(f"{nodeid}: {line}")
