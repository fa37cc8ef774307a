"""Who gets a version: the targeting index kept in step with the database, and the targets and
reach figures computed from it.

The index (`newswire.target.TargetingIndex`) holds the active subscriptions of active
recipients. It is built once (or loaded from its snapshot in the data folder) and then follows
`subscription_changes`: every call replays the changes made since it last looked, so it stays
correct across processes and restarts. Suppression is checked again when targets are produced,
so it always wins, whatever the index holds.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newswire.domain.lifecycle import State
from newswire.domain.release import ReleaseContent, content_from_json
from newswire.intake.text import plain_text
from newswire.store.models import (
    Endpoint,
    Outlet,
    Recipient,
    Release,
    Subscription,
    SubscriptionChange,
    Suppression,
)
from newswire.target import Criteria, ReleaseFacts, TargetingIndex

log = logging.getLogger(__name__)
SNAPSHOT_EVERY = 10_000  # changes replayed before the snapshot is rewritten


def criteria_of(stored: dict[str, Any]) -> Criteria:
    return Criteria(
        industries=frozenset(stored.get("industries", ())),
        regions=frozenset(stored.get("regions", ())),
        languages=frozenset(stored.get("languages", ())),
        issuers=frozenset(stored.get("issuers", ())),
        query=stored.get("query") or None,
        exclude_industries=frozenset(stored.get("exclude_industries", ())),
        exclude_regions=frozenset(stored.get("exclude_regions", ())),
        exclude_issuers=frozenset(stored.get("exclude_issuers", ())),
    )


def facts_for(content: ReleaseContent, issuer_id: int, languages: Iterable[str]) -> ReleaseFacts:
    """What matching needs to know: `languages` are those the release is (or will be) read in."""
    return ReleaseFacts(
        industries=frozenset(content.industries),
        regions=frozenset(content.regions),
        languages=frozenset({content.language, *languages}),
        issuer_id=issuer_id,
        headline=content.headline,
        body_text=plain_text(content.body_markdown),
        language=content.language,
    )


_ELIGIBLE = (
    select(Subscription.id, Subscription.criteria)
    .join(Recipient, Recipient.id == Subscription.recipient_id)
    .where(Subscription.active.is_(True), Recipient.status == "active")
)


class AudienceIndex:
    """The targeting index for one database, refreshed from the change log on every use."""

    def __init__(self, snapshot: Path | None = None) -> None:
        self.snapshot = snapshot
        self._index: TargetingIndex | None = None
        self._seq = 0
        self._since_snapshot = 0
        self._lock = threading.Lock()

    @contextmanager
    def current(self, db: Session) -> Iterator[TargetingIndex]:
        """The index, up to date with the database, for the duration of the `with` block: the
        index is not safe for concurrent use, so matching and replaying take turns."""
        with self._lock:
            if self._index is None:
                self._load_or_build(db)
            self._replay(db)
            assert self._index is not None
            yield self._index

    def _load_or_build(self, db: Session) -> None:
        if self.snapshot and self.snapshot.exists():
            try:
                self._index = TargetingIndex.load(self.snapshot)
                self._seq = self._index.sequence
                return
            except Exception:  # a stale or damaged snapshot is rebuilt, never trusted
                log.warning("targeting snapshot %s unreadable; rebuilding", self.snapshot)
        self._seq = db.scalar(select(func.max(SubscriptionChange.seq))) or 0
        rows = db.execute(_ELIGIBLE)
        self._index = TargetingIndex.build((sub_id, criteria_of(stored)) for sub_id, stored in rows)
        self._save()

    def _replay(self, db: Session) -> None:
        assert self._index is not None
        changes = db.execute(
            select(SubscriptionChange.seq, SubscriptionChange.subscription_id)
            .where(SubscriptionChange.seq > self._seq)
            .order_by(SubscriptionChange.seq)
        ).all()
        if not changes:
            return
        touched = {sub_id for _, sub_id in changes}
        eligible = dict(db.execute(_ELIGIBLE.where(Subscription.id.in_(touched))).all())
        for sub_id in touched:
            if sub_id in eligible:
                self._index.add(sub_id, criteria_of(eligible[sub_id]))
            else:
                self._index.remove(sub_id)
        self._seq = changes[-1][0]
        self._since_snapshot += len(changes)
        if self._since_snapshot >= SNAPSHOT_EVERY:
            self._save()

    def _save(self) -> None:
        if self.snapshot and self._index is not None:
            self._index.sequence = self._seq
            self._index.save(self.snapshot)
            self._since_snapshot = 0

    def close(self) -> None:
        with self._lock:
            self._save()


@dataclass
class Target:
    """One (recipient, endpoint, language) a version goes to, and why."""

    recipient_id: int
    recipient: str
    kind: str
    endpoint_id: int
    channel: str
    address: str
    language: str
    frequency: str
    accredited: bool
    outlet: str | None
    outlet_type: str | None
    country: str | None
    subscription_ids: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def choose_language(preferences: list[str], available: set[str], original: str) -> str:
    """The first of the recipient's languages that the release has, else the original."""
    for lang in preferences:
        if lang in available:
            return lang
    return original


def targets(
    db: Session,
    index: TargetingIndex,
    facts: ReleaseFacts,
    *,
    explain: bool = False,
) -> list[Target]:
    matched = index.match(facts)
    if not matched:
        return []
    rows = db.execute(
        select(Subscription, Recipient, Endpoint, Outlet)
        .join(Recipient, Recipient.id == Subscription.recipient_id)
        .join(Endpoint, Endpoint.id == Subscription.endpoint_id)
        .outerjoin(Outlet, Outlet.id == Recipient.outlet_id)
        .outerjoin(Suppression, Suppression.address == Endpoint.address)
        .where(
            Subscription.id.in_(sorted(matched)),
            Subscription.active.is_(True),
            Recipient.status == "active",
            Endpoint.active.is_(True),
            Suppression.id.is_(None),
        )
        .order_by(Recipient.id, Endpoint.id, Subscription.id)
    ).all()
    grouped: dict[tuple[int, int], Target] = {}
    for sub, recipient, endpoint, outlet in rows:
        key = (recipient.id, endpoint.id)
        target = grouped.get(key)
        if target is None:
            profile = recipient.profile or {}
            countries = profile.get("countries") or []
            target = grouped[key] = Target(
                recipient_id=recipient.id,
                recipient=recipient.name,
                kind=recipient.kind,
                endpoint_id=endpoint.id,
                channel=endpoint.channel,
                address=endpoint.address,
                language=choose_language(
                    list(profile.get("languages") or []), set(facts.languages), facts.language
                ),
                frequency=sub.frequency,
                accredited=recipient.accredited,
                outlet=outlet.name if outlet else None,
                outlet_type=outlet.type if outlet else None,
                country=countries[0] if countries else (outlet.country if outlet else None),
            )
        target.subscription_ids.append(sub.id)
        if sub.frequency == "realtime":
            target.frequency = "realtime"
        if explain:
            target.reasons += [f"{sub.name}: {r}" for r in index.explain(sub.id, facts)]
    return list(grouped.values())


def reach(found: list[Target]) -> dict[str, Any]:
    """How many would receive it, by audience kind, channel, country, language and outlet type."""
    outlets = {t.outlet for t in found if t.outlet}
    by_kind = Counter(t.kind for t in found)

    def count(attr: str) -> dict[str, int]:
        counter: defaultdict[str, int] = defaultdict(int)
        for t in found:
            counter[getattr(t, attr) or "unknown"] += 1
        return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

    return {
        "targets": len(found),
        "recipients": len({t.recipient_id for t in found}),
        "outlets": len(outlets),
        "journalists": by_kind["journalist"] + by_kind["editor"],
        "terminals": by_kind["terminal"],
        "partner_sites": by_kind["partner"],
        "by_channel": count("channel"),
        "by_country": count("country"),
        "by_language": count("language"),
        "by_outlet_type": count("outlet_type"),
        "by_frequency": count("frequency"),
    }


_shared: dict[str, AudienceIndex] = {}
_shared_lock = threading.Lock()


def shared_index(settings: Any) -> AudienceIndex:
    """The process's one index per database (the server, the CLI and workers share it)."""
    with _shared_lock:
        index = _shared.get(settings.database_url)
        if index is None:
            index = _shared[settings.database_url] = AudienceIndex(
                settings.data_dir / "targeting.idx"
            )
        return index


def embargoed_for(
    db: Session,
    audience: AudienceIndex,
    recipient_id: int,
    *,
    now: datetime,
    only: str | None = None,
) -> list[tuple[Release, ReleaseContent]]:
    """Releases under embargo at `now` that target this recipient (for accredited journalists'
    early access), soonest lift first; `only`: just that release, if it qualifies."""
    query = select(Release).where(Release.state == State.EMBARGOED.value)
    if only is not None:
        query = query.where(Release.id == only)
    found = []
    with audience.current(db) as index:
        for release in db.scalars(query.order_by(Release.release_time, Release.id)):
            content = content_from_json(release.content)
            if content.embargo_until is None or content.embargo_until <= now:
                continue
            facts = facts_for(content, release.organization_id, content.target_languages)
            if any(t.recipient_id == recipient_id for t in targets(db, index, facts)):
                found.append((release, content))
    return sorted(found, key=lambda pair: (pair[1].embargo_until, pair[0].id))
