"""Who is acting: a user (through a session, an API key or the CLI) or the scheduler."""

from __future__ import annotations

from dataclasses import dataclass

from newswire.domain.lifecycle import Role


@dataclass(frozen=True)
class Actor:
    label: str  # an email, an API key's name, or "scheduler"
    role: Role
    organization_id: int | None
    user_id: int | None = None

    @property
    def is_desk(self) -> bool:
        return self.role in (Role.EDITOR, Role.ADMIN)


SCHEDULER = Actor(label="scheduler", role=Role.SYSTEM, organization_id=None)
