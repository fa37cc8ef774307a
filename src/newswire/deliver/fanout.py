"""At publish: who this version goes to, written to the outbox in the publishing transaction.

An original goes to its targets; a correction to every endpoint that got an earlier version
plus new matches; a retraction to every endpoint that got any version. Real-time email and
webhook targets get a delivery now; digest subscribers' matches are collected for the daily
digest (`newswire.deliver.digest`); streams and feeds read the published versions themselves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from newswire import bus
from newswire.audience.targeting import facts_for, shared_index, targets
from newswire.config import Settings
from newswire.deliver import digest, outbox
from newswire.domain.release import ReleaseContent, VersionKind
from newswire.store.hooks import after_commit
from newswire.store.models import Release

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
    if kind is not VersionKind.ORIGINAL:
        recipients += outbox.earlier_recipients(db, release.id)
    if kind is not VersionKind.RETRACTION:
        facts = facts_for(content, release.organization_id, ())
        for t in targets(db, shared_index(settings).current(db), facts):
            if t.channel == "email" and t.frequency == "digest":
                digest.collect(
                    db, recipient_id=t.recipient_id, endpoint_id=t.endpoint_id, address=t.address,
                    release_id=release.id, version=number, language=t.language, now=now,
                )  # fmt: skip
            elif t.channel in PUSHED and t.frequency == "realtime":
                recipients.append(
                    outbox.Recipient(
                        t.endpoint_id,
                        t.recipient_id,
                        t.channel,
                        t.address,
                        t.language,
                        t.country,
                        t.outlet_type,
                        t.kind,
                    )
                )
    written = outbox.enqueue(db, release.id, number, kind.value, recipients, now=now)
    ids = [outbox.delivery_id(release.id, number, r.endpoint_id) for r in recipients]
    after_commit(db, lambda: bus.notify(ids))
    return written
