"""Bounces (channels stage): which delivery a returned message is about, and whether it is
permanent. Every message has a return path of its own (VERP, ``bounces+<delivery id>@domain``),
so a bounce names exactly one delivery.
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import Message
from typing import NamedTuple

from newswire.channels.outcomes import enhanced_status_in


class Bounce(NamedTuple):
    delivery_id: str | None  # None: not addressed to one of our return paths
    hard: bool  # permanent: the address should not be mailed again
    reason: str


_ENVELOPE_HEADERS = ("X-Original-To", "Delivered-To", "Envelope-To", "X-Envelope-To", "To")


def parse_bounce(raw: bytes | str, *, return_path_local: str = "bounces") -> Bounce:
    """Which delivery a bounce is about, and whether it is permanent.

    The delivery comes from the address the bounce was sent to (our VERP return path,
    ``bounces+<delivery id>@domain``, as the receiving MTA recorded it), else from the returned
    message's own return path or Message-ID. A DSN (RFC 3464) is hard when a recipient's
    Action is ``failed`` with a 5.x.x Status, soft for ``delayed`` or 4.x.x; a bounce that is
    no DSN at all is judged by the first enhanced status code in its text, soft if none.
    """
    data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
    message = message_from_bytes(data, policy=policy.compat32)
    verp = re.compile(
        re.escape(return_path_local) + r"\+([A-Za-z0-9][A-Za-z0-9._-]{0,127})@", re.IGNORECASE
    )

    delivery_id = None
    for header in _ENVELOPE_HEADERS:
        for value in message.get_all(header, []):
            match = verp.search(str(value))
            if match:
                delivery_id = match.group(1)
                break
        if delivery_id:
            break

    hard, reason, found = False, "", False
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks[1:] if isinstance(blocks, list) else []:
                action = str(block.get("Action", "")).strip().lower()
                status = str(block.get("Status", "")).strip()
                diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
                found = True
                hard = action == "failed" and status.startswith("5")
                reason = diagnostic or f"{action} {status}".strip()
                if hard:
                    break
        elif content_type in ("message/rfc822", "text/rfc822-headers") and delivery_id is None:
            delivery_id = _returned_delivery_id(part, verp)
    if not found:
        body = _plain_text(message)
        status = enhanced_status_in(body)
        hard = bool(status and status.startswith("5"))
        reason = status or "not a delivery status notification"
    return Bounce(delivery_id, hard, reason)


def _returned_delivery_id(part: Message, verp: re.Pattern[str]) -> str | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        original: Message = payload[0]
    else:
        text = payload if isinstance(payload, str) else ""
        original = message_from_bytes(text.encode("utf-8", "replace"), policy=policy.compat32)
    for header in ("Return-Path", "Sender"):
        match = verp.search(str(original.get(header, "")))
        if match:
            return match.group(1)
    message_id = re.fullmatch(
        r"\s*<([A-Za-z0-9][A-Za-z0-9._-]{0,127})@[^>]+>\s*", str(original.get("Message-ID", ""))
    )
    return message_id.group(1) if message_id else None


def _plain_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode("utf-8", "replace")
    return ""
