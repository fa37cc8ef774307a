"""Readership figures the wire can back with a count: views of release and edition pages,
fetches of their documents (API and partner systems), embed loads on partner sites, and, only
where the issuer and the recipient both allow it, email opens and clicks.

What is counted is decided here; `newswire.web.public.readership` only says whether an HTTP
request is a countable one (not a crawler, not a prefetch, not a HEAD).

A read is counted once per UTC day per client: the day's de-duplication mark is
HMAC-SHA256 of (client address, user agent, release, language, channel) under a key derived
from the wire's secret and the day. The mark is all that is stored about the client: no
address, no user agent; a mark of yesterday cannot be linked to one of today (other key), and
marks older than two days are deleted when a new one is written. For email, the client is the
delivery (its id): an open or click is counted once a day per delivery, with the country of
the delivery.

No "potential audience" figure: every number is a count of requests the wire served.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from newswire.store.models import (
    Delivery,
    Organization,
    ReadershipCount,
    ReadershipMark,
    Recipient,
    Release,
)

log = logging.getLogger(__name__)

CHANNELS = ("page", "edition", "document", "embed", "email_open", "email_click")
"""page: a release page (current version or /v{n}); edition: a page in another language;
document: the ninjs/NewsML-G2 of a version or edition; embed: a partner site's snippet;
email_open / email_click: the pixel and the link redirect of a measured email."""

KEEP_MARKS_DAYS = 2


def day_key(secret: bytes, day: date) -> bytes:
    """The day's key: derived from the wire's secret, different every UTC day."""
    return hmac.new(secret, f"readership:{day.isoformat()}".encode(), hashlib.sha256).digest()


def mark(secret: bytes, day: date, client: str, agent: str, release_id: str, language: str,
         channel: str) -> str:  # fmt: skip
    message = "\x00".join((client, agent, release_id, language, channel)).encode()
    return hmac.new(day_key(secret, day), message, hashlib.sha256).hexdigest()


def _insert(s: Session) -> Any:
    return postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert


def count(
    s: Session,
    secret: bytes,
    *,
    release_id: str,
    language: str,
    channel: str,
    client: str,
    agent: str = "",
    country: str = "",
    now: datetime | None = None,
) -> bool:
    """Count one read unless this client was already counted today; True when counted."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown readership channel {channel!r}")
    day = (now or datetime.now(UTC)).astimezone(UTC).date()
    insert = _insert(s)
    seen = mark(secret, day, client, agent, release_id, language, channel)
    new = s.scalar(
        insert(ReadershipMark)
        .values(mark=seen, day=day)
        .on_conflict_do_nothing()
        .returning(ReadershipMark.mark)
    )
    if new is None:
        return False
    s.execute(delete(ReadershipMark).where(ReadershipMark.day < day - timedelta(KEEP_MARKS_DAYS)))
    row = {"release_id": release_id, "language": language, "channel": channel}
    row |= {"country": (country or "")[:2].upper(), "day": day, "count": 1}
    statement = insert(ReadershipCount).values(**row)
    s.execute(
        statement.on_conflict_do_update(
            index_elements=["release_id", "language", "channel", "country", "day"],
            set_={"count": ReadershipCount.count + 1},
        )
    )
    return True


def figures(s: Session, release_id: str) -> dict[str, Any]:
    """Totals per channel, language and country, and a daily series per channel (days in
    order, ISO dates); country "" is reported as "unknown"."""
    rows = s.execute(
        select(
            ReadershipCount.day,
            ReadershipCount.channel,
            ReadershipCount.language,
            ReadershipCount.country,
            func.sum(ReadershipCount.count),
        )
        .where(ReadershipCount.release_id == release_id)
        .group_by(
            ReadershipCount.day,
            ReadershipCount.channel,
            ReadershipCount.language,
            ReadershipCount.country,
        )
    ).all()
    by_channel: dict[str, int] = defaultdict(int)
    by_language: dict[str, int] = defaultdict(int)
    by_country: dict[str, int] = defaultdict(int)
    by_country_channel: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    daily: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, channel, language, country, n in rows:
        n = int(n)
        where = country or "unknown"
        by_channel[channel] += n
        by_language[language] += n
        by_country[where] += n
        by_country_channel[where][channel] += n
        daily[day.isoformat()][channel] += n
    return {
        "release_id": release_id,
        "total": sum(by_channel.values()),
        "by_channel": {c: by_channel[c] for c in CHANNELS if c in by_channel},
        "by_language": dict(sorted(by_language.items())),
        "by_country": dict(sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_country_channel": {k: dict(v) for k, v in by_country_channel.items()},
        "daily": [{"day": d, **dict(daily[d])} for d in sorted(daily)],
        "counted": (
            "views of the release and edition pages, fetches of their ninjs and NewsML-G2 "
            "documents, embed loads on partner sites, each once per client per UTC day, "
            "crawlers, prefetches and HEAD requests excluded; email opens and clicks only "
            "where the issuer and the recipient allow them. Feed readers and forwarded or "
            "republished copies are not counted; no potential audience is estimated."
        ),
    }


def count_email_read(
    s: Session, secret: bytes, delivery_id: str, channel: str, *, now: datetime | None = None
) -> bool:
    """Count an open or a click of a delivered email, if its issuer and its recipient still
    both allow it (consent withdrawn after sending stops the counting too)."""
    found = s.execute(
        select(Delivery, Recipient.measure_consent_at, Organization.measure_email)
        .join(Recipient, Recipient.id == Delivery.recipient_id)
        .join(Release, Release.id == Delivery.release_id)
        .join(Organization, Organization.id == Release.organization_id)
        .where(Delivery.id == delivery_id, Delivery.channel == "email")
    ).first()
    if found is None or found[1] is None or not found[2]:
        return False
    delivery = found[0]
    return count(
        s, secret, release_id=delivery.release_id, language=delivery.language, channel=channel,
        client=f"delivery:{delivery.id}", country=delivery.country or "", now=now,
    )  # fmt: skip


def safely_count(db: Any, secret: bytes, *, email: bool = False, **read: Any) -> bool:
    """`count` (or `count_email_read`) in its own short transaction; a database error is
    logged, never raised (a page must not fail because it could not be counted)."""
    try:
        with db.session() as s:
            if email:
                return count_email_read(s, secret, **read)
            return count(s, secret, **read)
    except Exception:
        log.warning("could not count a read of %s", read.get("release_id"), exc_info=True)
        return False


__all__ = ["CHANNELS", "count", "count_email_read", "day_key", "figures", "mark", "safely_count"]
