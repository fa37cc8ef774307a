"""What a reply means: Retry-After, HTTP status and SMTP reply classification; pure, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from newswire.channels.base import Outcome
from newswire.channels.outcomes import classify_http, classify_smtp, parse_retry_after


def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(90.0)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 0.0  # in the past
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("-5") is None


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (202, Outcome.DELIVERED),
        (204, Outcome.DELIVERED),
        (301, Outcome.RETRY),
        (400, Outcome.FAILED),
        (401, Outcome.FAILED),
        (404, Outcome.FAILED),
        (413, Outcome.FAILED),
        (408, Outcome.RETRY),
        (409, Outcome.RETRY),
        (425, Outcome.RETRY),
        (429, Outcome.RETRY),
        (410, Outcome.GONE),
        (500, Outcome.RETRY),
        (502, Outcome.RETRY),
        (503, Outcome.RETRY),
    ],
)
def test_classify_http(status: int, outcome: Outcome) -> None:
    assert classify_http(status) is outcome


@pytest.mark.parametrize(
    ("code", "text", "outcome"),
    [
        (250, "2.0.0 Ok: queued", Outcome.DELIVERED),
        (251, "User not local; will forward", Outcome.DELIVERED),
        (421, "4.3.2 Service shutting down", Outcome.RETRY),
        (450, "4.2.1 Mailbox busy", Outcome.RETRY),
        (452, "4.2.2 Mailbox full", Outcome.RETRY),
        (550, "5.1.1 <x@example.org>: Recipient address rejected: User unknown", Outcome.GONE),
        (550, "5.1.10 Recipient address rejected: null MX", Outcome.GONE),
        (550, "5.7.1 Message rejected as spam", Outcome.FAILED),
        (552, "5.3.4 Message size exceeds fixed limit", Outcome.FAILED),
        (554, "Transaction failed", Outcome.FAILED),
    ],
)
def test_classify_smtp(code: int, text: str, outcome: Outcome) -> None:
    assert classify_smtp(code, text) is outcome
