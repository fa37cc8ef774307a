"""Signed tokens for links in messages: one-click unsubscribe works without a login, so the
link itself must prove which recipient it is for.

`sign`/`verify` make links that never expire (unsubscribe). `sign_timed`/`verify_timed` make
links that carry the time they were made and expire (the journalist's emailed sign-in link);
`bound_to` ties such a token to a value of the recipient (its email), so that a token for a
deleted recipient never fits another one that gets the same id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from newswire.domain.errors import NotFound


def _mac(key: bytes, purpose: str, recipient_id: int) -> str:
    digest = hmac.new(key, f"{purpose}:{recipient_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def sign(key: bytes, purpose: str, recipient_id: int) -> str:
    return f"{recipient_id}.{_mac(key, purpose, recipient_id)}"


def verify(key: bytes, purpose: str, token: str) -> int:
    rid, _, mac = token.partition(".")
    if not rid.isdigit() or not hmac.compare_digest(mac, _mac(key, purpose, int(rid))):
        raise NotFound("this link is invalid")
    return int(rid)


def sign_timed(
    key: bytes, purpose: str, recipient_id: int, *, bound_to: str = "", at: float | None = None
) -> str:
    """``<id>.<issued ms>.<mac>``: a token that says when it was made (see `verify_timed`)."""
    issued = int((time.time() if at is None else at) * 1000)
    return f"{recipient_id}.{issued}.{_mac(key, f'{purpose}@{issued}:{bound_to}', recipient_id)}"


def recipient_of(token: str) -> int | None:
    """The recipient a timed token claims to be for (unverified: look it up, then verify)."""
    rid = token.partition(".")[0]
    return int(rid) if rid.isdigit() and len(rid) < 19 else None


def verify_timed(
    key: bytes,
    purpose: str,
    token: str,
    *,
    max_age_s: float,
    bound_to: str = "",
    now: float | None = None,
) -> tuple[int, float]:
    """(recipient id, issued at in epoch seconds); NotFound when forged, bound to another
    value, or older than `max_age_s`."""
    rid, _, rest = token.partition(".")
    issued, _, mac = rest.partition(".")
    if not (rid.isdigit() and issued.isdigit() and len(rid) < 19 and len(issued) < 16):
        raise NotFound("this link is invalid or has expired")
    expected = _mac(key, f"{purpose}@{issued}:{bound_to}", int(rid))
    at = int(issued) / 1000
    age = (time.time() if now is None else now) - at
    if not hmac.compare_digest(mac, expected) or not -60 <= age <= max_age_s:
        raise NotFound("this link is invalid or has expired")
    return int(rid), at


def sign_link(key: bytes, delivery_id: str, url: str) -> str:
    """The signature of a measured email's link (``/r/c/{delivery id}?u=<url>&s=<this>``): the
    redirect goes only to the URL the wire put into that delivery, so it is no open redirect."""
    digest = hmac.new(key, f"click:{delivery_id}:{url}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def verify_link(key: bytes, delivery_id: str, url: str, signature: str) -> bool:
    return hmac.compare_digest(signature.encode(), sign_link(key, delivery_id, url).encode())
