"""HTTP API under /api/v1: thin wrappers over `newswire.actions`."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from newswire import taxonomy
from newswire.actions import releases as actions
from newswire.actions.actor import Actor
from newswire.channels.mailfolder import list_messages
from newswire.deliver import bounces, outbox
from newswire.domain.errors import Forbidden, NotFound
from newswire.domain.lifecycle import State
from newswire.intake.validate import ReleaseInput, content_from_input
from newswire.report import readership
from newswire.web.api.schemas import (
    Approval,
    Correction,
    Placement,
    Reason,
    ReleaseOut,
    Replay,
    TransitionOut,
    VersionOut,
)
from newswire.web.deps import DB, Config, CurrentActor
from newswire.web.errors import ERROR_ANSWERS
from newswire.web.params import Int64

router = APIRouter(prefix="/api/v1", responses=ERROR_ANSWERS)
MEDIA_TYPES = {
    "ninjs": "application/json",
    "newsml": "application/vnd.iptc.g2.newsitem+xml",
    "html": "text/html; charset=utf-8",
}


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/me", tags=["accounts"])
def me(actor: CurrentActor) -> dict[str, object]:
    return {"actor": actor.label, "role": actor.role, "organization_id": actor.organization_id}


@router.post("/releases", status_code=status.HTTP_201_CREATED, tags=["releases"])
def create_release(
    body: ReleaseInput,
    actor: CurrentActor,
    db: DB,
    settings: Config,
    submit: Annotated[bool, Query(description="Submit for review at once")] = False,
    organization: Annotated[
        str | None, Query(description="Desk only: file for this issuer")
    ] = None,
) -> ReleaseOut:
    now = _now()
    content = content_from_input(body, now=now)
    with db.session() as s:
        org_id = None
        if organization:
            from newswire.actions.accounts import get_organization

            org_id = get_organization(s, organization).id
        release = actions.create_release(
            s, actor, content, organization_id=org_id, submit=submit, now=now
        )
        return ReleaseOut.of(release, actor, settings)


@router.get("/releases", tags=["releases"])
def list_releases(
    actor: CurrentActor,
    db: DB,
    settings: Config,
    state: Annotated[list[State] | None, Query()] = None,
    limit: Annotated[Int64, Query(ge=1, le=500)] = 100,
    offset: Annotated[Int64, Query(ge=0)] = 0,
) -> list[ReleaseOut]:
    with db.session() as s:
        rows = actions.list_releases(s, actor, states=state or (), limit=limit, offset=offset)
        return [ReleaseOut.of(r, actor, settings) for r in rows]


@router.get("/releases/{release_id}", tags=["releases"])
def get_release(release_id: str, actor: CurrentActor, db: DB, settings: Config) -> ReleaseOut:
    with db.session() as s:
        return ReleaseOut.of(actions.get_release(s, actor, release_id), actor, settings)


@router.put("/releases/{release_id}", tags=["releases"])
def edit_release(
    release_id: str, body: ReleaseInput, actor: CurrentActor, db: DB, settings: Config
) -> ReleaseOut:
    now = _now()
    content = content_from_input(body, now=now)
    with db.session() as s:
        release = actions.edit_release(s, actor, release_id, content, now=now)
        return ReleaseOut.of(release, actor, settings)


@router.post("/releases/{release_id}/submit", tags=["lifecycle"])
def submit(release_id: str, actor: CurrentActor, db: DB, settings: Config) -> ReleaseOut:
    with db.session() as s:
        return ReleaseOut.of(actions.submit_release(s, actor, release_id), actor, settings)


@router.post("/releases/{release_id}/approve", tags=["lifecycle"])
def approve(
    release_id: str, actor: CurrentActor, db: DB, settings: Config, body: Approval | None = None
) -> ReleaseOut:
    override = body.override_reason if body else None
    with db.session() as s:
        release = actions.approve(s, actor, release_id, override_reason=override)
        return ReleaseOut.of(release, actor, settings)


@router.post("/releases/{release_id}/reject", tags=["lifecycle"])
def reject(
    release_id: str, body: Reason, actor: CurrentActor, db: DB, settings: Config
) -> ReleaseOut:
    with db.session() as s:
        return ReleaseOut.of(actions.reject(s, actor, release_id, body.reason), actor, settings)


@router.post("/releases/{release_id}/request-changes", tags=["lifecycle"])
def request_changes(
    release_id: str, body: Reason, actor: CurrentActor, db: DB, settings: Config
) -> ReleaseOut:
    with db.session() as s:
        release = actions.request_changes(s, actor, release_id, body.reason)
        return ReleaseOut.of(release, actor, settings)


@router.post("/releases/{release_id}/withdraw", tags=["lifecycle"])
def withdraw(
    release_id: str, body: Reason, actor: CurrentActor, db: DB, settings: Config
) -> ReleaseOut:
    with db.session() as s:
        return ReleaseOut.of(actions.withdraw(s, actor, release_id, body.reason), actor, settings)


@router.post("/releases/{release_id}/placement", tags=["lifecycle"])
def place(
    release_id: str, body: Placement, actor: CurrentActor, db: DB, settings: Config
) -> ReleaseOut:
    with db.session() as s:
        release = actions.place(
            s, actor, release_id, sections=body.sections, top_story=body.top_story
        )
        return ReleaseOut.of(release, actor, settings)


@router.post("/releases/{release_id}/publish", tags=["lifecycle"])
def publish(release_id: str, actor: CurrentActor, db: DB, settings: Config) -> ReleaseOut:
    with db.session() as s:
        return ReleaseOut.of(actions.publish(s, settings, actor, release_id), actor, settings)


@router.post("/releases/{release_id}/corrections", status_code=201, tags=["lifecycle"])
def correct(
    release_id: str, body: Correction, actor: CurrentActor, db: DB, settings: Config
) -> ReleaseOut:
    now = _now()
    content = content_from_input(body.release, now=now, allow_past=True)
    with db.session() as s:
        release = actions.correct(s, settings, actor, release_id, content, body.reason, now=now)
        return ReleaseOut.of(release, actor, settings)


@router.post("/releases/{release_id}/retraction", status_code=201, tags=["lifecycle"])
def retract(
    release_id: str, body: Reason, actor: CurrentActor, db: DB, settings: Config
) -> ReleaseOut:
    with db.session() as s:
        return ReleaseOut.of(
            actions.retract(s, settings, actor, release_id, body.reason), actor, settings
        )


@router.get("/releases/{release_id}/transitions", tags=["lifecycle"])
def transitions(release_id: str, actor: CurrentActor, db: DB) -> list[TransitionOut]:
    with db.session() as s:
        return [TransitionOut.of(t) for t in actions.transitions_of(s, actor, release_id)]


@router.get("/releases/{release_id}/checks", tags=["review"])
def checks(release_id: str, actor: CurrentActor, db: DB) -> dict[str, object]:
    """The automated review checks, run now."""
    with db.session() as s:
        release = actions.get_release(s, actor, release_id)
        return actions.review_checks(s, release, _now())


@router.get("/releases/{release_id}/versions", tags=["versions"])
def versions(release_id: str, actor: CurrentActor, db: DB, settings: Config) -> list[VersionOut]:
    with db.session() as s:
        actions.get_release(s, actor, release_id)
        return [VersionOut.of(v, settings) for v in actions.versions_of(s, release_id)]


@router.get("/releases/{release_id}/versions/{number}", tags=["versions"])
def version(
    release_id: str,
    number: Int64,
    actor: CurrentActor,
    db: DB,
    format: Literal["ninjs", "newsml", "html"] = "ninjs",
) -> Response:
    with db.session() as s:
        actions.get_release(s, actor, release_id)
        found = [v for v in actions.versions_of(s, release_id) if v.number == number]
        if not found:
            raise NotFound(f"release '{release_id}' has no version {number}")
        v = found[0]
        body = {"ninjs": v.ninjs, "newsml": v.newsml, "html": v.article_html}[format]
        return Response(body, media_type=MEDIA_TYPES[format])


@router.get("/taxonomy/industries", tags=["taxonomy"])
def industries(lang: str = "en") -> list[dict[str, object]]:
    return [
        {"code": i.code, "medtop": i.medtop, "parent": i.parent, "label": i.label(lang)}
        for i in taxonomy.industries()
    ]


@router.get("/taxonomy/regions", tags=["taxonomy"])
def regions(lang: str = "en") -> list[dict[str, object]]:
    return [
        {"code": code, "name": taxonomy.region_name(code, lang), "members": sorted(members)}
        for code, members in taxonomy.REGION_GROUPS.items()
    ]


@router.get("/taxonomy/languages", tags=["taxonomy"])
def languages(lang: str = "en") -> list[dict[str, str]]:
    return [{"tag": t, "name": taxonomy.language_name(t, lang)} for t in taxonomy.LANGUAGES]


@router.get("/releases/{release_id}/report", tags=["delivery"])
def distribution_report(release_id: str, actor: CurrentActor, db: DB) -> dict[str, object]:
    """Targets, delivered, pending, failed and dead, by channel, country, language and outlet
    type, and how simultaneous the release was (spread of first attempts)."""
    with db.session() as s:
        actions.get_release(s, actor, release_id)
        return outbox.report(s, release_id)


@router.get("/releases/{release_id}/readership", tags=["delivery"])
def readership_figures(release_id: str, actor: CurrentActor, db: DB) -> dict[str, object]:
    """Counted reads: totals per channel, language and country, and a daily series per
    channel (pages, editions, documents, embeds; email opens and clicks where allowed).
    Only counts of requests the wire served; no potential audience."""
    with db.session() as s:
        actions.get_release(s, actor, release_id)
        return readership.figures(s, release_id)


@router.get("/deliveries/dead", tags=["delivery"])
def dead_letters(actor: CurrentActor, db: DB, limit: Int64 = 200) -> list[dict[str, object]]:
    _desk_only(actor)
    with db.session() as s:
        return [outbox.dead_letter_summary(d) for d in outbox.dead_letters(s, limit=limit)]


@router.post("/deliveries/replay", tags=["delivery"])
def replay_dead_letters(actor: CurrentActor, db: DB, body: Replay) -> dict[str, int]:
    _desk_only(actor)
    with db.session() as s:
        count = outbox.replay(s, body.ids, now=_now())
    return {"replayed": count}


def _desk_only(actor: Actor) -> None:
    if not actor.is_desk:
        raise Forbidden("only the desk manages deliveries")


@router.post("/bounces", tags=["delivery"])
async def ingest_bounce(request: Request, actor: CurrentActor, db: DB) -> dict[str, object]:
    """Feed a bounce message (the raw RFC 5322 DSN as the body), e.g. from the MTA's pipe to
    `newswire bounces ingest`: a hard bounce suppresses the address."""
    _desk_only(actor)
    raw = await request.body()

    def run() -> dict[str, object]:
        with db.session() as s:
            return bounces.ingest_bounce(s, raw, now=_now()).as_dict()

    return await run_in_threadpool(run)


@router.get("/mail", tags=["delivery"])
def mail_folder(
    actor: CurrentActor, settings: Config, limit: Int64 = 100
) -> list[dict[str, object]]:
    """The embedded default's local mail folder (when no SMTP server is configured): newest
    first."""
    _desk_only(actor)
    found = []
    for path in reversed(list_messages(settings.mail_dir)[-limit:]):
        headers = BytesParser(policy=policy.default).parsebytes(path.read_bytes(), headersonly=True)
        found.append(
            {"name": path.name, "to": str(headers["To"]), "subject": str(headers["Subject"]),
             "date": str(headers["Date"]), "size": path.stat().st_size}
        )  # fmt: skip
    return found


@router.get("/mail/{name}", tags=["delivery"])
def mail_message(name: str, actor: CurrentActor, settings: Config) -> Response:
    """One message from the local mail folder, as it would have gone out (message/rfc822)."""
    _desk_only(actor)
    path = settings.mail_dir / name
    if "/" in name or not name.endswith(".eml") or not path.is_file():
        raise NotFound(f"no message '{name}' in the mail folder")
    return Response(path.read_bytes(), media_type="message/rfc822")
