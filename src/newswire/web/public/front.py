"""The newsroom's front page (page 1, no filters, no search): the desk's top story with its
first image, then the desk's sections, above the plain list of latest releases."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy.orm import Session

from newswire.render.html import section_label
from newswire.store import public
from newswire.store.public import NewsroomItem

PER_SECTION = 3


def item_view(f: NewsroomItem) -> dict[str, Any]:
    """What the newsroom template shows of one item."""
    published = f.release.first_published_at or f.version.published_at
    return {
        "id": f.release.id,
        "url": f"/releases/{f.release.id}" + (f"/{f.language}" if f.edition else ""),
        "headline": f.headline,
        "issuer": f.release.organization.name,
        "issuer_slug": f.release.organization.slug,
        "language": f.language,
        "published_at": published if published.tzinfo else published.replace(tzinfo=UTC),
        "state": f.release.state,
        "summary": f.summary,
    }


def first_image(content: dict[str, Any]) -> dict[str, Any] | None:
    """The release's first image attachment (url, alt, caption, size), if it has one."""
    for a in content.get("attachments") or []:
        if str(a.get("media_type") or "").startswith("image/") and a.get("url"):
            return {k: a.get(k) for k in ("url", "alt", "caption", "width", "height")}
    return None


def front_page(db: Session, lang: str) -> dict[str, Any]:
    """The template's ``lead`` (an item with its ``image``, or None) and ``sections``
    (a list of (id, label, items))."""
    front = public.newsroom_front(db, per_section=PER_SECTION)
    lead = None
    if front.lead is not None:
        lead = item_view(front.lead) | {"image": first_image(front.lead.version.content)}
    sections = [
        (name, section_label(name, lang), [item_view(i) for i in items])
        for name, items in front.sections
    ]
    return {"lead": lead, "sections": sections}
