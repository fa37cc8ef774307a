"""`newswire org measure-email`: the operator turns an issuer's email measurement on and off."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswire.cli import app


def test_the_operator_switches_email_measurement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSWIRE_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["org", "create", "globex", "Globex Corp"]).exit_code == 0
    on = runner.invoke(app, ["org", "measure-email", "globex", "--on"])
    assert on.exit_code == 0 and "globex: email opens and clicks are counted" in on.output
    off = runner.invoke(app, ["org", "measure-email", "globex", "--off"])
    assert off.exit_code == 0 and "are not counted" in off.output
    missing = runner.invoke(app, ["org", "measure-email", "initech", "--on"])
    assert missing.exit_code != 0 and "no organization 'initech'" in missing.output
