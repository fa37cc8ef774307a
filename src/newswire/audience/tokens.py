"""Signed tokens for links in messages: one-click unsubscribe works without a login, so the
link itself must prove which recipient it is for."""

from __future__ import annotations

import base64
import hashlib
import hmac

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
