"""`newswire demo`: seed accounts and take sample releases through the whole lifecycle."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from importlib.resources import files

from sqlalchemy.orm import Session

from newswire.actions import accounts
from newswire.actions import releases as actions
from newswire.actions.accounts import actor_for
from newswire.actions.editions import editions_of, translate_due
from newswire.actions.scheduler import run_once
from newswire.audience.importing import import_recipients
from newswire.deliver.setup import make_channels
from newswire.deliver.worker import DeliveryWorker
from newswire.domain.lifecycle import Role
from newswire.domain.release import ReleaseContent
from newswire.intake import parse_markdown_release
from newswire.store.db import Database
from newswire.store.models import Edition, Organization
from newswire.translate.engines import EngineRegistry, current_registry, install_registry


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role
    org: str
    password: str


ORGANIZATIONS = [
    ("newswire-desk", "Newswire Desk", "wire", None),
    ("acme-renewables", "Acme Renewables AG", "issuer", "https://acme-renewables.example"),
    ("sakura-robotics", "Sakura Robotics", "issuer", "https://sakura-robotics.example"),
    ("gulf-solar", "Gulf Solar", "issuer", "https://gulf-solar.example"),
    ("harbor-bank", "Harbor Bank", "issuer", "https://harbor-bank.example"),
]
USERS = [
    DemoUser("admin@newswire.example", "Alex Admin", Role.ADMIN, "newswire-desk", "demo-admin"),
    DemoUser("editor@newswire.example", "Eva Editor", Role.EDITOR, "newswire-desk", "demo-editor"),
    DemoUser(
        "press@acme-renewables.example",
        "Jana Becker",
        Role.ISSUER,
        "acme-renewables",
        "demo-issuer",
    ),
    DemoUser(
        "pr@sakura-robotics.example", "Hanako Yamada", Role.ISSUER, "sakura-robotics", "demo-issuer"
    ),
    DemoUser("media@gulf-solar.example", "Layla Hassan", Role.ISSUER, "gulf-solar", "demo-issuer"),
    DemoUser("ir@harbor-bank.example", "Wei Ling Tan", Role.ISSUER, "harbor-bank", "demo-issuer"),
    # every language: the demo's editions that no engine covers wait in the translator's queue
    DemoUser(
        "translator@newswire.example",
        "Tomo Tanaka",
        Role.TRANSLATOR,
        "newswire-desk",
        "demo-translator",
    ),
]


def _sample(name: str, now: datetime) -> ReleaseContent:
    raw = (files("newswire.demo") / "releases" / name).read_bytes()
    return parse_markdown_release(raw, now=now, source=name)


def _seed_accounts(s: Session) -> None:
    orgs: dict[str, Organization] = {}
    for slug, name, kind, website in ORGANIZATIONS:
        orgs[slug] = accounts.create_organization(
            s, slug=slug, name=name, kind=kind, website=website
        )
    for u in USERS:
        accounts.create_user(
            s,
            email=u.email,
            name=u.name,
            role=u.role,
            organization=orgs[u.org],
            password=u.password + "-pass",
        )


def _seed_recipients(s: Session) -> int:
    raw = (files("newswire.demo") / "recipients.csv").read_bytes()
    report = import_recipients(s, raw, "csv", source="demo media list")
    assert not report.problems, report.problems
    return report.imported


def _seed_releases(db: Database) -> list[str]:
    """Take the samples through the lifecycle; returns one line per release for the report."""
    now = datetime.now(UTC)
    lift = now + timedelta(hours=2)
    lines = []
    with db.session() as s:
        editor = actor_for(accounts.user_by_email(s, "editor@newswire.example"))
        issuer = {
            u.org: actor_for(accounts.user_by_email(s, u.email))
            for u in USERS
            if u.role is Role.ISSUER
        }

        def approved(
            org: str, sample: str, *, sections: list[str] = (), top: bool = False, content=None
        ) -> str:  # type: ignore[assignment]
            release = actions.create_release(
                s, issuer[org], content or _sample(sample, now), submit=True, now=now
            )
            if sections or top:
                actions.place(
                    s, editor, release.id, sections=list(sections), top_story=top, now=now
                )
            actions.approve(s, editor, release.id, override_reason="demo data", now=now)
            return release.id

        wind = approved(
            "acme-renewables", "01-acme-offshore-wind.md", sections=["daily-news"], top=True
        )
        storage = approved("acme-renewables", "02-acme-speicher-de.md", sections=["daily-news"])
        robots = approved("sakura-robotics", "03-sakura-robotics-ja.md", sections=["business"])
        solar = approved("gulf-solar", "04-gulf-solar-ar.md")
        embargoed_content = replace(_sample("05-harbor-bank-results.md", now), embargo_until=lift)
        results = approved("harbor-bank", "", content=embargoed_content)
        pending = actions.create_release(
            s,
            issuer["sakura-robotics"],
            _sample("06-sakura-partnership.md", now),
            submit=True,
            now=now,
        ).id
    translate_due(db, current_registry(), now=now)  # every language with an engine here
    run_once(db, now=now + timedelta(seconds=1))
    with db.session() as s:
        corrected = _sample("01-acme-offshore-wind.md", now)
        corrected = replace(
            corrected,
            subheadline=corrected.subheadline.replace("680,000", "690,000")
            if corrected.subheadline
            else None,
        )
        actions.correct(
            s,
            db.settings,
            editor,
            wind,
            corrected,
            "Household figure updated by the issuer",
            now=now + timedelta(seconds=2),
        )
    translate_due(db, current_registry(), now=now + timedelta(seconds=3))  # the correction
    with db.session() as s:
        editions = editions_of(s, wind)
    lines += [
        f"  {wind}  published, top story, then corrected (version 2); editions:",
        *_edition_lines(editions),
        f"  {storage}  published (German)",
        f"  {robots}  published (Japanese)",
        f"  {solar}  published (Arabic, right to left)",
        f"  {results}  embargoed until {lift.isoformat(timespec='minutes')}: not public yet",
        f"  {pending}  submitted, waiting in the desk's review queue",
    ]
    return lines


def _edition_lines(editions: list[Edition]) -> list[str]:
    """The wind farm release's editions, grouped the way a reader of the demo needs them."""
    by_status: dict[str, list[Edition]] = {}
    for edition in editions:
        by_status.setdefault(edition.status, []).append(edition)
    lines = []
    for status, label in (
        ("approved", "translated and approved"),
        ("needs_review", "translated, waiting for the desk"),
        ("pending", "still translating"),
    ):
        for e in by_status.get(status, []):
            lines.append(f"      {e.language:<8}{label} ({e.engine})")
    waiting = [e.language for e in by_status.get("needs_translator", [])]
    if waiting:
        lines.append(f"      waiting for a translator (no engine here): {', '.join(waiting)};")
        lines.append(
            "      the demo translator works on them at /translate, and "
            "`newswire translate engines` says what to install"
        )
    return lines


async def _deliver(db: Database) -> int:
    worker = DeliveryWorker(db, make_channels(db.settings), name="demo")
    try:
        return (await worker.drain())["delivered"]
    finally:
        await worker.aclose()


def seed_demo(db: Database) -> str:
    """Seed once; a second run leaves the data as it is and prints the logins again."""
    install_registry(EngineRegistry.for_data_dir(db.settings.data_dir))
    with db.session() as s:
        fresh = accounts.get_organization_or_none(s, "acme-renewables") is None
        if fresh:
            _seed_accounts(s)
            _seed_recipients(s)
    lines = _seed_releases(db) if fresh else ["  (already seeded; releases left as they were)"]
    delivered = asyncio.run(_deliver(db))
    with db.session() as s:
        keys = [
            (u, accounts.create_api_key(s, name="demo", user=accounts.user_by_email(s, u.email))[1])
            for u in USERS[:3]
        ]
    base = db.settings.base_url
    report = [
        f"newswire demo data in {db.settings.data_dir}",
        "",
        "Releases:",
        *lines,
        "",
        "Recipients: 6 journalists and editors from src/newswire/demo/recipients.csv;",
        f"  {delivered} release email(s) delivered to {db.settings.mail_dir}",
        "  (the local mail folder: no SMTP server is configured).",
        "",
        "Logins (email / password):",
        *[f"  {u.role.value:<7} {u.email} / {u.password}-pass" for u in USERS],
        "",
        "API keys (shown once; send as 'Authorization: Bearer <key>'):",
        *[f"  {u.role.value:<7} {key}" for u, key in keys],
        "",
        f"Newsroom: {base}/    API: {base}/api/v1    OpenAPI: {base}/openapi.json",
        f"Sign in at {base}/login: issuers land in the portal ({base}/portal), the editor at the"
        f" desk ({base}/desk), the admin also has the operator pages ({base}/operator).",
        f"Journalists sign up at {base}/account/signup and sign in by emailed link.",
    ]
    return "\n".join(report)
