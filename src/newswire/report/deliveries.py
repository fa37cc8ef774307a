"""A release's deliveries, one by one, for its distribution report: the rows of the table and of
the CSV export, the failure reasons, the delivery times (the report's figures by channel,
country and language are `newswire.deliver.outbox.report`).

Who may read what: the wire's desk sees every recipient's name and address; an issuer sees no
personal data: the outlet (or the kind of recipient) instead of the name, the domain of an email
address, the host of a web address, and failure messages with email addresses masked.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from newswire.domain.spreadsheet import spreadsheet_safe
from newswire.store.models import Attempt, Delivery, Outlet, Recipient

COLUMNS = (
    "delivery_id", "version", "kind", "channel", "recipient", "endpoint", "country", "language",
    "outlet_type", "status", "attempts", "created_at", "first_attempt_at", "last_attempt_at",
    "delivered_at", "error",
)  # fmt: skip
"""The CSV export's columns, one row per delivery."""

STATES = ("delivered", "pending", "failed", "dead")
"""The states a report shows ("sending" counts as pending)."""

_EMAIL = re.compile(r"<?[\w.+-]+@[\w-]+(\.[\w-]+)+>?")
_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://([^/?#@]*@)?([^/?#]+)", re.IGNORECASE)


def _iso(value: datetime | None) -> str:
    if value is None:
        return ""
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.isoformat(timespec="milliseconds")


def redact(text: str | None, full: bool) -> str:
    """A receiver's answer; email addresses masked unless ``full``."""
    if not text:
        return ""
    return text if full else _EMAIL.sub("<address>", text)


def endpoint_label(channel: str, address: str, full: bool) -> str:
    """Where a delivery went: the address itself, or without personal data its domain (email)
    or host (webhooks, WebSub callbacks); a stream client by its channel."""
    if full:
        return address
    if channel == "email":
        return address.rpartition("@")[2]
    if channel in ("webhook", "websub"):
        match = _HOST.match(address)
        return match.group(2) if match else ""
    return channel


def state_key(state: str) -> str:
    return "pending" if state == "sending" else state


def by_state(table: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """An outbox report dimension (key -> state -> count) with "sending" counted as pending."""
    merged: dict[str, dict[str, int]] = {}
    for key, states in table.items():
        counts: Counter[str] = Counter()
        for state, n in states.items():
            counts[state_key(state)] += n
        merged[key] = dict(counts)
    return merged


def _query(release_id: str) -> Select[Any]:
    last = (
        select(Attempt.delivery_id, func.max(Attempt.at).label("last_at"))
        .group_by(Attempt.delivery_id)
        .subquery()
    )
    return (
        select(Delivery, Recipient.name, Recipient.kind, Outlet.name, last.c.last_at)
        .outerjoin(Recipient, Recipient.id == Delivery.recipient_id)
        .outerjoin(Outlet, Outlet.id == Recipient.outlet_id)
        .outerjoin(last, last.c.delivery_id == Delivery.id)
        .where(Delivery.release_id == release_id)
        .order_by(Delivery.version_number, Delivery.created_at, Delivery.channel, Delivery.id)
    )


def _row(found: Any, full: bool) -> dict[str, Any]:
    d, name, kind, outlet, last_at = found
    recipient = (name or "") if full else (outlet or kind or d.recipient_kind or "")
    return {
        "delivery_id": d.id,
        "version": d.version_number,
        "kind": d.kind,
        "channel": d.channel,
        "recipient": recipient,
        "endpoint": endpoint_label(d.channel, d.address, full),
        "country": d.country or "",
        "language": d.language,
        "outlet_type": d.outlet_type or "",
        "status": d.state,
        "attempts": d.attempts,
        "created_at": _iso(d.created_at),
        "first_attempt_at": _iso(d.first_attempt_at),
        "last_attempt_at": _iso(last_at),
        "delivered_at": _iso(d.delivered_at),
        "error": "" if d.state == "delivered" else redact(d.last_result, full),
    }


def rows(
    db: Session, release_id: str, *, full: bool, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """The release's deliveries in the order they were written (streamed in batches)."""
    query = _query(release_id)
    if limit is not None:
        query = query.limit(limit)
    for found in db.execute(query.execution_options(yield_per=1000)):
        yield _row(found, full)


def failures(db: Session, release_id: str, *, full: bool, top: int = 20) -> list[tuple[str, int]]:
    """Deliveries tried and not delivered (failed, dead, or waiting for a retry), by the last
    answer received, most frequent first."""
    found = db.execute(
        select(Delivery.last_result, func.count())
        .where(
            Delivery.release_id == release_id,
            Delivery.state != "delivered",
            Delivery.attempts > 0,
        )
        .group_by(Delivery.last_result)
    )
    counts: Counter[str] = Counter()
    for reason, n in found:
        counts[redact(reason, full)[:120] or "?"] += n
    return counts.most_common(top)


def delivered_times(db: Session, release_id: str) -> list[tuple[datetime, str]]:
    """(delivered at, channel) of every delivered delivery: the report's time chart."""
    return [
        (when, channel)
        for when, channel in db.execute(
            select(Delivery.delivered_at, Delivery.channel).where(
                Delivery.release_id == release_id, Delivery.delivered_at.is_not(None)
            )
        )
    ]


def _cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    return spreadsheet_safe(value) if isinstance(value, str) else value


def csv_chunks(found: Iterable[Mapping[str, Any]], *, every: int = 1000) -> Iterator[str]:
    """The CSV export (header, then one line per delivery), in chunks of ``every`` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for n, row in enumerate(found, start=1):
        writer.writerow([_cell(row[c]) for c in COLUMNS])
        if n % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


__all__ = [
    "COLUMNS",
    "STATES",
    "by_state",
    "csv_chunks",
    "delivered_times",
    "endpoint_label",
    "failures",
    "redact",
    "rows",
    "state_key",
]
