"""`newswire deliveries`, `newswire bounces` and `newswire report`: dead letters and replay,
bounce ingestion, and a release's distribution report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from newswire.actions import releases as actions
from newswire.actions.actor import Actor
from newswire.cli.app import (
    DataDir,
    _database,
    _now,
    _read,
    app,
    bounces_app,
    deliveries_app,
    errors_as_messages,
)
from newswire.domain.lifecycle import Role


@deliveries_app.command("dead")
def deliveries_dead(
    data: DataDir = None, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """List dead-lettered deliveries (the retry schedule is spent)."""
    from newswire.deliver import outbox

    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            rows = [outbox.dead_letter_summary(d) for d in outbox.dead_letters(s, limit=10_000)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        typer.echo(
            f"{r['id']}  {r['channel']:<8} {r['address']}  "
            f"after {r['attempts']} attempts: {r['last_result']}"
        )
    typer.echo(f"{len(rows)} dead letter(s)")


@deliveries_app.command("replay")
def deliveries_replay(
    ids: Annotated[
        list[str] | None, typer.Argument(help="Delivery ids (default: all dead letters)")
    ] = None,
    data: DataDir = None,
) -> None:
    """Send dead letters again, from the start of the retry schedule."""
    from newswire.deliver import outbox

    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            count = outbox.replay(s, ids or None, now=_now())
    typer.echo(f"{count} delivery(ies) queued again")


@bounces_app.command("ingest")
def bounces_ingest(
    files: Annotated[list[Path], typer.Argument(help="Bounce messages (.eml), or - for stdin")],
    data: DataDir = None,
) -> None:
    """Read bounce messages (e.g. piped from the MTA): hard bounces suppress the address."""
    from newswire.deliver.bounces import ingest_bounce

    with errors_as_messages():
        db = _database(data)
        for file in files:
            raw = _read(file)
            with db.session() as s:
                result = ingest_bounce(s, raw, now=_now())
            kind = "hard" if result.hard else "soft"
            where = result.delivery_id or "no delivery of ours"
            typer.echo(
                f"{file}: {kind} bounce for {where} ({result.address or '-'}): {result.reason}"
            )


@app.command()
def report(release_id: str, data: DataDir = None) -> None:
    """The distribution report of a release: where every delivery stands."""
    from newswire.deliver import outbox

    operator = Actor("operator", Role.ADMIN, None)
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            actions.get_release(s, operator, release_id)
            figures = outbox.report(s, release_id)
    typer.echo(json.dumps(figures, indent=2, default=str))
