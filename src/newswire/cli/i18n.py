"""`newswire i18n missing`: the interface messages a catalog does not translate yet."""

from __future__ import annotations

from typing import Annotated

import typer

from newswire.cli.app import fail, i18n_app


@i18n_app.command("missing")
def i18n_missing(
    area: Annotated[str | None, typer.Option(help="Only this catalog area")] = None,
    lang: Annotated[str | None, typer.Option(help="Only this language")] = None,
) -> None:
    """List the interface messages a catalog does not translate yet (exit 1 when any)."""
    from newswire.i18n import coverage

    try:
        areas = (coverage.area(area),) if area else coverage.AREAS
    except LookupError as exc:
        fail(str(exc))
    if lang is not None and lang not in {t for a in areas for t in a.languages}:
        fail(f"{lang!r} is not a language of these catalogs")
    gaps = {
        key: lacking
        for key, lacking in coverage.report(areas).items()
        if lang is None or key[1] == lang
    }
    for (name, tag), lacking in gaps.items():
        for message in lacking:
            typer.echo(f"{name}.po [{tag}]: {message}")
    if gaps:
        raise typer.Exit(1)
    typer.echo("every catalog translates every message it is used for")
