"""A press release's content, as the issuer wrote it and as a published version freezes it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Dateline:
    city: str
    country: str  # ISO 3166-1 alpha-2
    date: date


@dataclass(frozen=True)
class Contact:
    name: str
    organization: str | None = None
    email: str | None = None
    phone: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Attachment:
    """An image or file shown with the release; images must carry alt text."""

    url: str
    alt: str
    caption: str | None = None
    media_type: str = "image/jpeg"
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class ReleaseContent:
    """Everything an issuer submits. Times are timezone-aware UTC."""

    headline: str
    body_markdown: str
    body_html: str
    dateline: Dateline
    language: str
    subheadline: str | None = None
    boilerplate: str | None = None
    contacts: tuple[Contact, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    industries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()
    target_languages: tuple[str, ...] = ()
    publish_at: datetime | None = None
    embargo_until: datetime | None = None
    body_format: str = "markdown"  # the source in body_markdown is Markdown, or "html"
    allow_machine_translation: bool = True  # clean machine translations may go out unreviewed

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; `content_from_json` reverses it exactly."""
        data = asdict(self)
        data["dateline"]["date"] = self.dateline.date.isoformat()
        for key in ("publish_at", "embargo_until"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        return data

    @property
    def release_time(self) -> datetime | None:
        """When the release may become public: the embargo lift or the publish time."""
        return self.embargo_until or self.publish_at


def content_from_json(data: dict[str, Any]) -> ReleaseContent:
    d = dict(data)
    dl = d["dateline"]
    d["dateline"] = Dateline(dl["city"], dl["country"], date.fromisoformat(dl["date"]))
    d["contacts"] = tuple(Contact(**c) for c in d.get("contacts", ()))
    d["attachments"] = tuple(Attachment(**a) for a in d.get("attachments", ()))
    for key in ("industries", "regions", "keywords", "tickers", "target_languages"):
        d[key] = tuple(d.get(key, ()))
    for key in ("publish_at", "embargo_until"):
        d[key] = datetime.fromisoformat(d[key]) if d.get(key) else None
    return ReleaseContent(**d)


class VersionKind(StrEnum):
    ORIGINAL = "original"
    CORRECTION = "correction"
    RETRACTION = "retraction"


class Section(StrEnum):
    """Editorial sections of the desk (the seed's "Top-Story, Tagesnachrichten")."""

    TOP_STORY = "top-story"
    DAILY_NEWS = "daily-news"
    FEATURE = "feature"
    BUSINESS = "business"


@dataclass(frozen=True)
class Issuer:
    id: int
    name: str
    slug: str
    website: str | None = None
    domains: tuple[str, ...] = ()  # verified when the version was frozen
    tickers: tuple[str, ...] = ()  # confirmed by the desk when the version was frozen


@dataclass(frozen=True)
class PublishedVersion:
    """An immutable published version of a release: what every renderer takes."""

    release_id: str
    number: int
    kind: VersionKind
    content: ReleaseContent
    issuer: Issuer
    published_at: datetime
    first_published_at: datetime
    sections: tuple[str, ...] = ()
    top_story: bool = False
    reason: str | None = None  # why a correction or retraction was issued
    amends: int | None = None  # the version number this one corrects or retracts
    canonical_url: str = ""
    wire_name: str = "Newswire"
    extra: dict[str, Any] = field(default_factory=dict)
