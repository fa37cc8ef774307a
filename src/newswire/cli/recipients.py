"""`newswire recipients ...`: import and export recipients and their subscriptions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newswire.cli.app import DataDir, _database, _read, errors_as_messages, fail, recipients_app


@recipients_app.command("import")
def recipients_import(
    file: Annotated[Path, typer.Argument(help="CSV or JSON file, or - for stdin")],
    data: DataDir = None,
    format: Annotated[
        str | None, typer.Option(help="csv or json (default: from the suffix)")
    ] = None,
    valid_only: Annotated[
        bool, typer.Option("--valid-only", help="Import the valid rows even if others are bad")
    ] = False,
) -> None:
    """Import recipients; a file with errors imports nothing unless --valid-only."""
    from rich.progress import Progress

    from newswire.audience.importing import import_recipients

    fmt = format or (file.suffix.lstrip(".").lower() if str(file) != "-" else "csv")
    raw = _read(file)
    total = max(raw.count(b"\n") - (1 if fmt == "csv" else 0), 1)
    with errors_as_messages():
        db = _database(data, create=True)  # a media list may be the first thing a wire gets
        with Progress(transient=True) as bar, db.session() as s:
            task = bar.add_task(f"validating {file.name}", total=total)
            report = import_recipients(
                s,
                raw,
                fmt,
                source=f"import of {file.name}",
                valid_only=valid_only,
                progress=lambda n: bar.advance(task, n),
            )
    for p in report.problems:
        typer.echo(f"line {p.line}: {p.field}: {p.message} [{p.rule}]", err=True)
    typer.echo(
        f"{report.rows} row(s): {report.valid} valid, {len(report.rejected_lines)} rejected, "
        f"{report.imported} imported"
    )
    if report.problems and not report.imported:
        typer.echo("nothing was imported; fix the rows above or use --valid-only", err=True)
        raise typer.Exit(2)


@recipients_app.command("export")
def recipients_export(
    data: DataDir = None,
    format: Annotated[str, typer.Option(help="csv or json")] = "csv",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File (default stdout)")
    ] = None,
) -> None:
    """Export every recipient with its subscriptions, in the format import reads."""
    from newswire.audience.importing import export_csv, export_json

    if format not in ("csv", "json"):
        fail(f"unknown format '{format}': use csv or json")
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            text = export_csv(s) if format == "csv" else export_json(s)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
