"""Bounce intake: a bounce (DSN) addressed to a delivery's return path finds its delivery; a
hard bounce suppresses the address for good, and the delivery is marked failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from newswire.audience.recipients import suppress
from newswire.channels.bounce import parse_bounce
from newswire.store.models import Attempt, Delivery


@dataclass(frozen=True)
class BounceResult:
    delivery_id: str | None
    address: str | None
    hard: bool
    suppressed: bool
    reason: str

    def as_dict(self) -> dict[str, object]:
        return self.__dict__.copy()


def ingest_bounce(db: Session, raw: bytes, *, now: datetime) -> BounceResult:
    bounce = parse_bounce(raw)
    delivery = db.get(Delivery, bounce.delivery_id) if bounce.delivery_id else None
    if delivery is None:
        return BounceResult(
            bounce.delivery_id, None, bounce.hard, False, bounce.reason or "not ours"
        )
    db.add(
        Attempt(
            delivery_id=delivery.id,
            number=delivery.attempts,
            at=now,
            outcome="bounced" if bounce.hard else "deferred",
            status=None,
            detail=bounce.reason[:2000],
            latency_ms=None,
            worker="bounce intake",
        )
    )
    if bounce.hard:
        delivery.state = "failed"
        delivery.last_result = f"bounced: {bounce.reason}"[:1000]
        suppress(db, delivery.address, "hard_bounce", f"bounce of {delivery.id}")
    return BounceResult(delivery.id, delivery.address, bounce.hard, bounce.hard, bounce.reason)
