"""Turn claimed deliveries into channel messages. A version's body is rendered once per format
and language and shared by every message of the fan-out (cached by version and language)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.audience.tokens import sign
from newswire.channels.base import OutboundMessage
from newswire.channels.email_render import EmailEdition, EmailPayload
from newswire.channels.webhook import NEWSML_CONTENT_TYPE, NINJS_CONTENT_TYPE, WebhookPayload
from newswire.channels.websub import WebSubPayload
from newswire.config import Settings
from newswire.deliver import measure
from newswire.domain.errors import NewswireError
from newswire.domain.release import PublishedVersion, VersionKind, content_from_json
from newswire.publish.freeze import edition_version, provenance_links, published_version
from newswire.publish.sign import signed_edition
from newswire.render.html import render_article
from newswire.render.mail_text import MailLinks, html_links, text_part
from newswire.store.models import Delivery, Edition, Endpoint, Recipient, Release, ReleaseVersion

UNSUBSCRIBE = "unsubscribe"


@dataclass(frozen=True)
class VersionDocs:
    ninjs: bytes
    newsml: bytes
    article_html: str
    content: dict[str, Any]
    mail_text: str  # the plain-text part of its email, links included
    mail_html: str  # the HTML part's article, with the same links under it


def _docs(
    db: Session, settings: Settings, release_id: str, number: int, cache: dict[Any, Any]
) -> VersionDocs:
    key = (release_id, number)
    if key not in cache:
        v = db.scalar(
            select(ReleaseVersion).where(
                ReleaseVersion.release_id == release_id, ReleaseVersion.number == number
            )
        )
        assert v is not None, f"delivery for a version that does not exist: {key}"
        release = db.get(Release, release_id)
        assert release is not None
        frozen = frozen_original(settings, release, v)
        links = mail_links(settings, release_id, number, None)
        lang = frozen.content.language
        cache[key] = VersionDocs(
            v.ninjs.encode(), v.newsml.encode(), v.article_html, v.content,
            text_part(frozen, links), v.article_html + html_links(links, lang),
        )  # fmt: skip
    return cache[key]


def frozen_original(settings: Settings, release: Release, v: ReleaseVersion) -> PublishedVersion:
    """The stored version as the renderers take it (what was frozen: its content, sections)."""
    frozen = published_version(
        settings, release, content_from_json(v.content), number=v.number,
        kind=VersionKind(v.kind), published_at=v.published_at,
        first_published_at=release.first_published_at or v.published_at,
        reason=v.reason, amends=v.amends,
    )  # fmt: skip
    return replace(frozen, sections=tuple(v.sections.get("sections", ())), top_story=v.top_story)


def mail_links(settings: Settings, release_id: str, number: int, language: str | None) -> MailLinks:
    """The public page a release mail links to (the edition's, for an edition) and the page
    that verifies the wire's signature over that document."""
    page = f"{settings.base_url}/releases/{release_id}" + (f"/{language}" if language else "")
    verify = provenance_links(settings, release_id, number, language)["verify_url"]
    return MailLinks(page, verify)


@lru_cache(maxsize=256)
def _edition(
    settings: Settings,
    release_id: str,
    number: int,
    kind: str,
    lang: str,
    headline: str,
    text: str,
    html: str,
) -> EmailEdition:
    prefix = {"correction": "Correction", "retraction": "Retraction"}.get(kind)
    subject = f"{i18n.gettext(lang, prefix)}: {headline}" if prefix else headline
    return EmailEdition(
        key=f"{release_id}:{number}:{lang}",
        language=lang,
        subject=subject,
        text_body=text,
        html_body=html,
        from_address=settings.mail_from,
        from_name=settings.wire_name,
        list_id=f"{settings.wire_name} releases <releases.{settings.bounce_domain}>",
        unsubscribe_label=i18n.gettext(lang, "Unsubscribe"),
        manage=manage_link(settings, lang),
    )


@dataclass(frozen=True)
class EditionDocs:
    """An approved edition of a version, rendered once for the whole fan-out."""

    headline: str
    body_markdown: str
    article_html: str
    ninjs: bytes
    newsml: bytes
    mail_text: str
    mail_html: str


def _edition_docs(
    db: Session, settings: Settings, d: Delivery, original: str, cache: dict[Any, Any]
) -> EditionDocs | None:
    """The approved edition in the delivery's language, if it is for one."""
    if d.language == original:
        return None
    key = ("edition", d.release_id, d.version_number, d.language)
    if key not in cache:
        edition = db.scalar(
            select(Edition).where(
                Edition.release_id == d.release_id,
                Edition.language == d.language,
                Edition.status == "approved",
            )
        )
        docs = None
        if edition is not None:
            release = db.get(Release, d.release_id)
            version = db.scalar(
                select(ReleaseVersion).where(
                    ReleaseVersion.release_id == d.release_id,
                    ReleaseVersion.number == d.version_number,
                )
            )
            assert release is not None and version is not None
            frozen = edition_version(settings, release, version, edition)
            signed = signed_edition(db, settings, release, version, edition)
            links = mail_links(settings, d.release_id, d.version_number, d.language)
            article = render_article(frozen)
            docs = EditionDocs(
                frozen.content.headline,
                frozen.content.body_markdown,
                article,
                signed.ninjs.encode(),
                signed.newsml.encode(),
                text_part(frozen, links),
                article + html_links(links, frozen.content.language),
            )
        cache[key] = docs
    return cache[key]


def manage_link(settings: Settings, lang: str) -> tuple[str, str]:
    """The footer link of every mail to a reader: where journalists manage their preferences."""
    return (i18n.gettext(lang, "Manage your preferences"), f"{settings.base_url}/account/login")


def unsubscribe_url(settings: Settings, recipient_id: int) -> str:
    return f"{settings.base_url}/unsubscribe/{sign(settings.secret_key, UNSUBSCRIBE, recipient_id)}"


class _InSession:
    """A `Database` stand-in for the feed renderer: its one session is the worker's."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @contextmanager
    def session(self) -> Iterator[Session]:
        yield self._session


def _websub_payload(
    db: Session,
    settings: Settings,
    endpoint: Endpoint | None,
    rendered: dict[str, tuple[bytes, str] | str],
) -> WebSubPayload:
    """The topic's current feed (first page, rendered once per topic and batch), signed with the
    subscription's secret; cancelled when the subscription is no longer live."""
    from newswire.audience import websub
    from newswire.publish.feeds import build as build_feed

    if endpoint is None or not websub.is_live(endpoint, datetime.now(UTC)):
        return WebSubPayload(cancelled="the WebSub subscription has ended or expired")
    url = str(endpoint.settings.get("topic", ""))
    if url not in rendered:
        try:
            topic = websub.parse_topic(settings, url)
            feed, _, _ = build_feed(_InSession(db), settings, (topic.query, topic.fmt, 1))  # type: ignore[arg-type]
            rendered[url] = (feed.body, topic.media_type)
        except (websub.UnknownTopic, NewswireError) as exc:
            rendered[url] = f"the topic can no longer be rendered: {exc}"
    done = rendered[url]
    if isinstance(done, str):
        return WebSubPayload(cancelled=done)
    body, media_type = done
    secret = endpoint.settings.get("secret")
    return WebSubPayload(
        body=body,
        content_type=media_type,
        hub_url=f"{settings.base_url}/websub",
        topic_url=url,
        signature=websub.sign(secret, body) if secret else None,
    )


def build_messages(
    db: Session, settings: Settings, deliveries: Sequence[Delivery]
) -> dict[str, list[OutboundMessage[Any]]]:
    """Messages per channel name for claimed deliveries."""
    cache: dict[Any, Any] = {}
    endpoint_ids = {d.endpoint_id for d in deliveries if d.endpoint_id}
    endpoints = {e.id: e for e in db.scalars(select(Endpoint).where(Endpoint.id.in_(endpoint_ids)))}
    recipient_ids = {d.recipient_id for d in deliveries if d.recipient_id}
    names = dict(
        db.execute(
            select(Recipient.id, Recipient.name).where(Recipient.id.in_(recipient_ids))
        ).all()
    )
    measured = measure.measured_deliveries(db, deliveries)
    out: dict[str, list[OutboundMessage[Any]]] = {}
    topics: dict[str, tuple[bytes, str] | str] = {}
    for d in deliveries:
        endpoint = endpoints.get(d.endpoint_id or -1)
        if d.channel == "websub":
            payload: Any = _websub_payload(db, settings, endpoint, topics)
            out.setdefault(d.channel, []).append(OutboundMessage(d.id, d.address, payload))
            continue
        docs = _docs(db, settings, d.release_id, d.version_number, cache)
        options = endpoint.settings if endpoint else {}
        edition = _edition_docs(db, settings, d, docs.content["language"], cache)
        if d.channel == "webhook":
            newsml = options.get("format") == "newsml"
            chosen = edition or docs
            payload = WebhookPayload(
                body=chosen.newsml if newsml else chosen.ninjs,
                secrets=tuple(options.get("secrets", ())),
                content_type=NEWSML_CONTENT_TYPE if newsml else NINJS_CONTENT_TYPE,
            )
        elif d.channel == "email":
            if edition:  # an approved edition in the recipient's language
                lang, headline, text, html = (
                    d.language, edition.headline, edition.mail_text, edition.mail_html,
                )  # fmt: skip
            else:
                lang, headline = docs.content["language"], docs.content["headline"]
                text, html = docs.mail_text, docs.mail_html
            mail = _edition(
                settings, d.release_id, d.version_number, d.kind, lang, headline, text, html
            )
            mail = measure.email_for(settings, mail, d.id, measured=d.id in measured)
            payload = EmailPayload(
                edition=mail,
                unsubscribe_url=unsubscribe_url(settings, d.recipient_id or 0),
                name=names.get(d.recipient_id),
            )
        else:
            continue
        out.setdefault(d.channel, []).append(OutboundMessage(d.id, d.address, payload))
    return out
