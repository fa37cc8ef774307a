"""`newswire org`, `newswire user` and `newswire apikey`: organizations, users and API keys."""

from __future__ import annotations

from typing import Annotated

import typer

from newswire.actions import accounts, readership
from newswire.cli.app import As, DataDir, _database, errors_as_messages, key_app, org_app, user_app
from newswire.domain.lifecycle import Role


@org_app.command("create")
def org_create(
    slug: str,
    name: str,
    data: DataDir = None,
    kind: Annotated[str, typer.Option(help="issuer or wire")] = "issuer",
    website: str | None = None,
) -> None:
    """Create an organization (in an empty data folder: the wire's first)."""
    with errors_as_messages():
        db = _database(data, create=True)
        with db.session() as s:
            org = accounts.create_organization(s, slug=slug, name=name, kind=kind, website=website)
            typer.echo(f"organization {org.slug} ({org.kind}) created")


@user_app.command("create")
def user_create(
    email: str,
    name: Annotated[str, typer.Option(help="Full name")],
    role: Annotated[Role, typer.Option(help="issuer, editor, admin or translator")],
    org: Annotated[str, typer.Option(help="Organization slug")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    data: DataDir = None,
    languages: Annotated[
        str, typer.Option(help="A translator's languages, e.g. 'de,ja' (default: all)")
    ] = "",
    trusted: Annotated[
        bool, typer.Option(help="A translator whose work goes out without the desk's review")
    ] = False,
) -> None:
    """Create a user (a translator: optionally limited to some languages, and trusted)."""
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            organization = accounts.get_organization(s, org)
            user = accounts.create_user(
                s, email=email, name=name, role=role, organization=organization,
                password=password, languages=languages, trusted=trusted,
            )  # fmt: skip
            typer.echo(f"user {user.email} ({user.role}) created")


@key_app.command("create")
def key_create(
    as_user: As,
    name: Annotated[str, typer.Option(help="What the key is for")] = "api",
    data: DataDir = None,
) -> None:
    """Create an API key that acts as the user; it is shown once."""
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            _row, key = accounts.create_api_key(
                s, name=name, user=accounts.user_by_email(s, as_user)
            )
    typer.echo(key)


@key_app.command("revoke")
def key_revoke(prefix: str, data: DataDir = None) -> None:
    """Revoke an API key by its prefix (the part after nw_)."""
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            accounts.revoke_api_key(s, prefix)
    typer.echo(f"API key {prefix} revoked")


@org_app.command("measure-email")
def org_measure_email(
    slug: str,
    on: Annotated[bool, typer.Option("--on/--off", help="count opens and clicks or not")],
    data: DataDir = None,
) -> None:
    """Let the wire count email opens and clicks for an issuer's releases (off by default;
    only for recipients who consented too)."""
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            org = readership.set_organization_measurement(s, slug, on)
            state = "counted" if org.measure_email else "not counted"
            typer.echo(f"{org.slug}: email opens and clicks are {state}")
