"""Proof suite 3 (issue 15): schema fuzzing. schemathesis generates requests from the app's own
OpenAPI document, for every operation, as each role (anonymous, an issuer, another
organization's issuer, an editor, an admin); every answer must be no server error, carry a
status code the document declares, in a declared media type, with a body that conforms to the
declared schema.

schemathesis's pytest plugin does not run under this pytest (9.x), so the suite drives its
Hypothesis strategies (`operation.as_strategy()`) itself, a bounded number of examples per
operation and role (small in CI, more under `scripts/proof --full`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import schemathesis
import schemathesis.checks as checks
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from builders import make_world
from newswire.config import Settings
from newswire.store.db import Database
from newswire.web.app import create_app
from proof_scale import proof_scale

ROLES = ("anonymous", "issuer", "other_issuer", "editor", "admin")
EXAMPLES = proof_scale(3, 25)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# Their error answers are JSON like every other (ErrorBody), while the operation's own media
# type is an event stream or plain text: OpenAPI can say so, FastAPI's generated document
# declares an operation's extra answers in the operation's media type.
MEDIA_TYPE_EXCEPTIONS = {("GET", "/api/v1/stream"), ("POST", "/websub")}


def _fuzz(
    operation: schemathesis.APIOperation,
    headers: dict[str, str],
    chosen: list[Callable[..., object]],
) -> int:
    """Run `operation`'s generated cases with `headers`; how many were sent."""
    sent = 0

    @given(operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def fuzz(case: schemathesis.Case) -> None:
        nonlocal sent
        sent += 1
        case.call_and_validate(headers=headers, checks=chosen)

    fuzz()
    return sent


def test_every_operation_answers_as_its_schema_says_for_every_role(
    sqlite_settings: Settings,
    proof_figures: Callable[[str], None],
) -> None:
    db = Database(sqlite_settings)  # the schema is the same on both stores
    db.upgrade()
    world = make_world(db)
    app = create_app(sqlite_settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    cases: Counter[str] = Counter()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for role in ROLES:
        headers = world.headers(role) if role != "anonymous" else {}
        for operation in operations:
            method = operation.method.upper()
            chosen = CHECKS
            if (method, operation.path) in MEDIA_TYPE_EXCEPTIONS:
                chosen = [c for c in CHECKS if c is not checks.content_type_conformance]

            try:
                cases[role] += _fuzz(operation, headers, chosen)
            except Exception as failure:  # a schemathesis FailureGroup: every finding named
                failures.append(f"{role} {method} {operation.path}: {str(failure)[:600]}")
    proof_figures(
        f"{len(operations)} operations x {len(ROLES)} roles, {sum(cases.values())} requests "
        f"({EXAMPLES} examples each at most): {len(failures)} failures"
    )
    assert not failures, "\n\n".join(failures)
