"""The lifecycle allows each move only from the right state and for the right role."""

from __future__ import annotations

import pytest

from newswire.domain.errors import Forbidden, IllegalTransition
from newswire.domain.lifecycle import RULES, Action, Role, State, allowed_actions, next_state


def test_the_happy_path_from_draft_to_retraction() -> None:
    state = State.DRAFT
    for action, role, reason, expected in [
        (Action.SUBMIT, Role.ISSUER, None, State.SUBMITTED),
        (Action.APPROVE, Role.EDITOR, None, State.APPROVED),
        (Action.SCHEDULE, Role.SYSTEM, None, State.SCHEDULED),
        (Action.PUBLISH, Role.SYSTEM, None, State.PUBLISHED),
        (Action.CORRECT, Role.EDITOR, "typo", State.CORRECTED),
        (Action.CORRECT, Role.EDITOR, "another", State.CORRECTED),
        (Action.RETRACT, Role.ADMIN, "issued in error", State.RETRACTED),
    ]:
        state = next_state(state, action, role, reason)
        assert state is expected


def test_changes_requested_goes_back_to_the_issuer_and_returns() -> None:
    state = next_state(State.SUBMITTED, Action.REQUEST_CHANGES, Role.EDITOR, "add contacts")
    assert state is State.CHANGES_REQUESTED
    assert next_state(state, Action.EDIT, Role.ISSUER) is State.CHANGES_REQUESTED
    assert next_state(state, Action.SUBMIT, Role.ISSUER) is State.SUBMITTED


def test_an_embargoed_release_is_published_by_the_scheduler() -> None:
    assert next_state(State.APPROVED, Action.EMBARGO, Role.SYSTEM) is State.EMBARGOED
    assert next_state(State.EMBARGOED, Action.PUBLISH, Role.SYSTEM) is State.PUBLISHED


@pytest.mark.parametrize(
    ("state", "action", "role"),
    [
        (State.SUBMITTED, Action.APPROVE, Role.ISSUER),
        (State.SUBMITTED, Action.REJECT, Role.ISSUER),
        (State.APPROVED, Action.SCHEDULE, Role.EDITOR),
        (State.PUBLISHED, Action.CORRECT, Role.ISSUER),
        (State.DRAFT, Action.SUBMIT, Role.SYSTEM),
    ],
)
def test_the_wrong_role_is_forbidden(state: State, action: Action, role: Role) -> None:
    with pytest.raises(Forbidden, match=f"role '{role.value}' may not {action.value}"):
        next_state(state, action, role, "a reason")


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (State.DRAFT, Action.APPROVE),
        (State.PUBLISHED, Action.SUBMIT),
        (State.PUBLISHED, Action.EDIT),
        (State.RETRACTED, Action.CORRECT),
        (State.REJECTED, Action.SUBMIT),
        (State.PUBLISHED, Action.WITHDRAW),
        (State.WITHDRAWN, Action.PUBLISH),
    ],
)
def test_a_move_from_the_wrong_state_is_illegal(state: State, action: Action) -> None:
    with pytest.raises(
        IllegalTransition, match=f"cannot {action.value} a release that is {state.value}"
    ):
        next_state(state, action, Role.ADMIN, "a reason")


@pytest.mark.parametrize("action", [a for a, rule in RULES.items() if rule.needs_reason])
def test_moves_that_need_a_reason_refuse_without_one(action: Action) -> None:
    rule = RULES[action]
    source = next(iter(rule.sources))
    role = next(iter(rule.roles))
    with pytest.raises(IllegalTransition, match="needs a reason"):
        next_state(source, action, role, "  ")


def test_allowed_actions_tell_each_role_what_it_may_do_next() -> None:
    assert allowed_actions(State.SUBMITTED, Role.EDITOR) == [
        Action.REQUEST_CHANGES,
        Action.APPROVE,
        Action.REJECT,
        Action.WITHDRAW,
    ]
    assert allowed_actions(State.SUBMITTED, Role.ISSUER) == [Action.WITHDRAW]
    assert allowed_actions(State.RETRACTED, Role.ADMIN) == []
