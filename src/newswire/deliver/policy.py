"""Delivery policy, pure: when to try again, and when to stop calling an endpoint. What a reply
means (an `Outcome`) is the channels' business: `newswire.channels.outcomes`.

Nothing here does I/O or reads the clock by itself (clocks and random generators are
injected), so the outbox and its tests can drive it deterministically.

- `next_attempt_delay`: the Standard Webhooks retry schedule, jittered, honouring Retry-After;
  None means: dead-letter the delivery.
- `CircuitBreaker`, `CircuitBreakers`: per-endpoint closed / open / half-open breaker.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from enum import StrEnum

from newswire.channels.base import Outcome

# Standard Webhooks (and Svix) schedule: the delay before each attempt, counted from the failure
# of the one before. Attempt 1 is immediate, attempt 10 comes 24 h after attempt 9 failed.
STANDARD_WEBHOOKS_SCHEDULE: tuple[float, ...] = (
    0.0,
    5.0,
    5 * 60.0,
    30 * 60.0,
    2 * 3600.0,
    5 * 3600.0,
    10 * 3600.0,
    14 * 3600.0,
    20 * 3600.0,
    24 * 3600.0,
)
MAX_ATTEMPTS = len(STANDARD_WEBHOOKS_SCHEDULE)
DEFAULT_JITTER = 0.2  # each delay is drawn uniformly from [d * 0.8, d * 1.2]

Clock = Callable[[], float]


def next_attempt_delay(
    attempt_number: int,
    retry_after: float | None = None,
    *,
    rng: random.Random | None = None,
    schedule: tuple[float, ...] = STANDARD_WEBHOOKS_SCHEDULE,
    jitter: float = DEFAULT_JITTER,
) -> float | None:
    """Seconds to wait before the next attempt, after attempt ``attempt_number`` (1-based)
    failed with a retryable outcome; None when the schedule is exhausted (dead-letter).

    Jitter spreads retries of a fan-out that failed together (one endpoint down for 10,000
    deliveries) so they do not return as a thundering herd. A receiver's Retry-After is a
    floor, capped at the schedule's longest step so that a hostile value cannot park a
    delivery for ever; it never adds attempts.
    """
    if attempt_number < 1:
        raise ValueError("attempt_number counts attempts made, starting at 1")
    if attempt_number >= len(schedule):
        return None
    base = schedule[attempt_number]
    delay = base * (rng or random).uniform(1.0 - jitter, 1.0 + jitter) if base else 0.0
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(float(retry_after), max(schedule)))
    return delay


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Stops calling an endpoint that keeps failing, then probes it after a cool-down.

    closed: every call allowed; ``failure_threshold`` consecutive failures open it.
    open: nothing allowed until the cool-down has passed, then half-open.
    half-open: up to ``half_open_probes`` calls at a time; a success closes the breaker, a
    failure opens it again with the cool-down doubled (up to ``max_cooldown_s``).

    Only ``retry`` outcomes count as failures: a permanent 4xx or a 410 proves the endpoint is
    up and answering, and is dealt with by not retrying or by disabling the endpoint.
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        cooldown_s: float = 30.0,
        *,
        max_cooldown_s: float = 3600.0,
        half_open_probes: int = 1,
        clock: Clock = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or half_open_probes < 1 or cooldown_s < 0:
            raise ValueError("failure_threshold and half_open_probes must be >= 1, cooldown >= 0")
        self.failure_threshold = failure_threshold
        self.base_cooldown_s = cooldown_s
        self.max_cooldown_s = max(max_cooldown_s, cooldown_s)
        self.half_open_probes = half_open_probes
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._cooldown_s = cooldown_s
        self._opened_at = 0.0
        self._probes_in_flight = 0

    @property
    def state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self.retry_in <= 0:
            self._state = BreakerState.HALF_OPEN
            self._probes_in_flight = 0
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    @property
    def retry_in(self) -> float:
        """Seconds until a call will be allowed again (0 when it is allowed now)."""
        if self._state is not BreakerState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self._cooldown_s - self._clock())

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open state this reserves a probe slot, so
        every allowed call must be followed by `record` (or `release`)."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and self._probes_in_flight < self.half_open_probes:
            self._probes_in_flight += 1
            return True
        return False

    def release(self) -> None:
        """Give back a probe slot without a verdict (the call was never made)."""
        if self._state is BreakerState.HALF_OPEN and self._probes_in_flight:
            self._probes_in_flight -= 1

    def record(self, outcome: Outcome) -> None:
        if outcome is Outcome.RETRY:
            self.record_failure()
        else:
            self.record_success()

    def record_success(self) -> None:
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._cooldown_s = self.base_cooldown_s
        self._probes_in_flight = 0

    def record_failure(self) -> None:
        self._failures += 1
        state = self.state
        if state is BreakerState.HALF_OPEN:
            self._open(min(self._cooldown_s * 2, self.max_cooldown_s))
        elif state is BreakerState.CLOSED and self._failures >= self.failure_threshold:
            self._open(self.base_cooldown_s)

    def _open(self, cooldown_s: float) -> None:
        self._state = BreakerState.OPEN
        self._cooldown_s = cooldown_s
        self._opened_at = self._clock()
        self._probes_in_flight = 0


class CircuitBreakers:
    """One `CircuitBreaker` per endpoint key (a webhook host, the SMTP relay), made on first
    use with the same settings and clock."""

    def __init__(self, **settings: object) -> None:
        self._settings = settings
        self._breakers: dict[str, CircuitBreaker] = {}

    def get(self, key: str) -> CircuitBreaker:
        breaker = self._breakers.get(key)
        if breaker is None:
            breaker = self._breakers[key] = CircuitBreaker(**self._settings)  # type: ignore[arg-type]
        return breaker

    def __len__(self) -> int:
        return len(self._breakers)

    def forget(self, key: str) -> None:
        self._breakers.pop(key, None)
