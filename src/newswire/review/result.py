"""What an automated review check reports to the editorial desk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # blocks approval unless an editor overrides it
    WARNING = "warning"  # the desk should look
    INFO = "info"  # for the record


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def worst(severities: Iterable[Severity]) -> Severity:
    """The most serious of some severities (INFO when there are none)."""
    return max(severities, key=_RANK.__getitem__, default=Severity.INFO)


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome. A passed check always reports INFO; a failed one WARNING or ERROR."""

    name: str  # stable id, e.g. "headline_length"
    severity: Severity
    passed: bool
    message: str  # a sentence a desk editor understands
    field: str | None = None  # the ReleaseContent attribute concerned, e.g. "body_markdown"

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "severity": str(self.severity),
            "passed": self.passed,
            "message": self.message,
            "field": self.field,
        }


def blocking(results: Iterable[CheckResult]) -> list[CheckResult]:
    """Failed ERROR checks: these block approval unless an editor overrides them."""
    return [r for r in results if not r.passed and r.severity is Severity.ERROR]
