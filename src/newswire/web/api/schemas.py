"""API response and request bodies that are not release input (that lives in intake)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from newswire.actions.actor import Actor
from newswire.config import Settings
from newswire.domain.lifecycle import PUBLIC_STATES, Role, State, allowed_actions
from newswire.intake.validate import ReleaseInput
from newswire.store.models import Release, ReleaseVersion, Transition


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class Replay(BaseModel):
    ids: list[str] | None = Field(default=None, description="Dead letters to replay; all if absent")


class Approval(BaseModel):
    override_reason: str | None = Field(
        default=None, max_length=2000, description="Needed to approve despite failing checks"
    )


class Placement(BaseModel):
    sections: list[str] = Field(default_factory=list, max_length=10)
    top_story: bool = False


class Correction(BaseModel):
    release: ReleaseInput
    reason: str = Field(min_length=1, max_length=2000)


class ReleaseOut(BaseModel):
    id: str
    organization: str
    state: State
    headline: str
    language: str
    release_time: datetime | None
    top_story: bool
    sections: list[str]
    current_version: int
    first_published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str]
    public_url: str | None
    content: dict[str, Any]
    checks: dict[str, Any]

    @classmethod
    def of(cls, release: Release, actor: Actor, settings: Settings) -> ReleaseOut:
        state = State(release.state)
        public = state in PUBLIC_STATES
        role = actor.role if actor.role is not Role.SYSTEM else Role.ADMIN
        return cls(
            id=release.id,
            organization=release.organization.slug,
            state=state,
            headline=release.headline,
            language=release.language,
            release_time=release.release_time,
            top_story=release.top_story,
            sections=list(release.sections.get("sections", [])),
            current_version=release.current_version,
            first_published_at=release.first_published_at,
            created_at=release.created_at,
            updated_at=release.updated_at,
            allowed_actions=[a.value for a in allowed_actions(state, role)],
            public_url=f"{settings.base_url}/releases/{release.id}" if public else None,
            content=release.content,
            checks=release.checks,
        )


class TransitionOut(BaseModel):
    action: str
    from_state: str
    to_state: str
    actor: str
    role: str
    reason: str | None
    at: datetime

    @classmethod
    def of(cls, t: Transition) -> TransitionOut:
        return cls(
            action=t.action,
            from_state=t.from_state,
            to_state=t.to_state,
            actor=t.actor_label,
            role=t.role,
            reason=t.reason,
            at=t.at,
        )


class VersionOut(BaseModel):
    number: int
    kind: str
    published_at: datetime
    reason: str | None
    amends: int | None
    digest: str
    url: str

    @classmethod
    def of(cls, v: ReleaseVersion, settings: Settings) -> VersionOut:
        return cls(
            number=v.number,
            kind=v.kind,
            published_at=v.published_at,
            reason=v.reason,
            amends=v.amends,
            digest=v.digest,
            url=f"{settings.base_url}/releases/{v.release_id}/v{v.number}",
        )
