"""Database tables. Published versions are append-only: a trigger refuses any UPDATE of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
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


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]

    organization: Mapped[Organization] = relationship(lazy="joined")


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
