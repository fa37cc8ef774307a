"""`newswire serve` builds the language detector while it starts, not on the first submitted
release's request (where the cold build held that request for many seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswire.cli import app
from newswire.cli import serve as serve_command
from newswire.intake import language


def test_serve_builds_the_language_detector_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    started: list[object] = []
    monkeypatch.setattr(language, "detector", lambda **_: built.append("detector"))
    monkeypatch.setattr("uvicorn.run", lambda application, **_: started.append(application))
    warm_up = serve_command.warm_up
    threads = []
    monkeypatch.setattr(serve_command, "warm_up", lambda: threads.append(warm_up()))
    assert CliRunner().invoke(app, ["db-upgrade", "--data", str(tmp_path)]).exit_code == 0

    result = CliRunner().invoke(app, ["serve", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for thread in threads:
        thread.join(10)
    assert started and built == ["detector"]  # no request was made: the server built it
