"""`newswire doctor [--json]`: what works and what is missing here, in plain words; exit 1 when
something required is broken (`newswire.actions.doctor`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from newswire.actions.doctor import FAIL, examine
from newswire.cli.app import DataDir, app
from newswire.config import load_settings

_MARK = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


@app.command()
def doctor(
    data: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document")] = False,
) -> None:
    """Check the configuration and this machine: database, bus, mail, DKIM, base URL,
    translation engines, webhooks, signing keys, disk."""
    findings = examine(load_settings(data))
    broken = any(f.status == FAIL for f in findings)
    if as_json:
        typer.echo(
            json.dumps({"ok": not broken, "findings": [f.as_dict() for f in findings]}, indent=2)
        )
    else:
        for f in findings:
            typer.echo(f"{_MARK[f.status]}  {f.part:<12} {f.message}")
        typer.echo(
            "something required is broken (FAIL above)" if broken else "nothing required is broken"
        )
    raise typer.Exit(1 if broken else 0)
