"""The command line: thin wrappers over `newswire.actions`; errors are messages, not tracebacks."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.orm import Session

from newswire.actions import accounts
from newswire.actions import releases as actions
from newswire.actions.actor import Actor
from newswire.config import Settings, load_settings
from newswire.domain.errors import InvalidRelease, NewswireError
from newswire.domain.lifecycle import Role, State
from newswire.intake import parse_markdown_release
from newswire.store.db import Database
from newswire.translate.cli import translate_app

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


def _database(data: Path | None) -> Database:
    db = Database(load_settings(data))
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


# -- running ------------------------------------------------------------------------------------


@app.command()
def serve(
    data: DataDir = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Serve the web, the API and the scheduler on existing data."""
    import uvicorn

    from newswire.web.app import create_app

    settings = load_settings(data)
    with errors_as_messages():
        application = create_app(settings)
    typer.echo(f"newswire serving {settings.data_dir} at http://{host}:{port}/")
    uvicorn.run(application, host=host, port=port, log_level="info")


@app.command()
def gateway(
    data: DataDir = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8100,
) -> None:
    """Serve only the terminal streams (scale-out: any number of gateways on the shared
    database, told of new events through NATS at NEWSWIRE_BUS_URL)."""
    import uvicorn

    from newswire.web.streams.gateway import create_gateway_app

    settings = load_settings(data)
    with errors_as_messages():
        _database(data)
        application = create_gateway_app(settings)
    typer.echo(f"stream gateway at http://{host}:{port}/api/v1/stream")
    uvicorn.run(application, host=host, port=port, log_level="info")


@app.command()
def demo(
    data: DataDir = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Seed, then exit")] = False,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Seed a data folder with demo accounts and releases through the lifecycle; serve it."""
    from newswire.demo import seed_demo

    settings = load_settings(
        data, base_url=f"http://{host}:{port}", wire_url=f"http://{host}:{port}/"
    )
    with errors_as_messages():
        db = Database(settings)
        db.upgrade()
        report = seed_demo(db)
        db.dispose()
    typer.echo(report)
    if not no_serve:
        serve(data=settings.data_dir, host=host, port=port)


@app.command("db-upgrade")
def db_upgrade(data: DataDir = None) -> None:
    """Create or migrate the database to the current schema."""
    with errors_as_messages():
        db = _database(data)
    typer.echo(f"database at {db.settings.database_url} is up to date")


@app.command("scheduler-run")
def scheduler_run(data: DataDir = None) -> None:
    """Publish every release whose time has come, once, and exit (for cron or tests)."""
    from newswire.actions.scheduler import run_once

    with errors_as_messages():
        published = run_once(_database(data))
    typer.echo(f"published {len(published)} release(s)" + "".join(f"\n{r}" for r in published))


# -- releases -----------------------------------------------------------------------------------


@release_app.command("submit")
def release_submit(
    file: Annotated[Path, typer.Argument(help="Markdown with YAML front matter, or - for stdin")],
    as_user: As,
    data: DataDir = None,
    draft: Annotated[bool, typer.Option("--draft", help="Keep as a draft")] = False,
    organization: Annotated[
        str | None, typer.Option("--org", help="Desk: file for this issuer")
    ] = None,
) -> None:
    """Submit a release from a Markdown file with YAML front matter."""
    raw = _read(file)

    def run(s: Session, _settings: Settings, actor: Actor) -> Any:
        content = parse_markdown_release(raw, now=_now(), source=str(file))
        org_id = accounts.get_organization(s, organization).id if organization else None
        return actions.create_release(s, actor, content, organization_id=org_id, submit=not draft)

    release = _act(data, as_user, run)
    _report(release)
    failing = [r for r in release.checks.get("results", []) if not r["passed"]]
    for check in failing:
        typer.echo(f"  check {check['severity']}: {check['message']}")


@release_app.command("edit")
def release_edit(release_id: str, file: Path, as_user: As, data: DataDir = None) -> None:
    """Replace a draft's content (or one whose changes were requested)."""
    raw = _read(file)

    def run(s: Session, _settings: Settings, actor: Actor) -> Any:
        content = parse_markdown_release(raw, now=_now(), source=str(file))
        return actions.edit_release(s, actor, release_id, content)

    _report(_act(data, as_user, run))


@release_app.command("list")
def release_list(
    data: DataDir = None,
    as_user: Annotated[str | None, typer.Option("--as", envvar="NEWSWIRE_AS")] = None,
    state: Annotated[list[State] | None, typer.Option(help="Only these states")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines")] = False,
    limit: int = 100,
) -> None:
    """List releases (all of them for the operator, an issuer's own with --as)."""
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            actor = (
                accounts.actor_for(accounts.user_by_email(s, as_user))
                if as_user
                else Actor("operator", Role.ADMIN, None)
            )
            rows = actions.list_releases(s, actor, states=state or (), limit=limit)
            summaries = [_summary(r) for r in rows]
    if as_json:
        typer.echo(json.dumps(summaries, ensure_ascii=False, indent=2))
        return
    for r in summaries:
        typer.echo(
            f"{r['id']}  {r['state']:<17} v{r['version']}  {r['organization']:<20} {r['headline']}"
        )


@release_app.command("show")
def release_show(
    release_id: str,
    data: DataDir = None,
    format: Annotated[str, typer.Option(help="json, html, ninjs or newsml")] = "json",
    version: Annotated[int | None, typer.Option(help="Version number (default: latest)")] = None,
) -> None:
    """Show a release; published versions in any rendered format."""
    if format not in ("json", "html", "ninjs", "newsml"):
        fail(f"unknown format '{format}': use json, html, ninjs or newsml")
    operator = Actor("operator", Role.ADMIN, None)
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            release = actions.get_release(s, operator, release_id)
            if format == "json":
                typer.echo(
                    json.dumps(
                        {**_summary(release), "content": release.content, "checks": release.checks},
                        ensure_ascii=False,
                        indent=2,
                    )
                )
                return
            versions = actions.versions_of(s, release_id)
            if not versions:
                fail(f"release {release_id} is {release.state}: it has no published version yet")
            wanted = [v for v in versions if v.number == (version or versions[-1].number)]
            if not wanted:
                fail(f"release {release_id} has no version {version}")
            v = wanted[0]
            typer.echo({"html": v.article_html, "ninjs": v.ninjs, "newsml": v.newsml}[format])


def _simple(name: str, fn: Callable[..., Any], needs_reason: bool, doc: str) -> None:
    if needs_reason:

        def command(release_id: str, as_user: As, reason: Reason, data: DataDir = None) -> None:
            _report(_act(data, as_user, lambda s, st, a: fn(s, a, release_id, reason)))
    else:

        def command(release_id: str, as_user: As, data: DataDir = None) -> None:  # type: ignore[misc]
            _report(_act(data, as_user, lambda s, st, a: fn(s, a, release_id)))

    command.__doc__ = doc
    release_app.command(name)(command)


_simple("submit-draft", actions.submit_release, False, "Submit a draft for review.")
_simple("reject", actions.reject, True, "Reject a submitted release, with a reason.")
_simple("request-changes", actions.request_changes, True, "Send a release back to its issuer.")
_simple("withdraw", actions.withdraw, True, "Withdraw a release before it is published.")


@release_app.command("approve")
def release_approve(
    release_id: str,
    as_user: As,
    data: DataDir = None,
    override: Annotated[
        str | None, typer.Option("--override", help="Approve despite failing checks, saying why")
    ] = None,
) -> None:
    """Approve a submitted release; it is then scheduled or embargoed for its time."""
    _report(
        _act(
            data,
            as_user,
            lambda s, st, a: actions.approve(s, a, release_id, override_reason=override),
        )
    )


@release_app.command("place")
def release_place(
    release_id: str,
    as_user: As,
    section: Annotated[
        list[str] | None, typer.Option(help="top-story, daily-news, feature, business")
    ] = None,
    top_story: Annotated[bool, typer.Option("--top-story", help="Mark as a top story")] = False,
    data: DataDir = None,
) -> None:
    """Place a release in editorial sections (before it is published)."""
    _report(
        _act(
            data,
            as_user,
            lambda s, st, a: actions.place(
                s, a, release_id, sections=section or [], top_story=top_story
            ),
        )
    )


@release_app.command("publish")
def release_publish(release_id: str, as_user: As, data: DataDir = None) -> None:
    """Publish an approved or scheduled release now (never before an embargo lifts)."""
    _report(_act(data, as_user, lambda s, st, a: actions.publish(s, st, a, release_id)))


@release_app.command("correct")
def release_correct(
    release_id: str, file: Path, as_user: As, reason: Reason, data: DataDir = None
) -> None:
    """Publish a correction: a new version from FILE; earlier versions stay as they were."""
    raw = _read(file)

    def run(s: Session, settings: Settings, actor: Actor) -> Any:
        content = parse_markdown_release(raw, now=_now(), source=str(file), allow_past=True)
        return actions.correct(s, settings, actor, release_id, content, reason)

    _report(_act(data, as_user, run))


@release_app.command("retract")
def release_retract(release_id: str, as_user: As, reason: Reason, data: DataDir = None) -> None:
    """Retract a published release: a new version that withdraws it, with the reason."""
    _report(_act(data, as_user, lambda s, st, a: actions.retract(s, st, a, release_id, reason)))


@release_app.command("history")
def release_history(
    release_id: str,
    data: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every move of a release: when, who, from what to what, and why."""
    operator = Actor("operator", Role.ADMIN, None)
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            rows = [
                {
                    "at": t.at.isoformat(timespec="seconds"),
                    "action": t.action,
                    "from": t.from_state,
                    "to": t.to_state,
                    "actor": t.actor_label,
                    "role": t.role,
                    "reason": t.reason,
                }
                for t in actions.transitions_of(s, operator, release_id)
            ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for t in rows:
        why = f"  ({t['reason']})" if t["reason"] else ""
        typer.echo(f"{t['at']}  {t['action']:<16} {t['from']} -> {t['to']}  by {t['actor']}{why}")


@release_app.command("checks")
def release_checks(release_id: str, data: DataDir = None) -> None:
    """Run the automated review checks on a release now."""
    operator = Actor("operator", Role.ADMIN, None)
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            result = actions.review_checks(s, actions.get_release(s, operator, release_id), _now())
    for r in result["results"]:  # type: ignore[attr-defined]
        mark = "ok  " if r["passed"] else r["severity"].upper()
        typer.echo(f"{mark:<8} {r['name']:<18} {r['message']}")


# -- accounts -----------------------------------------------------------------------------------


@org_app.command("create")
def org_create(
    slug: str,
    name: str,
    data: DataDir = None,
    kind: Annotated[str, typer.Option(help="issuer or wire")] = "issuer",
    website: str | None = None,
) -> None:
    """Create an organization."""
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            org = accounts.create_organization(s, slug=slug, name=name, kind=kind, website=website)
            typer.echo(f"organization {org.slug} ({org.kind}) created")


@user_app.command("create")
def user_create(
    email: str,
    name: Annotated[str, typer.Option(help="Full name")],
    role: Annotated[Role, typer.Option(help="issuer, editor or admin")],
    org: Annotated[str, typer.Option(help="Organization slug")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    data: DataDir = None,
) -> None:
    """Create a user."""
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            organization = accounts.get_organization(s, org)
            user = accounts.create_user(
                s, email=email, name=name, role=role, organization=organization, password=password
            )
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


# -- recipients and targeting --------------------------------------------------------------------


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
        db = _database(data)
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


def _targets_of(data: Path | None, release_id: str, *, explain: bool) -> list[Any]:
    from newswire.audience.targeting import AudienceIndex, facts_for, targets

    operator = Actor("operator", Role.ADMIN, None)
    with errors_as_messages():
        db = _database(data)
        index = AudienceIndex(db.settings.data_dir / "targeting.idx")
        with db.session() as s:
            release = actions.get_release(s, operator, release_id)
            content = actions.content_of(release)
            facts = facts_for(content, release.organization_id, content.target_languages)
            with index.current(s) as current:
                found = targets(s, current, facts, explain=explain)
        index.close()
        return found
    raise AssertionError("unreachable")


@release_app.command("targets")
def release_targets(
    release_id: str, data: DataDir = None, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Who gets the release, over which endpoint, in which language, and why."""
    found = _targets_of(data, release_id, explain=True)
    if as_json:
        typer.echo(json.dumps([t.as_dict() for t in found], ensure_ascii=False, indent=2))
        return
    for t in found:
        typer.echo(f"{t.recipient} <{t.address}> {t.channel} {t.language} {t.frequency}")
        for reason in t.reasons:
            typer.echo(f"    {reason}")
    typer.echo(f"{len(found)} target(s)")


@release_app.command("editions")
def release_editions(release_id: str, data: DataDir = None) -> None:
    """The release's editions: language, status, engine, QA flags, post-edited or not."""
    from newswire.actions.editions import editions_of

    operator = Actor("operator", Role.ADMIN, None)
    with errors_as_messages():
        db = _database(data)
        with db.session() as s:
            actions.get_release(s, operator, release_id)
            rows = [
                (
                    e.language,
                    e.status,
                    e.engine or "-",
                    len(e.flags.get("flags", [])),
                    e.post_edited,
                    e.reason,
                )
                for e in editions_of(s, release_id)
            ]
    for lang, status, engine, flags, edited, reason in rows:
        mark = " post-edited" if edited else ""
        typer.echo(f"{lang:<8} {status:<17} {engine:<14} {flags} flag(s){mark}  {reason or ''}")


@release_app.command("reach")
def release_reach(release_id: str, data: DataDir = None) -> None:
    """How many outlets, journalists, terminals and partner sites the release reaches."""
    from newswire.audience.targeting import reach

    typer.echo(json.dumps(reach(_targets_of(data, release_id, explain=False)), indent=2))


# -- delivery -----------------------------------------------------------------------------------


@app.command()
def worker(
    data: DataDir = None,
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due, then exit")] = False,
) -> None:
    """Run a delivery worker (scale-out: any number, on any machines, sharing the database and,
    with NEWSWIRE_BUS_URL=nats://..., NATS JetStream)."""
    import asyncio

    from newswire import bus
    from newswire.deliver.setup import make_channels
    from newswire.deliver.worker import DeliveryWorker

    async def run(db: Database) -> None:
        message_bus = bus.make_bus(db.settings.bus_url)
        await message_bus.start()
        bus.install(message_bus)
        delivery = DeliveryWorker(db, make_channels(db.settings))
        try:
            if once:
                done = await delivery.drain()
                typer.echo(", ".join(f"{n} {state}" for state, n in done.items()) or "nothing due")
            else:
                typer.echo(
                    f"worker {delivery.name} delivering; bus: {db.settings.bus_url or 'in-process'}"
                )
                await delivery.run_forever(message_bus)
        finally:
            await delivery.aclose()
            await message_bus.close()

    with errors_as_messages():
        db = _database(data)
        with suppress(KeyboardInterrupt):
            asyncio.run(run(db))


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


bounces_app = typer.Typer(help="Bounces: feed DSNs so hard bounces become suppressions.")
app.add_typer(bounces_app, name="bounces")


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


i18n_app = typer.Typer(help="Interface translations.")
app.add_typer(i18n_app, name="i18n")


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


def main() -> None:
    app()
