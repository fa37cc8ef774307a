"""The daily digest: digest subscribers get one email per day and language with that day's
matches, at NEWSWIRE_DIGEST_HOUR (UTC). Items are marked sent only when the message was
accepted; anything not accepted goes out with the next run."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from markupsafe import escape
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.channels.base import OutboundMessage, Outcome
from newswire.channels.email_render import EmailEdition, EmailPayload
from newswire.config import Settings
from newswire.deliver.payloads import manage_link, unsubscribe_url
from newswire.store.db import Database
from newswire.store.models import DigestItem, Recipient, ReleaseVersion


def collect(
    db: Session, *, recipient_id: int, endpoint_id: int, address: str, release_id: str,
    version: int, language: str, now: datetime,
) -> None:  # fmt: skip
    exists = db.scalar(
        select(DigestItem.id).where(
            DigestItem.endpoint_id == endpoint_id,
            DigestItem.release_id == release_id,
            DigestItem.version_number == version,
        )
    )
    if exists is None:
        db.add(
            DigestItem(
                recipient_id=recipient_id,
                endpoint_id=endpoint_id,
                address=address,
                release_id=release_id,
                version_number=version,
                language=language,
                created_at=now,
            )
        )


def cutoff(now: datetime, hour: int) -> datetime:
    """The most recent digest time at or before `now`."""
    today = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return today if today <= now else today - timedelta(days=1)


def _edition(
    settings: Settings, key: str, lang: str, day: str, entries: list[dict[str, Any]]
) -> EmailEdition:
    title = f"{i18n.gettext(lang, 'Daily digest')} · {settings.wire_name} · {day}"
    text = "\n\n".join(f"{e['headline']}\n{e['url']}" for e in entries)
    html = (
        "<ul>"
        + "".join(
            f'<li><a href="{escape(e["url"])}">{escape(e["headline"])}</a>'
            + (f"<br>{escape(e['subheadline'])}" if e["subheadline"] else "")
            + "</li>"
            for e in entries
        )
        + "</ul>"
    )
    return EmailEdition(
        key=key, language=lang, subject=title, text_body=text, html_body=html,
        from_address=settings.mail_from, from_name=settings.wire_name,
        manage=manage_link(settings, lang),
    )  # fmt: skip


def due_groups(
    db: Session, settings: Settings, before: datetime
) -> list[tuple[list[int], OutboundMessage[EmailPayload]]]:
    items = list(
        db.scalars(
            select(DigestItem)
            .where(DigestItem.sent_at.is_(None), DigestItem.created_at < before)
            .order_by(DigestItem.endpoint_id, DigestItem.language, DigestItem.created_at)
        )
    )
    groups: dict[tuple[int, str], list[DigestItem]] = defaultdict(list)
    for item in items:
        groups[(item.endpoint_id, item.language)].append(item)
    names = dict(
        db.execute(
            select(Recipient.id, Recipient.name).where(
                Recipient.id.in_({i.recipient_id for i in items})
            )
        ).all()
    )
    day = before.date().isoformat()
    out = []
    for (endpoint_id, lang), members in groups.items():
        entries = []
        for item in members:
            version = db.scalar(
                select(ReleaseVersion).where(
                    ReleaseVersion.release_id == item.release_id,
                    ReleaseVersion.number == item.version_number,
                )
            )
            if version is None:
                continue
            url = f"{settings.base_url}/releases/{item.release_id}/v{item.version_number}"
            entries.append(
                {
                    "headline": version.content["headline"],
                    "subheadline": version.content.get("subheadline"),
                    "url": url,
                }
            )
        first = members[0]
        key = f"digest:{day}:{endpoint_id}:{lang}"
        payload = EmailPayload(
            edition=_edition(settings, key, lang, day, entries),
            unsubscribe_url=unsubscribe_url(settings, first.recipient_id),
            name=names.get(first.recipient_id),
        )
        out.append(
            (
                [m.id for m in members],
                OutboundMessage(f"digest-{day}-{endpoint_id}-{lang}", first.address, payload),
            )
        )
    return out


def send_due(
    db: Database, *, now: datetime, hour: int, channels: dict[str, Any] | None = None
) -> int:
    """Send every digest due at the last digest time; returns how many emails were accepted."""
    from newswire.deliver.setup import make_channels

    before = cutoff(now, hour)
    with db.session() as s:
        groups = due_groups(s, db.settings, before)
    if not groups:
        return 0

    async def send() -> Sequence[Any]:
        chosen = channels or make_channels(db.settings)
        try:
            return await chosen["email"].send_batch([message for _, message in groups])
        finally:
            if channels is None:
                for channel in chosen.values():
                    await channel.aclose()

    receipts = asyncio.run(send())
    sent = 0
    with db.session() as s:
        for (item_ids, _), receipt in zip(groups, receipts, strict=True):
            if receipt.outcome is Outcome.DELIVERED:
                s.execute(update(DigestItem).where(DigestItem.id.in_(item_ids)).values(sent_at=now))
                sent += 1
            elif receipt.outcome in (Outcome.FAILED, Outcome.GONE):
                s.execute(update(DigestItem).where(DigestItem.id.in_(item_ids)).values(sent_at=now))
    return sent
