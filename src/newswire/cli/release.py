"""`newswire release ...`: submit releases and move them through their lifecycle, and read
what became of them (history, checks, targets, editions, reach). Thin over `newswire.actions`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from newswire.actions import accounts
from newswire.actions import releases as actions
from newswire.actions.actor import Actor
from newswire.cli.app import (
    As,
    DataDir,
    Reason,
    _act,
    _database,
    _now,
    _read,
    _report,
    _summary,
    errors_as_messages,
    fail,
    release_app,
)
from newswire.config import Settings
from newswire.domain.lifecycle import Role, State
from newswire.intake import parse_markdown_release


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
