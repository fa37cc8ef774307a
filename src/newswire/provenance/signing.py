"""Sign a statement with the wire's active key, and verify one against a set of public keys.

A signature is a JWS (RFC 7515, joserfc) in compact form with a detached payload (RFC 7515
appendix F: ``header..signature``); the payload is the statement's RFC 8785 form. The protected
header names the key (``kid``) and the algorithm, ``Ed25519`` (RFC 9864's fully-specified name
for RFC 8037's EdDSA over Ed25519; the signature bytes are the same).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from newswire.provenance.keys import ALGORITHM, SigningKey
from newswire.provenance.statement import canonical_json

HEADER_TYPE = "newswire-statement+jws"


def sign(statement: dict[str, Any], key: SigningKey) -> str:
    """The detached compact JWS of `statement` (its RFC 8785 form)."""
    return sign_bytes(canonical_json(statement), key, typ=HEADER_TYPE)


def sign_bytes(payload: bytes, key: SigningKey, *, typ: str | None = None) -> str:
    """A detached compact JWS over `payload` (``header..signature``)."""
    header = {"alg": ALGORITHM, "kid": key.kid} | ({"typ": typ} if typ else {})
    token = jws.serialize_compact(header, payload, key.key, algorithms=[ALGORITHM])
    protected, _, signature = token.split(".")
    return f"{protected}..{signature}"


@dataclass(frozen=True)
class Checked:
    """The outcome of checking a signature: `ok`, or the `reason` it fails."""

    ok: bool
    reason: str
    kid: str | None = None


def key_id(signature: str) -> str | None:
    """The key id in a detached signature's protected header, or None if it is not one."""
    try:
        kid = jws.extract_compact(signature.encode(), payload=b"").headers().get("kid")
    except (JoseError, ValueError, TypeError, UnicodeError):
        return None
    return kid if isinstance(kid, str) else None


def verify(
    payload: bytes,
    signature: str,
    keys: list[dict[str, Any]],
    *,
    signed_at: datetime | None = None,
) -> Checked:
    """Check a detached JWS over `payload` against public JWKs (a JWK Set's ``keys``); with
    `signed_at`, the key must have been valid then (its ``valid_from``/``valid_until``)."""
    kid = key_id(signature)
    if kid is None:
        return Checked(False, "the signature is not a compact JWS with a key id")
    jwk = next((k for k in keys if k.get("kid") == kid), None)
    if jwk is None:
        return Checked(False, f"signed with key {kid}, which the wire does not publish", kid)
    try:
        public = OKPKey.import_key({k: v for k, v in jwk.items() if k in ("kty", "crv", "x")})
        jws.deserialize_compact(signature.encode(), public, algorithms=[ALGORITHM], payload=payload)
    except (JoseError, ValueError, TypeError) as exc:
        return Checked(False, f"the signature does not match ({type(exc).__name__})", kid)
    if signed_at is not None and not _valid(jwk, signed_at):
        return Checked(False, f"key {kid} was not valid at {signed_at.isoformat()}", kid)
    return Checked(True, "signature valid", kid)


CLOCK_SKEW = timedelta(minutes=5)  # between the nodes of a scale-out wire


def _valid(jwk: dict[str, Any], moment: datetime) -> bool:
    """Whether the key was valid at `moment`, give or take the nodes' clock skew."""
    start, end = jwk.get("valid_from"), jwk.get("valid_until")
    if start and moment < datetime.fromisoformat(str(start).replace("Z", "+00:00")) - CLOCK_SKEW:
        return False
    if not end:
        return True
    return moment <= datetime.fromisoformat(str(end).replace("Z", "+00:00")) + CLOCK_SKEW
