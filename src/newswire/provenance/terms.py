"""The names the wire's provenance is published under, in one place: the keys' path, the ninjs
trust-indicator roles, the link relation of a signature, and the time format of statements."""

from __future__ import annotations

from datetime import UTC, datetime

KEYS_PATH = "/.well-known/newswire-keys.json"
SIGNATURE_ROLE = "urn:newswire:trust:signature"  # ninjs trustindicators: the .sig resource
VERIFY_ROLE = "urn:newswire:trust:verify"  # ninjs trustindicators: the verification page
SIGNATURE_REL = "urn:newswire:rel:signature"  # HTTP Link, Atom and RSS links to the .sig


def iso_ms(moment: datetime) -> str:
    """UTC to the millisecond with a ``Z`` (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
