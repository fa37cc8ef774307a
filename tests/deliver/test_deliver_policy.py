"""Retry schedule, Retry-After as a floor, and the circuit breaker: pure, no I/O."""

from __future__ import annotations

import random

import pytest

from newswire.channels.base import Outcome
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
