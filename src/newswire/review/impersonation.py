"""The blocking review check "impersonation": does a release speak for an organization its
issuer has not proved to be? The rule itself is pure and lives in
`newswire.domain.issuer_claims`; this module turns its findings into one `CheckResult`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newswire.domain.issuer_claims import OrgClaims, impersonation_findings
from newswire.domain.release import ReleaseContent
from newswire.review.result import CheckResult, Severity

NAME = "impersonation"


@dataclass(frozen=True)
class IssuerRegistry:
    """The issuer of the release under review, and every other verified organization."""

    issuer: OrgClaims
    others: Sequence[OrgClaims] = ()


def check_impersonation(
    content: ReleaseContent, body_text: str, registry: IssuerRegistry | None
) -> CheckResult:
    if registry is None:
        return CheckResult(NAME, Severity.INFO, True, "No verified issuers to compare with.")
    findings = impersonation_findings(content, body_text, registry.issuer, registry.others)
    if not findings:
        return CheckResult(
            NAME,
            Severity.INFO,
            True,
            f"The headline, issuer line, contacts and quoted spokespeople speak for "
            f"{registry.issuer.name}.",
        )
    blocking = any(f.blocking for f in findings)
    message = "; ".join(f.message for f in findings)
    message = message[0].upper() + message[1:] + "."
    if not blocking:
        message += " (A warning: the issuer has not verified any domain or ticker yet.)"
    severity = Severity.ERROR if blocking else Severity.WARNING
    return CheckResult(NAME, severity, False, message, "headline")
