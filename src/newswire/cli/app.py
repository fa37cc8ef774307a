"""The command line: thin wrappers over `newswire.actions`; errors are messages, not tracebacks."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.orm import Session

from newswire.actions import accounts
from newswire.actions.actor import Actor
from newswire.cli.translate import translate_app
from newswire.config import Settings, load_settings, sqlite_url
from newswire.domain.errors import InvalidRelease, NewswireError
from newswire.store.db import Database

app = typer.Typer(help="newswire: press-release distribution.", no_args_is_help=True)


release_app = typer.Typer(help="Submit releases and move them through their lifecycle.")
org_app = typer.Typer(help="Organizations.")
user_app = typer.Typer(help="Users.")
key_app = typer.Typer(help="API keys.")
recipients_app = typer.Typer(help="Recipients: import, export, list.")
deliveries_app = typer.Typer(help="Deliveries: dead letters and replay.")
app.add_typer(release_app, name="release")
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(key_app, name="apikey")
app.add_typer(recipients_app, name="recipients")
app.add_typer(deliveries_app, name="deliveries")
app.add_typer(translate_app, name="translate")
DataDir = Annotated[
    Path | None, typer.Option("--data", help="Data folder (default: $NEWSWIRE_DATA or ./var)")
]


As = Annotated[str, typer.Option("--as", envvar="NEWSWIRE_AS", help="Act as this user (email)")]


Reason = Annotated[str, typer.Option("--reason", help="Why; recorded with the move")]


T = TypeVar("T")


def fail(message: str, details: list[str] | None = None) -> None:
    typer.echo(f"error: {message}" if not details else "error: " + message.split(":")[0], err=True)
    for line in details or []:
        typer.echo(f"  - {line}", err=True)
    raise typer.Exit(2)


@contextmanager
def errors_as_messages() -> Iterator[None]:
    try:
        yield
    except InvalidRelease as exc:
        fail(exc.message, [f"{e.field}: {e.message} [{e.rule}]" for e in exc.errors])
    except NewswireError as exc:
        fail(exc.message)


def _database(data: Path | None, *, create: bool = False) -> Database:
    """The wire's database, migrated. Unless `create`, a data folder that holds no wire yet
    (SQLite, no database file) is an error saying so, not a new empty wire."""
    settings = load_settings(data)
    embedded = settings.database_url == sqlite_url(settings.data_dir)
    if not create and embedded and not (settings.data_dir / "newswire.db").exists():
        fail(
            f"{settings.data_dir} holds no wire yet (no newswire.db): run `newswire demo --data "
            f"{settings.data_dir}` for sample data, or start a wire there with `newswire org "
            "create`, `newswire db-upgrade` or `newswire serve`"
        )
    db = Database(settings)
    db.upgrade()
    return db


def _act(data: Path | None, as_user: str, fn: Callable[[Session, Settings, Actor], T]) -> T:
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            actor = accounts.actor_for(accounts.user_by_email(s, as_user))
            return fn(s, db.settings, actor)
    raise AssertionError("unreachable")


def _read(file: Path) -> bytes:
    if str(file) == "-":
        return sys.stdin.buffer.read()
    try:
        return file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    raise AssertionError("unreachable")


def _now() -> datetime:
    return datetime.now(UTC)


def _summary(release: Any) -> dict[str, Any]:
    return {
        "id": release.id,
        "state": release.state,
        "organization": release.organization.slug,
        "headline": release.headline,
        "language": release.language,
        "release_time": release.release_time.isoformat() if release.release_time else None,
        "version": release.current_version,
        "top_story": release.top_story,
        "sections": release.sections.get("sections", []),
    }


def _report(release: Any) -> None:
    typer.echo(f"{release.id}  {release.state}  {release.headline}")


bounces_app = typer.Typer(help="Bounces: feed DSNs so hard bounces become suppressions.")
app.add_typer(bounces_app, name="bounces")
i18n_app = typer.Typer(help="Interface translations.")
app.add_typer(i18n_app, name="i18n")
