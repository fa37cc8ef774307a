"""The outbox: one delivery per (version, endpoint), written in the transaction that publishes
the version; claimed by workers under a lease; finished by receipts.

A delivery's id is derived from (release, version, endpoint), so writing it twice is harmless
and receivers can deduplicate on it. A worker that dies leaves a lease that expires; the next
claim takes the delivery again, so nothing stays "sending" forever. A correction or retraction
for an endpoint is claimed only once every earlier version's delivery to that endpoint is
finished (delivered, failed or dead): it never arrives before the version it amends.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from newswire.channels.base import Outcome, Receipt
from newswire.deliver.in_flight import SENDING, UNFINISHED, finish_attempt
from newswire.deliver.policy import next_attempt_delay
from newswire.domain.errors import NotFound
from newswire.store.models import Attempt, Delivery, Edition, Endpoint

FINISHED = ("delivered", "failed", "dead")
LEASE = timedelta(minutes=2)


def delivery_id(release_id: str, version: int, endpoint_id: int, edition: str | None = None) -> str:
    """Stable per (release, version, endpoint), and per edition language for an edition sent
    on its own after the original."""
    key = f"{release_id}:{version}:{endpoint_id}" + (f":{edition}" if edition else "")
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"msg_{digest[:26]}"


@dataclass(frozen=True)
class Recipient:
    """Where one delivery goes (a target of the targeting engine, or an earlier delivery)."""

    endpoint_id: int
    recipient_id: int | None
    channel: str
    address: str
    language: str
    country: str | None = None
    outlet_type: str | None = None
    recipient_kind: str | None = None


def enqueue(
    db: Session,
    release_id: str,
    version: int,
    kind: str,
    recipients: Sequence[Recipient],
    *,
    now: datetime,
    edition: str | None = None,
) -> int:
    """Write one pending delivery per endpoint; returns how many were written. `edition`: the
    language of an edition approved after the version went out, sent on its own."""
    seen: set[int] = set()
    for r in recipients:
        if r.endpoint_id in seen:
            continue
        seen.add(r.endpoint_id)
        db.add(
            Delivery(
                id=delivery_id(release_id, version, r.endpoint_id, edition),
                release_id=release_id,
                version_number=version,
                kind=kind,
                recipient_id=r.recipient_id,
                endpoint_id=r.endpoint_id,
                channel=r.channel,
                address=r.address,
                language=r.language,
                country=r.country,
                outlet_type=r.outlet_type,
                recipient_kind=r.recipient_kind,
                state="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    db.flush()
    return len(seen)


def earlier_recipients(db: Session, release_id: str) -> list[Recipient]:
    """Every endpoint an earlier version went to (latest language and address per endpoint)."""
    rows = db.scalars(
        select(Delivery)
        .where(Delivery.release_id == release_id, Delivery.endpoint_id.is_not(None))
        .order_by(Delivery.version_number)
    )
    latest: dict[int, Recipient] = {}
    for d in rows:
        assert d.endpoint_id is not None
        latest[d.endpoint_id] = Recipient(
            d.endpoint_id, d.recipient_id, d.channel, d.address, d.language, d.country,
            d.outlet_type, d.recipient_kind,
        )  # fmt: skip
    return list(latest.values())


def _claimable(now: datetime) -> Any:
    earlier = aliased(Delivery)
    blocked = exists().where(
        earlier.release_id == Delivery.release_id,
        earlier.endpoint_id == Delivery.endpoint_id,
        earlier.version_number < Delivery.version_number,
        earlier.state.notin_(FINISHED),
    )
    due = or_(
        and_(Delivery.state == "pending", Delivery.next_attempt_at <= now),
        and_(Delivery.state == "sending", Delivery.lease_expires_at < now),
    )
    return and_(due, ~blocked)


def claim(
    db: Session,
    worker: str,
    *,
    now: datetime,
    limit: int = 500,
    ids: Sequence[str] | None = None,
    lease: timedelta = LEASE,
) -> list[Delivery]:
    """Take up to `limit` due deliveries (or just `ids`, if they are due) under a lease."""
    query = (
        select(Delivery.id).where(_claimable(now)).order_by(Delivery.next_attempt_at).limit(limit)
    )
    if ids is not None:
        query = query.where(Delivery.id.in_(list(ids)))
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    chosen = list(db.scalars(query))
    if not chosen:
        return []
    db.execute(
        update(Delivery)
        .where(Delivery.id.in_(chosen))
        .values(state="sending", lease_owner=worker, lease_expires_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return list(
        db.scalars(
            select(Delivery)
            .where(Delivery.id.in_(chosen))
            .execution_options(populate_existing=True)
        )
    )


def record(
    db: Session,
    receipts: Sequence[Receipt],
    *,
    worker: str,
    now: datetime,
    delay: Any = next_attempt_delay,
) -> Counter[str]:
    """Write an attempt per receipt and move each delivery on: delivered, retried on the
    schedule, failed for good, or dead-lettered when the schedule is spent."""
    outcomes: Counter[str] = Counter()
    rows = {
        d.id: d
        for d in db.scalars(
            select(Delivery).where(Delivery.id.in_([r.delivery_id for r in receipts]))
        )
    }
    for receipt in receipts:
        d = rows.get(receipt.delivery_id)
        if d is None or d.lease_owner != worker or d.state != "sending":
            continue  # the lease expired and someone else took it over; their result counts
        d.attempts += 1
        d.first_attempt_at = d.first_attempt_at or now
        d.lease_owner = None
        d.lease_expires_at = None
        d.last_result = (
            f"{receipt.code or ''} {receipt.detail}".strip()[:1000] or receipt.outcome.value
        )
        finish_attempt(db, d, receipt, worker=worker, now=now)
        if receipt.outcome is Outcome.DELIVERED:
            d.state, d.delivered_at = "delivered", now
        elif receipt.outcome is Outcome.RETRY:
            wait = delay(d.attempts, retry_after=receipt.retry_after)
            if wait is None:
                d.state = "dead"
            else:
                d.state, d.next_attempt_at = "pending", now + timedelta(seconds=wait)
        else:
            d.state = "failed"
            if receipt.outcome is Outcome.GONE and d.endpoint_id is not None:
                endpoint = db.get(Endpoint, d.endpoint_id)
                if endpoint is not None:
                    endpoint.active = False
        outcomes[d.state] += 1
    return outcomes


def postpone(db: Session, ids: Sequence[str], *, until: datetime) -> None:
    """Give back claimed deliveries untried (an open circuit breaker): no attempt is spent."""
    db.execute(
        update(Delivery)
        .where(Delivery.id.in_(list(ids)), Delivery.state == "sending")
        .values(state="pending", next_attempt_at=until, lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )


def dead_letters(db: Session, *, limit: int = 200) -> list[Delivery]:
    return list(
        db.scalars(
            select(Delivery)
            .where(Delivery.state == "dead")
            .order_by(Delivery.created_at)
            .limit(limit)
        )
    )


def dead_letter_summary(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "release": d.release_id,
        "version": d.version_number,
        "channel": d.channel,
        "address": d.address,
        "attempts": d.attempts,
        "last_result": d.last_result,
    }


def replay(db: Session, ids: Sequence[str] | None, *, now: datetime) -> int:
    """Send dead letters again from the start of the schedule (all of them when `ids` is None)."""
    query = update(Delivery).where(Delivery.state == "dead")
    if ids is not None:
        found = set(
            db.scalars(
                select(Delivery.id).where(Delivery.id.in_(list(ids)), Delivery.state == "dead")
            )
        )
        missing = sorted(set(ids) - found)
        if missing:
            raise NotFound(f"not dead-lettered: {', '.join(missing)}")
        query = query.where(Delivery.id.in_(list(ids)))
    result = db.execute(
        query.values(state="pending", attempts=0, next_attempt_at=now).execution_options(
            synchronize_session=False
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def report(db: Session, release_id: str) -> dict[str, Any]:
    """The distribution report: targets, and where each delivery stands, by dimension."""
    rows = list(db.scalars(select(Delivery).where(Delivery.release_id == release_id)))
    states = Counter(d.state for d in rows)

    def by(attr: str) -> dict[str, dict[str, int]]:
        table: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for d in rows:
            table[getattr(d, attr) or "unknown"][d.state] += 1
        return {k: dict(v) for k, v in sorted(table.items())}

    first = [d.first_attempt_at for d in rows if d.first_attempt_at and d.version_number == 1]
    spread = (max(first) - min(first)).total_seconds() * 1000 if first else None
    attempts = db.scalar(
        select(func.count())
        .select_from(Attempt)
        .join(Delivery)
        .where(Delivery.release_id == release_id)
    )
    languages = db.scalars(
        select(Edition).where(Edition.release_id == release_id).order_by(Edition.language)
    )
    return {
        "release": release_id,
        "editions": [
            {
                "language": e.language,
                "status": e.status,
                "machine_translated": e.machine_translated,
                "post_edited": e.post_edited,
            }
            for e in languages
        ],
        "targets": len(rows),
        "delivered": states["delivered"],
        "pending": states["pending"] + states["sending"],
        "failed": states["failed"],
        "dead": states["dead"],
        "attempts": attempts or 0,
        "by_version": by("version_number"),
        "by_channel": by("channel"),
        "by_country": by("country"),
        "by_language": by("language"),
        "by_outlet_type": by("outlet_type"),
        "first_attempt_spread_ms": spread,
    }


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- the operator's view (the /operator pages) --------------------------------------------------


def state_counts(db: Session) -> dict[str, int]:
    """How many deliveries are in each state, every state present (``sending`` included)."""
    found = {
        state: count
        for state, count in db.execute(
            select(Delivery.state, func.count()).group_by(Delivery.state)
        )
    }
    return {state: int(found.get(state, 0)) for state in ("pending", "sending", *FINISHED)}


@dataclass
class EndpointHealth:
    """One endpoint (a webhook URL, an email address: the key the workers' circuit breakers
    use) as its recent attempts show it."""

    channel: str
    address: str
    breaker: str  # a policy.BreakerState value
    consecutive_failures: int
    retry_in_s: float
    attempts: Counter[str]  # by outcome: delivered, retry, failed, gone
    deliveries: Counter[str]  # unfinished and dead ones, by state
    last_attempt_at: datetime
    failures: list[Attempt]  # the latest first
    disabled: bool = False  # an endpoint at this address answered "gone"


def endpoint_health(
    db: Session,
    *,
    now: datetime,
    recent: int = 20_000,
    failures_shown: int = 5,
    breaker_settings: dict[str, Any] | None = None,
) -> list[EndpointHealth]:
    """Every endpoint among the latest `recent` attempts, the troubled ones first.

    The breaker state is the one a worker's `CircuitBreaker` (same settings) would have after
    seeing these attempts at the times they were made; each worker keeps its own breakers in
    memory, so this is what the outbox says, not what one process holds."""
    rows = db.execute(
        select(Attempt, Delivery.channel, Delivery.address, Delivery.endpoint_id)
        .join(Delivery, Delivery.id == Attempt.delivery_id)
        .order_by(Attempt.id.desc())
        .limit(recent)
    ).all()
    grouped: defaultdict[tuple[str, str], list[Attempt]] = defaultdict(list)
    endpoint_ids: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    for attempt, channel, address, endpoint_id in reversed(rows):
        grouped[(channel, address)].append(attempt)
        if endpoint_id is not None:
            endpoint_ids[(channel, address)].add(endpoint_id)
    if not grouped:
        return []
    inactive = set(
        db.scalars(
            select(Endpoint.id).where(
                Endpoint.id.in_({i for ids in endpoint_ids.values() for i in ids}),
                Endpoint.active.is_(False),
            )
        )
    )
    waiting: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for channel, address, state, count in db.execute(
        select(Delivery.channel, Delivery.address, Delivery.state, func.count())
        .where(Delivery.state.in_(["pending", "sending", "dead"]))
        .group_by(Delivery.channel, Delivery.address, Delivery.state)
    ):
        if (channel, address) in grouped:
            waiting[(channel, address)][state] = int(count)
    found = []
    for (channel, address), attempts in grouped.items():
        breaker = _replayed(attempts, now, breaker_settings or {})
        state = breaker.state
        found.append(
            EndpointHealth(
                channel=channel,
                address=address,
                breaker=state.value,
                consecutive_failures=breaker.consecutive_failures,
                retry_in_s=breaker.retry_in,
                attempts=Counter(a.outcome for a in attempts),
                deliveries=waiting[(channel, address)],
                last_attempt_at=attempts[-1].at,
                failures=[a for a in reversed(attempts) if a.outcome not in ("delivered", SENDING)][
                    :failures_shown
                ],
                disabled=bool(endpoint_ids[(channel, address)] & inactive),
            )
        )
    trouble = {"open": 0, "half_open": 1, "closed": 2}
    found.sort(
        key=lambda h: (
            trouble.get(h.breaker, 3),
            -h.consecutive_failures,
            -(h.attempts["retry"] + h.attempts["failed"] + h.attempts["gone"]),
            h.channel,
            h.address,
        )
    )
    return found


def _replayed(attempts: list[Attempt], now: datetime, settings: dict[str, Any]) -> Any:
    """A circuit breaker fed these attempts (oldest first) at their times, read at `now`."""
    from newswire.deliver.policy import CircuitBreaker

    clock = [0.0]
    breaker = CircuitBreaker(clock=lambda: clock[0], **settings)
    for attempt in attempts:
        if attempt.outcome in UNFINISHED:
            continue
        clock[0] = attempt.at.timestamp()
        breaker.record(Outcome(attempt.outcome))
    clock[0] = now.timestamp()
    return breaker


@dataclass(frozen=True)
class Activity:
    """One attempt of one delivery, for the live view."""

    attempt_id: int
    at: datetime
    outcome: str
    status: str | None
    detail: str | None
    latency_ms: float | None
    delivery_id: str
    release_id: str
    version: int
    kind: str
    channel: str
    address: str
    state: str  # the delivery's state now


def activity(db: Session, *, after: int | None = None, limit: int = 50) -> list[Activity]:
    """Attempts oldest first: those after attempt id `after` (the first `limit`), or, without
    `after`, the latest `limit`."""
    query = select(Attempt, Delivery).join(Delivery, Delivery.id == Attempt.delivery_id)
    if after is None:
        rows = list(reversed(db.execute(query.order_by(Attempt.id.desc()).limit(limit)).all()))
    else:
        rows = list(
            db.execute(query.where(Attempt.id > after).order_by(Attempt.id).limit(limit)).all()
        )
    return [
        Activity(
            attempt_id=a.id,
            at=a.at,
            outcome=a.outcome,
            status=a.status,
            detail=a.detail,
            latency_ms=a.latency_ms,
            delivery_id=d.id,
            release_id=d.release_id,
            version=d.version_number,
            kind=d.kind,
            channel=d.channel,
            address=d.address,
            state=d.state,
        )
        for a, d in rows
    ]
