"""Retry schedule, Retry-After, reply classification and the circuit breaker: pure, no I/O."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from newswire.channels.base import Outcome
from newswire.channels.outcomes import classify_http, classify_smtp, parse_retry_after
from newswire.deliver.policy import (
    MAX_ATTEMPTS,
    STANDARD_WEBHOOKS_SCHEDULE,
    BreakerState,
    CircuitBreaker,
    CircuitBreakers,
    next_attempt_delay,
)


def test_schedule_is_the_standard_webhooks_one() -> None:
    hours = 3600.0
    assert (
        0,
        5,
        300,
        1800,
        2 * hours,
        5 * hours,
        10 * hours,
        14 * hours,
        20 * hours,
        24 * hours,
    ) == STANDARD_WEBHOOKS_SCHEDULE
    assert MAX_ATTEMPTS == 10


def test_delays_follow_the_schedule_within_the_jitter() -> None:
    rng = random.Random(7)
    for attempt in range(1, MAX_ATTEMPTS):
        base = STANDARD_WEBHOOKS_SCHEDULE[attempt]
        delays = [next_attempt_delay(attempt, rng=rng) for _ in range(200)]
        assert all(d is not None and base * 0.8 <= d <= base * 1.2 for d in delays)
        assert len(set(delays)) > 1  # jittered, not constant


def test_no_jitter_gives_the_schedule_exactly() -> None:
    assert next_attempt_delay(1, jitter=0) == 5.0
    assert next_attempt_delay(2, jitter=0) == 300.0
    assert next_attempt_delay(9, jitter=0) == 24 * 3600.0


def test_after_the_last_attempt_the_delivery_is_dead_lettered() -> None:
    assert next_attempt_delay(MAX_ATTEMPTS) is None
    assert next_attempt_delay(MAX_ATTEMPTS + 5) is None
    with pytest.raises(ValueError):
        next_attempt_delay(0)


def test_retry_after_is_a_floor_capped_at_the_longest_step() -> None:
    rng = random.Random(1)
    assert next_attempt_delay(1, retry_after=120, rng=rng) == 120.0  # 5 s step, server says 120
    assert next_attempt_delay(3, retry_after=1, jitter=0) == 1800.0  # schedule is later anyway
    assert next_attempt_delay(1, retry_after=10 * 86400, jitter=0) == 86400.0
    assert next_attempt_delay(MAX_ATTEMPTS, retry_after=5) is None  # never adds attempts


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


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_consecutive_failures_and_probes_after_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=30, clock=clock)
    assert breaker.state is BreakerState.CLOSED
    breaker.record(Outcome.RETRY)
    breaker.record(Outcome.RETRY)
    breaker.record(Outcome.DELIVERED)  # a success resets the count
    breaker.record(Outcome.RETRY)
    breaker.record(Outcome.RETRY)
    assert breaker.allow()
    breaker.record(Outcome.RETRY)
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    assert breaker.retry_in == pytest.approx(30)

    clock.now += 29.9
    assert not breaker.allow()
    clock.now += 0.2
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()  # one probe
    assert not breaker.allow()  # and only one
    breaker.record(Outcome.DELIVERED)
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow() and breaker.allow()


def test_a_failed_probe_reopens_with_a_longer_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=10, max_cooldown_s=25, clock=clock)
    breaker.record_failure()
    clock.now += 10
    assert breaker.allow()
    breaker.record(Outcome.RETRY)
    assert breaker.state is BreakerState.OPEN
    assert breaker.retry_in == pytest.approx(20)
    clock.now += 20
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.retry_in == pytest.approx(25)  # capped
    clock.now += 25
    assert breaker.allow()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.retry_in == pytest.approx(10)  # back to the base cool-down


def test_permanent_failures_and_gone_do_not_trip_the_breaker() -> None:
    breaker = CircuitBreaker(failure_threshold=2, clock=FakeClock())
    for _ in range(5):
        breaker.record(Outcome.FAILED)
        breaker.record(Outcome.GONE)
    assert breaker.state is BreakerState.CLOSED


def test_release_gives_back_an_unused_probe() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=1, clock=clock)
    breaker.record_failure()
    clock.now += 1
    assert breaker.allow()
    breaker.release()
    assert breaker.allow()


def test_breakers_are_per_endpoint() -> None:
    clock = FakeClock()
    breakers = CircuitBreakers(failure_threshold=1, cooldown_s=5, clock=clock)
    breakers.get("https://a.example").record_failure()
    assert not breakers.get("https://a.example").allow()
    assert breakers.get("https://b.example").allow()
    assert len(breakers) == 2
    breakers.forget("https://a.example")
    assert breakers.get("https://a.example").allow()


def test_breaker_rejects_nonsense_settings() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=0)
