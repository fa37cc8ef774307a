"""At publish: who this version goes to, written to the outbox in the publishing transaction.

An original goes to its targets; a correction to every endpoint that got an earlier version
plus new matches; a retraction to every endpoint that got any version. Real-time email and
webhook targets get a delivery now; digest subscribers' matches are collected for the daily
digest (`newswire.deliver.digest`); streams and feeds read the published versions themselves.
WebSub subscribers (`newswire.audience.websub`) get a delivery when their topic's feed shows
the version, or showed the version it amends, or shows one of its approved editions (language
feeds); an ended or expired subscription gets nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import bus
from newswire.audience import websub
from newswire.audience.targeting import Target, facts_for, shared_index, targets
from newswire.config import Settings
from newswire.deliver import digest, outbox
from newswire.domain.release import ReleaseContent, VersionKind, content_from_json
from newswire.store.feed_query import facts_of
from newswire.store.hooks import after_commit
from newswire.store.models import Delivery, Endpoint, Recipient, Release, ReleaseVersion
from newswire.taxonomy.languages import wire_language
from newswire.translate.stored import approved_languages

PUSHED = ("email", "webhook")


def enqueue_for_version(
    db: Session,
    settings: Settings,
    release: Release,
    content: ReleaseContent,
    number: int,
    kind: VersionKind,
    *,
    now: datetime,
) -> int:
    recipients: list[outbox.Recipient] = []
    approved = approved_languages(db, release.id)
    if kind is not VersionKind.ORIGINAL:
        # an earlier recipient whose edition is being translated again gets the original now,
        # and the edition on its own once it is approved (`distribute_edition`)
        readable = {content.language, *approved}
        recipients += [
            r if r.language in readable else replace(r, language=content.language)
            for r in outbox.earlier_recipients(db, release.id)
        ]
    if kind is not VersionKind.RETRACTION:
        facts = facts_for(content, release.organization_id, approved)
        with shared_index(settings).current(db) as index:
            found = targets(db, index, facts)
        for t in found:
            if t.channel == "email" and t.frequency == "digest":
                digest.collect(
                    db, recipient_id=t.recipient_id, endpoint_id=t.endpoint_id, address=t.address,
                    release_id=release.id, version=number, language=t.language, now=now,
                )  # fmt: skip
            elif t.channel in PUSHED and t.frequency == "realtime":
                recipients.append(_outbox_recipient(t))
    recipients = _websub(db, settings, release, number, kind, recipients, now=now)
    written = outbox.enqueue(db, release.id, number, kind.value, recipients, now=now)
    ids = [outbox.delivery_id(release.id, number, r.endpoint_id) for r in recipients]
    after_commit(db, lambda: bus.notify(ids))
    return written


def _websub(
    db: Session,
    settings: Settings,
    release: Release,
    number: int,
    kind: VersionKind,
    recipients: list[outbox.Recipient],
    *,
    now: datetime,
) -> list[outbox.Recipient]:
    """Live WebSub subscriptions whose topic this version (or the one it amends) is in; earlier
    recipients on the websub channel are kept only while their subscription is live."""
    live = {e.id: (e, r) for e, r in websub.live_subscriptions(db, now)}
    kept = [r for r in recipients if r.channel != websub.CHANNEL or r.endpoint_id in live]
    if not live:
        return kept
    versions = dict(
        db.execute(
            select(ReleaseVersion.number, ReleaseVersion.content).where(
                ReleaseVersion.release_id == release.id,
                ReleaseVersion.number.in_([number, number - 1]),
            )
        ).all()
    )
    slug = release.organization.slug
    facts = [facts_of(content, slug) for content in versions.values()]
    if kind is VersionKind.ORIGINAL:
        facts = [facts_of(versions[number], slug)] if number in versions else facts
    # the feeds in the languages of its approved editions show the version too
    facts += [
        replace(f, language=lang) for lang in approved_languages(db, release.id) for f in facts
    ]
    have = {r.endpoint_id for r in kept}
    language = str(versions.get(number, {}).get("language", release.language))
    for endpoint, recipient in websub.matching(db, settings, facts, now=now):
        if endpoint.id not in have:
            kept.append(_websub_recipient(endpoint, recipient, language))
    return kept


def _websub_recipient(endpoint: Endpoint, recipient: Recipient, language: str) -> outbox.Recipient:
    return outbox.Recipient(
        endpoint.id, recipient.id, websub.CHANNEL, endpoint.address, language,
        recipient_kind=recipient.kind,
    )  # fmt: skip


def _outbox_recipient(t: Target) -> outbox.Recipient:
    return outbox.Recipient(
        t.endpoint_id, t.recipient_id, t.channel, t.address, t.language, t.country,
        t.outlet_type, t.kind,
    )  # fmt: skip


def distribute_edition(
    db: Session, settings: Settings, release: Release, language: str, *, now: datetime
) -> int:
    """An edition approved after its version was published goes, on its own, to the real-time
    targets whose language it is (the original reached them already)."""
    if release.state not in ("published", "corrected"):
        return 0
    content = content_from_json(release.content)
    facts = facts_for(content, release.organization_id, approved_languages(db, release.id))
    with shared_index(settings).current(db) as index:
        found = targets(db, index, facts)
    version = release.current_version
    kind = db.scalar(
        select(ReleaseVersion.kind).where(
            ReleaseVersion.release_id == release.id, ReleaseVersion.number == version
        )
    )
    recipients = [
        _outbox_recipient(t)
        for t in found
        if t.language == language and t.channel in PUSHED and t.frequency == "realtime"
    ]
    # WebSub subscribers of a feed in this language that the edition now appears in
    current = db.scalar(
        select(ReleaseVersion.content).where(
            ReleaseVersion.release_id == release.id, ReleaseVersion.number == version
        )
    )
    if current is not None:
        edition_facts = replace(
            facts_of(current, release.organization.slug),
            language=wire_language(language) or language,
        )
        recipients += [
            _websub_recipient(endpoint, recipient, language)
            for endpoint, recipient in websub.matching(db, settings, [edition_facts], now=now)
        ]
    already = set(
        db.scalars(
            select(Delivery.endpoint_id).where(
                Delivery.release_id == release.id,
                Delivery.version_number == version,
                Delivery.language == language,
            )
        )
    )  # approved twice, or read in this language already: nothing twice
    recipients = [r for r in recipients if r.endpoint_id not in already]
    written = outbox.enqueue(
        db, release.id, version, kind or "original", recipients, now=now, edition=language
    )
    ids = [outbox.delivery_id(release.id, version, r.endpoint_id, language) for r in recipients]
    after_commit(db, lambda: bus.notify(ids))
    return written
