"""What a channel's reply means (channels stage, pure): an SMTP reply code, an HTTP status or a
Retry-After header read as an `Outcome` (delivered, retry, failed, gone) or a delay.

The channels classify each reply with these as they send; the outbox's retry policy
(`newswire.deliver.policy`) then acts on the outcome.

- `parse_retry_after`: an HTTP Retry-After value (delta-seconds or HTTP-date) in seconds.
- `classify_http`, `classify_smtp`: a reply code as an `Outcome`.
- `enhanced_status`, `enhanced_status_in`: the RFC 3463 enhanced status code in a reply or a
  bounce.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from newswire.channels.base import Outcome

_DELTA_SECONDS = re.compile(r"^\s*(\d+)\s*$")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After (RFC 9110 §10.2.3) in seconds from ``now``: delta-seconds or an HTTP-date.
    A date in the past gives 0; anything unparseable gives None."""
    if not value:
        return None
    match = _DELTA_SECONDS.match(value)
    if match:
        return float(int(match.group(1)))
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # HTTP-dates are GMT; a naive parse means "-0000"
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds)


# HTTP 4xx replies that mean "not now" rather than "never".
RETRYABLE_4XX = frozenset({408, 409, 425, 429})


def classify_http(status: int) -> Outcome:
    """2xx delivered; 410 gone (disable the endpoint); other 4xx permanent except 408, 409,
    425, 429; everything else (5xx, redirects, which are never followed) retried."""
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if status == 410:
        return Outcome.GONE
    if 400 <= status < 500 and status not in RETRYABLE_4XX:
        return Outcome.FAILED
    return Outcome.RETRY


# Enhanced status codes (RFC 3463) that say the mailbox or its domain does not exist: the
# address should be disabled rather than merely not retried.
GONE_ENHANCED = frozenset({"5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10"})
_ENHANCED = re.compile(r"^\s*([245]\.\d{1,3}\.\d{1,3})\b")


def enhanced_status(reply_text: str) -> str | None:
    """The RFC 3463 enhanced status code at the start of an SMTP reply text, if any."""
    match = _ENHANCED.match(reply_text or "")
    return match.group(1) if match else None


def classify_smtp(code: int, reply_text: str = "") -> Outcome:
    """2xx delivered (3xx too: only DATA's 354 is one, and it is not final); 4xx retried; 5xx
    permanent, and ``gone`` when the enhanced code says the mailbox does not exist."""
    if code < 400:
        return Outcome.DELIVERED
    if code < 500:
        return Outcome.RETRY
    if enhanced_status(reply_text) in GONE_ENHANCED:
        return Outcome.GONE
    return Outcome.FAILED


_ENHANCED_ANYWHERE = re.compile(r"\b([45]\.\d{1,3}\.\d{1,3})\b")


def enhanced_status_in(text: str) -> str | None:
    """The first RFC 3463 status code anywhere in ``text`` (non-DSN bounces)."""
    match = _ENHANCED_ANYWHERE.search(text)
    return match.group(1) if match else None
