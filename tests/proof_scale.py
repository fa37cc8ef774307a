"""The scale each proof suite (tests/proof, issue 15) runs at: small in CI, full under
`scripts/proof --full` (which sets NEWSWIRE_PROOF_FULL=1). A module of its own, so suites
import it by a name no other folder's conftest shadows."""

from __future__ import annotations

import os

FULL = os.environ.get("NEWSWIRE_PROOF_FULL") == "1"


def proof_scale(small: int, full: int) -> int:
    """The size of a slow suite's run: `small` in CI, `full` under `scripts/proof --full`."""
    return full if FULL else small
