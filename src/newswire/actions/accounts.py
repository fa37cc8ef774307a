"""Organizations, users and API keys. Passwords are hashed with Argon2; API keys with SHA-256
(they are long random secrets, so a slow hash buys nothing and would slow every request)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newswire.actions.actor import Actor
from newswire.domain.errors import Conflict, NewswireError, NotAuthenticated, NotFound
from newswire.domain.lifecycle import Role
from newswire.store.models import ApiKey, Organization, User
from newswire.taxonomy.languages import LANGUAGES, wire_language

_hasher = PasswordHasher()
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")
KEY_PATTERN = re.compile(r"^nw_([a-z0-9]{10})_([A-Za-z0-9_-]{32,64})$")
KEY_USE_RECORDED_EVERY = timedelta(minutes=1)  # api_keys.last_used_at is this precise


class InvalidInput(NewswireError):
    status = 422
    code = "invalid_input"


def _now() -> datetime:
    return datetime.now(UTC)


def create_organization(
    db: Session, *, slug: str, name: str, kind: str = "issuer", website: str | None = None
) -> Organization:
    if not SLUG.match(slug):
        raise InvalidInput(
            f"organization slug '{slug}' must be 3-80 lower-case letters, digits or -"
        )
    if kind not in ("issuer", "wire"):
        raise InvalidInput(f"organization kind '{kind}' must be 'issuer' or 'wire'")
    if db.scalar(select(Organization).where(Organization.slug == slug)):
        raise Conflict(f"organization '{slug}' already exists")
    org = Organization(slug=slug, name=name, kind=kind, website=website, created_at=_now())
    db.add(org)
    db.flush()
    return org


def get_organization_or_none(db: Session, slug: str) -> Organization | None:
    return db.scalar(select(Organization).where(Organization.slug == slug))


def get_organization(db: Session, slug: str) -> Organization:
    org = get_organization_or_none(db, slug)
    if org is None:
        raise NotFound(f"no organization '{slug}'")
    return org


def translator_languages(tags: Sequence[str] | str) -> list[str]:
    """A translator's languages as wire languages (comma- or space-separated text accepted);
    none means every language. Raises InvalidInput naming a tag that is not one of them."""
    if isinstance(tags, str):
        tags = tags.replace(",", " ").split()
    found: list[str] = []
    for tag in tags:
        if not tag.strip():
            continue
        lang = wire_language(tag.strip())
        if lang is None:
            raise InvalidInput(
                f"'{tag}' is not one of the wire's languages ({', '.join(LANGUAGES)})"
            )
        if lang not in found:
            found.append(lang)
    return found


def create_user(
    db: Session,
    *,
    email: str,
    name: str,
    role: Role,
    organization: Organization,
    password: str,
    languages: Sequence[str] | str = (),
    trusted: bool = False,
) -> User:
    """A user; a translator may be limited to some `languages` and `trusted` to approve their
    own translations (both are for translators only)."""
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput(f"'{email}' is not an email address")
    if role is Role.SYSTEM:
        raise InvalidInput("the system role is not for people")
    if role is Role.ISSUER and organization.kind != "issuer":
        raise InvalidInput("an issuer user belongs to an issuer organization")
    if role is not Role.ISSUER and organization.kind != "wire":
        raise InvalidInput(f"a {role} belongs to the wire's own organization")
    if len(password) < 8:
        raise InvalidInput("a password needs at least 8 characters")
    chosen = translator_languages(languages)
    if role is not Role.TRANSLATOR and (chosen or trusted):
        raise InvalidInput("languages and trust are for translators only")
    if db.scalar(select(User).where(User.email == email)):
        raise Conflict(f"user '{email}' already exists")
    user = User(
        email=email,
        name=name,
        role=role.value,
        organization=organization,
        password_hash=_hasher.hash(password),
        created_at=_now(),
        languages={"languages": chosen} if chosen else {},
        trusted=trusted,
    )
    db.add(user)
    db.flush()
    return user


def user_by_email(db: Session, email: str) -> User:
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"no user '{email}'")
    return user


def actor_for(user: User) -> Actor:
    return Actor(user.email, Role(user.role), user.organization_id, user.id)


def check_password(db: Session, email: str, password: str) -> User:
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        if user is None or not user.password_hash:
            raise VerificationError
        _hasher.verify(user.password_hash, password)
    except VerificationError:
        raise NotAuthenticated("wrong email or password") from None
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(db: Session, *, name: str, user: User) -> tuple[ApiKey, str]:
    """A key acts as its user, with the user's role and organization. Returns (row, the key)."""
    prefix = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    row = ApiKey(
        prefix=prefix,
        secret_hash=_digest(secret),
        name=name,
        role=user.role,
        organization_id=user.organization_id,
        user_id=user.id,
        created_at=_now(),
    )
    db.add(row)
    db.flush()
    return row, f"nw_{prefix}_{secret}"


def authenticate_api_key(db: Session, key: str) -> Actor:
    match = KEY_PATTERN.match(key.strip())
    if not match:
        raise NotAuthenticated("malformed API key: expected nw_<prefix>_<secret>")
    row = db.scalar(select(ApiKey).where(ApiKey.prefix == match.group(1)))
    if row is None or not hmac.compare_digest(row.secret_hash, _digest(match.group(2))):
        raise NotAuthenticated("unknown API key")
    if row.revoked_at is not None:
        raise NotAuthenticated("this API key was revoked")
    return Actor(f"key:{row.name}", Role(row.role), row.organization_id, row.user_id)


def record_key_use(db: Session, key: str, *, now: datetime | None = None) -> bool:
    """Note when a key was last used, at most once per KEY_USE_RECORDED_EVERY: every request
    carries a key, and a write on every request would fight for the write lock (SQLite has a
    single writer). Returns whether it wrote."""
    match = KEY_PATTERN.match(key.strip())
    if not match:
        return False
    now = now or _now()
    row = db.scalar(select(ApiKey).where(ApiKey.prefix == match.group(1)))
    if row is None:
        return False
    last = row.last_used_at
    if last is not None and now - last.replace(tzinfo=UTC) < KEY_USE_RECORDED_EVERY:
        return False
    row.last_used_at = now
    return True


def revoke_api_key(db: Session, prefix: str) -> None:
    row = db.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if row is None:
        raise NotFound(f"no API key with prefix '{prefix}'")
    row.revoked_at = _now()


def set_role(db: Session, user_id: int, role: Role) -> User:
    """Give a user another role (editor <-> admin within the wire; an issuer stays an issuer,
    since the role goes with the organization). The user's API keys take the new role too,
    since a key acts as its user. The wire keeps at least one admin."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    if role is Role.SYSTEM:
        raise InvalidInput("the system role is not for people")
    if role is Role.ISSUER and user.organization.kind != "issuer":
        raise InvalidInput("an issuer user belongs to an issuer organization")
    if role is not Role.ISSUER and user.organization.kind != "wire":
        raise InvalidInput(f"a {role} belongs to the wire's own organization")
    if user.role == Role.ADMIN and role is not Role.ADMIN:
        admins = db.scalar(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN.value)
        )
        if (admins or 0) <= 1:
            raise Conflict(f"{user.email} is the only admin; make someone else admin first")
    user.role = role.value
    for key in db.scalars(select(ApiKey).where(ApiKey.user_id == user.id)):
        key.role = role.value
    db.flush()
    return user


def set_translator(
    db: Session, user_id: int, *, languages: Sequence[str] | str, trusted: bool
) -> User:
    """Change a translator's languages (none: every language) and trust; it applies at once."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    if user.role != Role.TRANSLATOR:
        raise InvalidInput(f"{user.email} is not a translator")
    chosen = translator_languages(languages)
    user.languages = {"languages": chosen} if chosen else {}
    user.trusted = trusted
    db.flush()
    return user
