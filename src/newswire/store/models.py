"""Database tables. Published versions, their signatures and the transparency log are
append-only: triggers refuse any UPDATE or DELETE of them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from newswire.store.types import JSONDocument, UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONDocument,
    }


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # "issuer" or "wire"
    website: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    # the issuer lets the wire count email opens and clicks (with the recipient's consent too)
    measure_email: Mapped[bool] = mapped_column(default=False, server_default=false())


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    # a translator's wire languages ({"languages": [...]}; none: every language)
    languages: Mapped[dict[str, Any]] = mapped_column(default=dict)
    trusted: Mapped[bool] = mapped_column(default=False)  # a translator who approves their own work

    organization: Mapped[Organization] = relationship(lazy="joined")

    @property
    def language_list(self) -> list[str]:
        return list((self.languages or {}).get("languages", []))


class ApiKey(Base):
    """An API key is shown once; only its prefix and a SHA-256 of its secret are kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(lazy="joined")


class Release(Base):
    __tablename__ = "releases"
    __table_args__ = (
        Index("ix_releases_due", "state", "release_time"),
        Index("ix_releases_org", "organization_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(30))
    content: Mapped[dict[str, Any]]
    headline: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(35))
    release_time: Mapped[datetime | None]  # embargo lift or scheduled publish time
    top_story: Mapped[bool] = mapped_column(default=False)
    sections: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"sections": [...]}
    checks: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"results": [...], "at": ...}
    current_version: Mapped[int] = mapped_column(default=0)
    first_published_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    organization: Mapped[Organization] = relationship(lazy="joined")


class ReleaseVersion(Base):
    """One frozen, rendered version of a release."""

    __tablename__ = "release_versions"
    __table_args__ = (UniqueConstraint("release_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[str] = mapped_column(ForeignKey("releases.id"))
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    content: Mapped[dict[str, Any]]
    sections: Mapped[dict[str, Any]]
    top_story: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(Text)
    amends: Mapped[int | None]
    published_at: Mapped[datetime]
    article_html: Mapped[str] = mapped_column(Text)
    ninjs: Mapped[str] = mapped_column(Text)
    newsml: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the ninjs bytes


class Transition(Base):
    """Every move of a release: who, when, from what to what, and why."""

    __tablename__ = "transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[str] = mapped_column(ForeignKey("releases.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class Outlet(Base):
    """A media outlet: a newspaper, broadcaster, agency, trade title, online site or terminal."""

    __tablename__ = "outlets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(30))
    country: Mapped[str | None] = mapped_column(String(2))
    languages: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"languages": [...]}
    website: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]


class Recipient(Base):
    """A journalist or editor, a news terminal, or a partner site."""

    __tablename__ = "recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # journalist | editor | terminal | partner
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"))
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)  # languages, countries, beats
    accredited: Mapped[bool] = mapped_column(default=False)  # embargoed early access
    status: Mapped[str] = mapped_column(String(20))  # pending | active | unsubscribed
    consent_at: Mapped[datetime | None]
    consent_source: Mapped[str | None] = mapped_column(String(300))
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    measure_consent_at: Mapped[datetime | None]  # consented to counted email opens and clicks

    outlet: Mapped[Outlet | None] = relationship(lazy="joined")


class Endpoint(Base):
    """Where a recipient receives: an email address, a webhook URL, a stream client, a WebSub
    callback."""

    __tablename__ = "endpoints"
    __table_args__ = (UniqueConstraint("recipient_id", "channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))  # email | webhook | stream | websub
    address: Mapped[str] = mapped_column(String(2000))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # format, secrets, filters
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class Subscription(Base):
    """An interest profile: what a recipient wants, over which endpoint, how often."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("endpoints.id"))
    name: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[dict[str, Any]]
    frequency: Mapped[str] = mapped_column(String(20))  # realtime | digest
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SubscriptionChange(Base):
    """An append-only log of subscription changes: the targeting index replays what came after
    its last snapshot."""

    __tablename__ = "subscription_changes"

    seq: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(index=True)
    at: Mapped[datetime]


class Suppression(Base):
    """An address that must never be targeted again: unsubscribes, hard bounces, complaints."""

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(2000), unique=True)
    reason: Mapped[str] = mapped_column(String(30))
    source: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]


class Delivery(Base):
    """One message to one endpoint for one version (the outbox). Its id is the idempotency key
    receivers deduplicate on: the webhook-id header, the email Message-ID."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint(
            "release_id", "version_number", "endpoint_id", "language", name="uq_deliveries_target"
        ),
        Index("ix_deliveries_due", "state", "next_attempt_at"),
        Index("ix_deliveries_endpoint", "release_id", "endpoint_id", "version_number"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    release_id: Mapped[str] = mapped_column(ForeignKey("releases.id"))
    version_number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # original | correction | retraction
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipients.id", ondelete="SET NULL")
    )
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("endpoints.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(2000))
    language: Mapped[str] = mapped_column(String(35))
    country: Mapped[str | None] = mapped_column(String(2))
    outlet_type: Mapped[str | None] = mapped_column(String(30))
    recipient_kind: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))  # pending | sending | delivered | failed | dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    last_result: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    first_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class Attempt(Base):
    """Every try of a delivery: when, what came back, how long it took."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("deliveries.id"), index=True)
    number: Mapped[int]
    at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(200))  # HTTP status or SMTP reply
    detail: Mapped[str | None] = mapped_column(Text)
    latency_ms: Mapped[float | None]
    worker: Mapped[str | None] = mapped_column(String(100))


class DigestItem(Base):
    """A match for a daily-digest subscriber, waiting for the next digest email."""

    __tablename__ = "digest_items"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "release_id", "version_number"),
        Index("ix_digest_items_unsent", "sent_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("endpoints.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(2000))
    release_id: Mapped[str] = mapped_column(ForeignKey("releases.id"))
    version_number: Mapped[int]
    language: Mapped[str] = mapped_column(String(35))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class StreamEvent(Base):
    """The durable log behind the streams: one event per published version, numbered in order.
    A terminal that reconnects with Last-Event-ID gets every event after that number."""

    __tablename__ = "stream_events"

    seq: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[str] = mapped_column(ForeignKey("releases.id"), index=True)
    version_number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # original | correction | retraction
    issuer: Mapped[str] = mapped_column(String(80))
    facts: Mapped[dict[str, Any]]  # industries (with ancestors), countries, languages
    ninjs: Mapped[str] = mapped_column(Text)
    newsml: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Edition(Base):
    """One target language of a release: machine-translated, post-edited by the desk, or
    waiting for a human translator. Only approved editions are ever distributed."""

    __tablename__ = "editions"
    __table_args__ = (
        UniqueConstraint("release_id", "language"),
        Index("ix_editions_due", "status", "next_attempt_at"),
        Index("ix_editions_updated_at", "updated_at"),  # feed caches follow edition changes
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[str] = mapped_column(ForeignKey("releases.id"))
    language: Mapped[str] = mapped_column(String(35))
    # pending | needs_review | needs_translator | approved
    status: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)
    engine: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)  # headline, subheadline, body
    segments: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"body": [[src, tgt, origin]]}
    flags: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"flags": [...]}
    machine_translated: Mapped[bool] = mapped_column(default=False)
    post_edited: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(320))
    approved_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    translated_by: Mapped[str | None] = mapped_column(String(320))  # the human translator
    # a translator's unsubmitted work: {"by": email, "fields": {"body": [target, ...]}}
    draft: Mapped[dict[str, Any]] = mapped_column(default=dict)


class MemorySegment(Base):
    """The translation memory: segments a person approved, reused before any engine."""

    __tablename__ = "translation_memory"
    __table_args__ = (UniqueConstraint("source_lang", "target_lang", "source_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_lang: Mapped[str] = mapped_column(String(35))
    target_lang: Mapped[str] = mapped_column(String(35))
    source_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Signature(Base):
    """The wire's signature over one frozen document: a published version (``edition`` false)
    or an approved edition of it. Written once, when the document is frozen; never updated (a
    trigger refuses it), so what the wire signed stays what it signed."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("release_id", "version_number", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[str] = mapped_column(ForeignKey("releases.id"), index=True)
    version_number: Mapped[int]
    language: Mapped[str] = mapped_column(String(35))
    edition: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str] = mapped_column(String(20))  # original | correction | retraction
    ninjs: Mapped[str] = mapped_column(Text)  # the document exactly as signed
    newsml: Mapped[str] = mapped_column(Text)
    statement: Mapped[dict[str, Any]]  # what the signature says (newswire.provenance.statement)
    jws: Mapped[str] = mapped_column(Text)  # compact JWS with the statement detached
    kid: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime]


class LogEntry(Base):
    """A leaf of the transparency log (RFC 9162 style): one per signature, numbered densely in
    the order the sequencer took them. Append-only."""

    __tablename__ = "log_entries"

    index: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signatures.id"), unique=True)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    appended_at: Mapped[datetime]


class TreeHead(Base):
    """A signed tree head: the log's size and root hash at a moment, signed by the wire."""

    __tablename__ = "tree_heads"

    size: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[datetime]
    jws: Mapped[str] = mapped_column(Text)
    kid: Mapped[str] = mapped_column(String(64))


class OrganizationDomain(Base):
    """A domain an organization says it speaks for, and whether (and how) it proved it."""

    __tablename__ = "organization_domains"
    __table_args__ = (UniqueConstraint("organization_id", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    token: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))  # pending | verified | failed
    method: Mapped[str | None] = mapped_column(String(20))  # dns | well-known | manual
    reason: Mapped[str | None] = mapped_column(Text)  # the operator's, for a manual verification
    verified_by: Mapped[str | None] = mapped_column(String(320))
    verified_at: Mapped[datetime | None]
    checked_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class OrganizationTicker(Base):
    """A stock ticker an organization claims (``NYSE:WMT``); it counts once the desk confirms it."""

    __tablename__ = "organization_tickers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    symbol: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(20))  # claimed | confirmed
    confirmed_by: Mapped[str | None] = mapped_column(String(320))
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ReadershipCount(Base):
    """How many times one release was read in one language, over one channel, from one
    country ("" = unknown), on one UTC day (`newswire.report.readership`)."""

    __tablename__ = "readership_counts"
    __table_args__ = (
        UniqueConstraint(
            "release_id", "language", "channel", "country", "day", name="uq_readership_counts"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[str] = mapped_column(ForeignKey("releases.id"))
    language: Mapped[str] = mapped_column(String(35))
    channel: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int]


class ReadershipMark(Base):
    """A read already counted today: a keyed hash that no address can be recovered from and
    that the next day's key cannot link to; deleted after two days."""

    __tablename__ = "readership_marks"

    mark: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
