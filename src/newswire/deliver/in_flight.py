"""Attempts recorded as they are made: a "sending" attempt is committed before the network call
and completed with its receipt after it, so that after a crash (kill -9 of a worker mid
fan-out) the history and the report still show every try that may have gone out. The next
worker to take such a delivery marks the crashed try "interrupted" (it may or may not have
reached the endpoint; a repeat carries the same webhook-id) and counts it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newswire.channels.base import Receipt
from newswire.store.models import Attempt, Delivery

SENDING = "sending"
INTERRUPTED = "interrupted"
UNFINISHED = (SENDING, INTERRUPTED)  # not an Outcome: neither delivered nor a failure


def start_attempts(
    db: Session, ids: Sequence[str], *, worker: str, now: datetime, lease: timedelta
) -> set[str]:
    """Before sending `ids` (claimed by `worker`): renew their lease from `now`, close the tries
    of crashed workers as interrupted, then open a "sending" attempt for each (commit before the
    network call).

    Returns the ids to send: those still claimed by `worker`. A claim whose lease ran out
    before its send began (a slow wave, a busy database) may be another worker's by now; that
    worker sends it and records it, so this one must not, or its try would stay "sending". The
    renewal comes first: it takes the rows' write locks (the database's, on SQLite), so no
    claim can take them over between this check and the attempts it opens."""
    if not ids:
        return set()
    db.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.lease_owner == worker, Delivery.state == "sending")
        .values(lease_expires_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    mine = select(Delivery).where(
        Delivery.id.in_(ids), Delivery.lease_owner == worker, Delivery.state == "sending"
    )
    deliveries = {d.id: d for d in db.scalars(mine.execution_options(populate_existing=True))}
    for stale in db.scalars(
        select(Attempt).where(Attempt.delivery_id.in_(deliveries), Attempt.outcome == SENDING)
    ):
        stale.outcome = INTERRUPTED
        stale.detail = "the worker stopped before the result was recorded"
        d = deliveries[stale.delivery_id]
        d.attempts += 1
        d.first_attempt_at = d.first_attempt_at or stale.at
    for d in deliveries.values():
        db.add(
            Attempt(delivery_id=d.id, number=d.attempts + 1, at=now, outcome=SENDING, worker=worker)
        )
    return set(deliveries)


def finish_attempt(
    db: Session, d: Delivery, receipt: Receipt, *, worker: str, now: datetime
) -> None:
    """The receipt of try number `d.attempts`: completes its "sending" attempt (or adds one)."""
    attempt = db.scalar(
        select(Attempt).where(
            Attempt.delivery_id == d.id, Attempt.outcome == SENDING, Attempt.worker == worker
        )
    )
    if attempt is None:
        attempt = Attempt(delivery_id=d.id, worker=worker)
        db.add(attempt)
    attempt.number = d.attempts
    attempt.at = now
    attempt.outcome = receipt.outcome.value
    attempt.status = str(receipt.code) if receipt.code is not None else None
    attempt.detail = receipt.detail[:2000] or None
    attempt.latency_ms = receipt.latency_ms
