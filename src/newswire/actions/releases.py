"""Release actions: create, edit, submit, review, place, publish, correct, retract, withdraw.

Each function checks the actor's role and organization and the release's state through
`newswire.domain.lifecycle`, changes the release, and records a Transition, all in the caller's
transaction (the caller commits; nothing is half-written on error).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.actions.actor import SCHEDULER, Actor
from newswire.actions.editions import request_editions, retranslate_editions
from newswire.actions.issuer_claims import registry_for
from newswire.config import Settings
from newswire.deliver.fanout import enqueue_for_version
from newswire.domain.errors import Conflict, Forbidden, IllegalTransition, NotFound
from newswire.domain.lifecycle import Action, Role, State, next_state
from newswire.domain.release import ReleaseContent, Section, VersionKind, content_from_json
from newswire.publish.events import append_event
from newswire.publish.freeze import freeze_version
from newswire.publish.sign import issuer_claims, sign_version
from newswire.publish.wakeup import wakeup as scheduler_wakeup
from newswire.review.checks import run_checks
from newswire.store.hooks import after_commit
from newswire.store.models import Release, ReleaseVersion, Transition
from newswire.translate.engines import current_registry

RECENT_WINDOW = timedelta(days=30)


def _now() -> datetime:
    return datetime.now(UTC)


def new_release_id() -> str:
    return secrets.token_hex(6)


def get_release(db: Session, actor: Actor, release_id: str, *, for_update: bool = False) -> Release:
    """A release the actor may see: the desk sees all, an issuer only its own organization's."""
    query = select(Release).where(Release.id == release_id)
    if for_update and db.bind is not None and db.bind.dialect.name == "postgresql":
        query = query.with_for_update(of=Release)
    release = db.scalar(query)
    if release is None or not _may_see(actor, release):
        raise NotFound(f"no release '{release_id}'")
    return release


def _may_see(actor: Actor, release: Release) -> bool:
    """A translator sees releases only through their queue (`actions.translation_work`)."""
    if actor.role is Role.TRANSLATOR:
        return False
    return (
        actor.is_desk
        or actor.role is Role.SYSTEM
        or actor.organization_id == release.organization_id
    )


def list_releases(
    db: Session, actor: Actor, *, states: Sequence[State] = (), limit: int = 100, offset: int = 0
) -> list[Release]:
    query = select(Release).order_by(Release.created_at.desc(), Release.id)
    if actor.role is Role.TRANSLATOR:
        return []
    if not actor.is_desk:
        query = query.where(Release.organization_id == actor.organization_id)
    if states:
        query = query.where(Release.state.in_([s.value for s in states]))
    return list(db.scalars(query.limit(limit).offset(offset)))


def content_of(release: Release) -> ReleaseContent:
    return content_from_json(release.content)


def transitions_of(db: Session, actor: Actor, release_id: str) -> list[Transition]:
    get_release(db, actor, release_id)
    return list(
        db.scalars(
            select(Transition).where(Transition.release_id == release_id).order_by(Transition.id)
        )
    )


def _move(
    db: Session,
    actor: Actor,
    release: Release,
    action: Action,
    *,
    reason: str | None = None,
    at: datetime,
) -> None:
    before = State(release.state)
    after = next_state(before, action, actor.role, reason)
    release.state = after.value
    release.updated_at = at
    db.add(
        Transition(
            release_id=release.id,
            action=action.value,
            from_state=before.value,
            to_state=after.value,
            actor_id=actor.user_id,
            actor_label=actor.label,
            role=actor.role.value,
            reason=reason.strip() if reason else None,
            at=at,
        )
    )


def _set_content(release: Release, content: ReleaseContent) -> None:
    release.content = content.to_json()
    release.headline = content.headline
    release.language = content.language
    release.release_time = content.release_time


def create_release(
    db: Session,
    actor: Actor,
    content: ReleaseContent,
    *,
    organization_id: int | None = None,
    submit: bool = False,
    now: datetime | None = None,
) -> Release:
    """A new draft for the actor's organization (the desk may file for any issuer)."""
    now = now or _now()
    org_id = organization_id if actor.is_desk and organization_id else actor.organization_id
    if actor.role is Role.ISSUER and organization_id not in (None, actor.organization_id):
        raise Forbidden("an issuer files releases for its own organization only")
    if actor.role not in (Role.ISSUER, Role.EDITOR, Role.ADMIN) or org_id is None:
        raise Forbidden("only issuers and the desk file releases")
    release = Release(
        id=new_release_id(),
        organization_id=org_id,
        created_by_id=actor.user_id,
        state=State.DRAFT.value,
        top_story=False,
        sections={"sections": []},
        checks={},
        current_version=0,
        created_at=now,
        updated_at=now,
    )
    _set_content(release, content)
    db.add(release)
    db.flush()  # the release row must exist before rows that refer to it
    db.add(
        Transition(
            release_id=release.id,
            action="create",
            from_state=State.DRAFT.value,
            to_state=State.DRAFT.value,
            actor_id=actor.user_id,
            actor_label=actor.label,
            role=actor.role.value,
            at=now,
        )
    )
    db.flush()
    if submit:
        submit_release(db, actor, release.id, now=now)
    return release


def edit_release(
    db: Session,
    actor: Actor,
    release_id: str,
    content: ReleaseContent,
    *,
    now: datetime | None = None,
) -> Release:
    now = now or _now()
    release = get_release(db, actor, release_id, for_update=True)
    _move(db, actor, release, Action.EDIT, at=now)
    _set_content(release, content)
    return release


def _recent_from_same_issuer(db: Session, release: Release, now: datetime) -> list[ReleaseContent]:
    rows = db.scalars(
        select(Release).where(
            Release.organization_id == release.organization_id,
            Release.id != release.id,
            Release.created_at >= now - RECENT_WINDOW,
            Release.state.notin_([State.REJECTED.value, State.WITHDRAWN.value]),
        )
    )
    return [content_from_json(r.content) for r in rows]


def review_checks(db: Session, release: Release, now: datetime) -> dict[str, object]:
    content = content_from_json(release.content)
    results = run_checks(
        content,
        now=now,
        recent=_recent_from_same_issuer(db, release, now),
        translation_ways=current_registry().ways(content.language, content.target_languages),
        issuers=registry_for(db, release.organization_id),
    )
    return {"at": now.isoformat(), "results": [r.as_dict() for r in results]}


def submit_release(
    db: Session, actor: Actor, release_id: str, *, now: datetime | None = None
) -> Release:
    now = now or _now()
    release = get_release(db, actor, release_id, for_update=True)
    _move(db, actor, release, Action.SUBMIT, at=now)
    release.checks = review_checks(db, release, now)
    return release


def request_changes(
    db: Session, actor: Actor, release_id: str, reason: str, *, now: datetime | None = None
) -> Release:
    now = now or _now()
    release = get_release(db, actor, release_id, for_update=True)
    _move(db, actor, release, Action.REQUEST_CHANGES, reason=reason, at=now)
    return release


def reject(
    db: Session, actor: Actor, release_id: str, reason: str, *, now: datetime | None = None
) -> Release:
    now = now or _now()
    release = get_release(db, actor, release_id, for_update=True)
    _move(db, actor, release, Action.REJECT, reason=reason, at=now)
    return release


def withdraw(
    db: Session, actor: Actor, release_id: str, reason: str, *, now: datetime | None = None
) -> Release:
    now = now or _now()
    release = get_release(db, actor, release_id, for_update=True)
    _move(db, actor, release, Action.WITHDRAW, reason=reason, at=now)
    return release


def approve(
    db: Session,
    actor: Actor,
    release_id: str,
    *,
    override_reason: str | None = None,
    now: datetime | None = None,
) -> Release:
    """Approve, then hand the release to the scheduler: embargoed, or scheduled for its time.

    Checks are run again (time has passed since submission); a failing error-level check blocks
    approval unless the editor overrides it with a reason, which is recorded.
    """
    now = now or _now()
    release = get_release(db, actor, release_id, for_update=True)
    next_state(State(release.state), Action.APPROVE, actor.role)  # may they, before any checks
    release.checks = review_checks(db, release, now)
    failing = [r for r in release.checks["results"] if r["severity"] == "error" and not r["passed"]]
    if failing and not (override_reason and override_reason.strip()):
        names = ", ".join(f"{r['name']} ({r['message']})" for r in failing)
        raise Conflict(
            f"blocking checks failed: {names}; approve with an override reason to proceed"
        )
    _move(db, actor, release, Action.APPROVE, reason=override_reason, at=now)
    request_editions(db, release, now=now)
    content = content_from_json(release.content)
    if content.embargo_until is not None:
        _move(db, SCHEDULER, release, Action.EMBARGO, at=now)
    else:
        release.release_time = content.publish_at or now
        _move(db, SCHEDULER, release, Action.SCHEDULE, at=now)
        if release.release_time <= now:
            after_commit(db, scheduler_wakeup.set)  # due now: publish without waiting a tick
    return release


def place(
    db: Session,
    actor: Actor,
    release_id: str,
    *,
    sections: Sequence[str],
    top_story: bool,
    now: datetime | None = None,
) -> Release:
    """The desk places a release in editorial sections before it is published."""
    now = now or _now()
    if not actor.is_desk:
        raise Forbidden("only the desk places releases in sections")
    release = get_release(db, actor, release_id, for_update=True)
    if State(release.state) not in (
        State.SUBMITTED,
        State.APPROVED,
        State.SCHEDULED,
        State.EMBARGOED,
    ):
        raise IllegalTransition(
            f"sections are set before publication; this release is {release.state}"
        )
    unknown = [s for s in sections if s not in {x.value for x in Section}]
    if unknown:
        known = ", ".join(s.value for s in Section)
        raise IllegalTransition(f"unknown section(s) {', '.join(unknown)} (known: {known})")
    chosen = list(dict.fromkeys(sections))
    if top_story and Section.TOP_STORY.value not in chosen:
        chosen.insert(0, Section.TOP_STORY.value)
    release.sections = {"sections": chosen}
    release.top_story = top_story or Section.TOP_STORY.value in chosen
    release.updated_at = now
    db.add(
        Transition(
            release_id=release.id,
            action="place",
            from_state=release.state,
            to_state=release.state,
            actor_id=actor.user_id,
            actor_label=actor.label,
            role=actor.role.value,
            reason=", ".join(chosen) or "no sections",
            at=now,
        )
    )
    return release


def _add_version(
    db: Session,
    settings: Settings,
    release: Release,
    content: ReleaseContent,
    kind: VersionKind,
    *,
    now: datetime,
    reason: str | None = None,
) -> ReleaseVersion:
    number = release.current_version + 1
    first = release.first_published_at or now
    frozen = freeze_version(
        settings,
        release,
        content,
        number=number,
        kind=kind,
        published_at=now,
        first_published_at=first,
        reason=reason,
        amends=release.current_version or None,
        claims=issuer_claims(db, release.organization_id),
    )
    db.add(frozen)
    release.current_version = number
    release.first_published_at = first
    db.flush()
    sign_version(db, settings, release, frozen, now=now)
    enqueue_for_version(db, settings, release, content, number, kind, now=now)
    append_event(db, release, content, number, kind.value, frozen.ninjs, frozen.newsml, now=now)
    return frozen


def publish(
    db: Session,
    settings: Settings,
    actor: Actor,
    release_id: str,
    *,
    now: datetime | None = None,
) -> Release:
    """Freeze and render version 1. Never before an embargo lifts."""
    now = now or _now()
    release = get_release(db, actor, release_id, for_update=True)
    content = content_from_json(release.content)
    if content.embargo_until and now < content.embargo_until:
        raise IllegalTransition(
            f"embargoed until {content.embargo_until.isoformat()}; it cannot be published earlier"
        )
    _move(db, actor, release, Action.PUBLISH, at=now)
    _add_version(db, settings, release, content, VersionKind.ORIGINAL, now=now)
    return release


def due_release_ids(db: Session, now: datetime) -> list[str]:
    """Scheduled or embargoed releases whose time has come, oldest first."""
    return list(
        db.scalars(
            select(Release.id)
            .where(
                Release.state.in_([State.SCHEDULED.value, State.EMBARGOED.value]),
                Release.release_time <= now,
            )
            .order_by(Release.release_time, Release.id)
        )
    )


def correct(
    db: Session,
    settings: Settings,
    actor: Actor,
    release_id: str,
    content: ReleaseContent,
    reason: str,
    *,
    now: datetime | None = None,
) -> Release:
    """A correction is a new version; earlier versions stay as they were."""
    now = now or _now()
    release = get_release(db, actor, release_id, for_update=True)
    _move(db, actor, release, Action.CORRECT, reason=reason, at=now)
    content = _keep_schedule(content, release)
    _set_content(release, content)
    retranslate_editions(db, release, now=now)
    _add_version(db, settings, release, content, VersionKind.CORRECTION, now=now, reason=reason)
    return release


def retract(
    db: Session,
    settings: Settings,
    actor: Actor,
    release_id: str,
    reason: str,
    *,
    now: datetime | None = None,
) -> Release:
    now = now or _now()
    release = get_release(db, actor, release_id, for_update=True)
    _move(db, actor, release, Action.RETRACT, reason=reason, at=now)
    content = content_from_json(release.content)
    _add_version(db, settings, release, content, VersionKind.RETRACTION, now=now, reason=reason)
    return release


def _keep_schedule(content: ReleaseContent, release: Release) -> ReleaseContent:
    """A correction keeps the original's publish and embargo times (they are history now)."""
    original = content_from_json(release.content)
    return replace(content, publish_at=original.publish_at, embargo_until=original.embargo_until)


def versions_of(db: Session, release_id: str) -> list[ReleaseVersion]:
    return list(
        db.scalars(
            select(ReleaseVersion)
            .where(ReleaseVersion.release_id == release_id)
            .order_by(ReleaseVersion.number)
        )
    )
