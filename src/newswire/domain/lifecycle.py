"""The release lifecycle: which action moves a release from which state, and who may take it.

draft -> submitted -> changes_requested | approved | rejected
approved -> scheduled | embargoed -> published -> corrected* -> retracted
(withdrawn: the issuer pulls a release before it is published)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from newswire.domain.errors import Forbidden, IllegalTransition


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    EMBARGOED = "embargoed"
    PUBLISHED = "published"
    CORRECTED = "corrected"
    RETRACTED = "retracted"
    WITHDRAWN = "withdrawn"


class Role(StrEnum):
    ISSUER = "issuer"
    EDITOR = "editor"
    ADMIN = "admin"
    TRANSLATOR = "translator"  # translates editions in some languages; no release actions
    SYSTEM = "system"  # the scheduler


class Action(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    REQUEST_CHANGES = "request_changes"
    APPROVE = "approve"
    REJECT = "reject"
    SCHEDULE = "schedule"
    EMBARGO = "embargo"
    PUBLISH = "publish"
    CORRECT = "correct"
    RETRACT = "retract"
    WITHDRAW = "withdraw"


PUBLIC_STATES = frozenset({State.PUBLISHED, State.CORRECTED, State.RETRACTED})
"""States in which a release has a public version."""

DESK = frozenset({Role.EDITOR, Role.ADMIN})


@dataclass(frozen=True)
class Rule:
    sources: frozenset[State]
    target: State | None  # None: the state does not change (an edit)
    roles: frozenset[Role]
    needs_reason: bool = False


_LIVE = frozenset({State.PUBLISHED, State.CORRECTED})
_PENDING = frozenset({State.APPROVED, State.SCHEDULED, State.EMBARGOED})

RULES: dict[Action, Rule] = {
    Action.EDIT: Rule(
        frozenset({State.DRAFT, State.CHANGES_REQUESTED}), None, frozenset({Role.ISSUER, *DESK})
    ),
    Action.SUBMIT: Rule(
        frozenset({State.DRAFT, State.CHANGES_REQUESTED}),
        State.SUBMITTED,
        frozenset({Role.ISSUER, *DESK}),
    ),
    Action.REQUEST_CHANGES: Rule(
        frozenset({State.SUBMITTED}), State.CHANGES_REQUESTED, DESK, needs_reason=True
    ),
    Action.APPROVE: Rule(frozenset({State.SUBMITTED}), State.APPROVED, DESK),
    Action.REJECT: Rule(frozenset({State.SUBMITTED}), State.REJECTED, DESK, needs_reason=True),
    Action.SCHEDULE: Rule(frozenset({State.APPROVED}), State.SCHEDULED, frozenset({Role.SYSTEM})),
    Action.EMBARGO: Rule(frozenset({State.APPROVED}), State.EMBARGOED, frozenset({Role.SYSTEM})),
    Action.PUBLISH: Rule(
        frozenset({State.APPROVED, State.SCHEDULED, State.EMBARGOED}),
        State.PUBLISHED,
        frozenset({Role.SYSTEM, *DESK}),
    ),
    Action.CORRECT: Rule(_LIVE, State.CORRECTED, DESK, needs_reason=True),
    Action.RETRACT: Rule(_LIVE, State.RETRACTED, DESK, needs_reason=True),
    Action.WITHDRAW: Rule(
        frozenset({State.DRAFT, State.SUBMITTED, State.CHANGES_REQUESTED} | _PENDING),
        State.WITHDRAWN,
        frozenset({Role.ISSUER, *DESK}),
        needs_reason=True,
    ),
}


def next_state(state: State, action: Action, role: Role, reason: str | None = None) -> State:
    """The state after `action`, or an error naming why the move is not allowed."""
    rule = RULES[action]
    if role not in rule.roles:
        allowed = ", ".join(sorted(r.value for r in rule.roles))
        raise Forbidden(f"role '{role}' may not {action.value} a release (allowed: {allowed})")
    if state not in rule.sources:
        allowed = ", ".join(sorted(s.value for s in rule.sources))
        raise IllegalTransition(
            f"cannot {action.value} a release that is {state.value} (only from: {allowed})"
        )
    if rule.needs_reason and not (reason and reason.strip()):
        raise IllegalTransition(f"{action.value} needs a reason")
    return rule.target or state


def allowed_actions(state: State, role: Role) -> list[Action]:
    """What `role` may do next with a release in `state` (for the API and the desk)."""
    return [a for a, r in RULES.items() if state in r.sources and role in r.roles]
