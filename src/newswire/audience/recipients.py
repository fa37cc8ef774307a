"""Recipient actions: create, subscribe, confirm (double opt-in), unsubscribe and suppress.

Every subscription change appends to `subscription_changes`, which the targeting index replays.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.audience.inputs import RecipientInput, SubscriptionInput
from newswire.domain.errors import Conflict, NewswireError, NotFound
from newswire.store.models import (
    Delivery,
    DigestItem,
    Endpoint,
    Organization,
    Outlet,
    Recipient,
    Subscription,
    SubscriptionChange,
    Suppression,
)


class Suppressed(NewswireError):
    status = 409
    code = "suppressed"


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def log_change(db: Session, subscription_id: int, now: datetime | None = None) -> None:
    db.add(SubscriptionChange(subscription_id=subscription_id, at=now or _now()))


def is_suppressed(db: Session, address: str) -> Suppression | None:
    return db.scalar(select(Suppression).where(Suppression.address == address.strip().lower()))


def suppress(db: Session, address: str, reason: str, source: str | None = None) -> Suppression:
    """Add an address to the suppression list; it wins over every subscription from now on."""
    address = address.strip().lower()
    existing = is_suppressed(db, address)
    if existing:
        return existing
    row = Suppression(address=address, reason=reason, source=source, created_at=_now())
    db.add(row)
    db.flush()
    return row


def new_endpoint_settings(channel: str) -> dict[str, Any]:
    """A webhook endpoint gets its own Standard Webhooks signing secret."""
    if channel == "webhook":
        return {"secrets": ["whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()]}
    return {}


def rotate_webhook_secret(db: Session, recipient_id: int) -> str:
    """A new signing secret for the recipient's webhook; the previous one stays valid (each
    request carries a signature for both) until `retire_old_secrets`."""
    endpoint = db.scalar(
        select(Endpoint).where(Endpoint.recipient_id == recipient_id, Endpoint.channel == "webhook")
    )
    if endpoint is None:
        raise NotFound(f"recipient {recipient_id} has no webhook endpoint")
    new = new_endpoint_settings("webhook")["secrets"][0]
    current = list(endpoint.settings.get("secrets", []))
    endpoint.settings = {**endpoint.settings, "secrets": [new, *current[:1]]}
    return new


def retire_old_secrets(db: Session, recipient_id: int) -> None:
    endpoint = db.scalar(
        select(Endpoint).where(Endpoint.recipient_id == recipient_id, Endpoint.channel == "webhook")
    )
    if endpoint is None:
        raise NotFound(f"recipient {recipient_id} has no webhook endpoint")
    endpoint.settings = {**endpoint.settings, "secrets": endpoint.settings.get("secrets", [])[:1]}


def _outlet(db: Session, data: Any, now: datetime) -> Outlet | None:
    if data is None:
        return None
    outlet = db.scalar(select(Outlet).where(Outlet.name == data.name))
    if outlet is None:
        outlet = Outlet(
            name=data.name,
            type=data.type,
            country=data.country,
            languages={"languages": list(data.languages)},
            website=str(data.website) if data.website else None,
            created_at=now,
        )
        db.add(outlet)
        db.flush()
    return outlet


def issuer_ids(db: Session, slugs: list[str]) -> dict[str, int]:
    if not slugs:
        return {}
    rows = db.execute(
        select(Organization.slug, Organization.id).where(Organization.slug.in_(slugs))
    )
    return {slug: id_ for slug, id_ in rows}


def criteria_json(db: Session, sub: SubscriptionInput) -> dict[str, Any]:
    """Subscription criteria as stored: issuer slugs become organization ids."""
    slugs = list(dict.fromkeys(sub.issuers + sub.exclude_issuers))
    ids = issuer_ids(db, slugs)
    unknown = [s for s in slugs if s not in ids]
    if unknown:
        raise NotFound(f"unknown issuer(s): {', '.join(unknown)}")
    return {
        "industries": sorted(set(sub.industries)),
        "regions": sorted(set(sub.regions)),
        "languages": sorted(set(sub.languages)),
        "issuers": sorted(ids[s] for s in set(sub.issuers)),
        "query": sub.query,
        "exclude_industries": sorted(set(sub.exclude_industries)),
        "exclude_regions": sorted(set(sub.exclude_regions)),
        "exclude_issuers": sorted(ids[s] for s in set(sub.exclude_issuers)),
    }


def create_recipient(
    db: Session, data: RecipientInput, *, source: str, confirmed: bool, now: datetime | None = None
) -> tuple[Recipient, str | None]:
    """Create a recipient with its endpoint and subscriptions.

    `confirmed` is true for records an operator vouches for (imports, the API); a self sign-up is
    pending until the emailed token comes back (double opt-in). Returns (recipient, token|None).
    """
    now = now or _now()
    if data.email:
        if is_suppressed(db, str(data.email)):
            raise Suppressed(f"{data.email} is on the suppression list and cannot be added again")
        if db.scalar(select(Recipient).where(Recipient.email == str(data.email).lower())):
            raise Conflict(f"a recipient with email {data.email} already exists")
    token = None if confirmed else secrets.token_urlsafe(24)
    recipient = Recipient(
        kind=data.kind,
        name=data.name,
        email=str(data.email).lower() if data.email else None,
        outlet=_outlet(db, data.outlet, now),
        profile={"languages": list(data.languages), "countries": list(data.countries)},
        accredited=data.accredited,
        status="active" if confirmed else "pending",
        consent_at=now if confirmed else None,
        consent_source=data.consent_source or source,
        confirm_token_hash=_hash(token) if token else None,
        created_at=now,
        updated_at=now,
    )
    db.add(recipient)
    db.flush()
    endpoint = Endpoint(
        recipient_id=recipient.id,
        channel=data.channel,
        address=data.address,
        settings=new_endpoint_settings(data.channel),
        active=True,
        created_at=now,
    )
    db.add(endpoint)
    db.flush()
    for sub in data.subscriptions:
        add_subscription(db, recipient, endpoint, sub, now=now)
    return recipient, token


def add_subscription(
    db: Session,
    recipient: Recipient,
    endpoint: Endpoint,
    sub: SubscriptionInput,
    *,
    now: datetime | None = None,
) -> Subscription:
    now = now or _now()
    row = Subscription(
        recipient_id=recipient.id,
        endpoint_id=endpoint.id,
        name=sub.name,
        criteria=criteria_json(db, sub),
        frequency=sub.frequency,
        active=True,
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    db.flush()
    log_change(db, row.id, now)
    return row


def replace_subscription(
    db: Session, subscription_id: int, sub: SubscriptionInput, *, now: datetime | None = None
) -> Subscription:
    now = now or _now()
    row = db.get(Subscription, subscription_id)
    if row is None:
        raise NotFound(f"no subscription {subscription_id}")
    row.name, row.criteria, row.frequency, row.updated_at = (
        sub.name,
        criteria_json(db, sub),
        sub.frequency,
        now,
    )
    log_change(db, row.id, now)
    return row


def delete_subscription(db: Session, subscription_id: int) -> None:
    row = db.get(Subscription, subscription_id)
    if row is None:
        raise NotFound(f"no subscription {subscription_id}")
    row.active = False
    row.updated_at = _now()
    log_change(db, row.id)


def get_recipient(db: Session, recipient_id: int) -> Recipient:
    recipient = db.get(Recipient, recipient_id)
    if recipient is None:
        raise NotFound(f"no recipient {recipient_id}")
    return recipient


def confirm(db: Session, token: str, *, now: datetime | None = None) -> Recipient:
    """Second step of double opt-in: the emailed token activates the recipient."""
    recipient = db.scalar(select(Recipient).where(Recipient.confirm_token_hash == _hash(token)))
    if recipient is None:
        raise NotFound("this confirmation link is invalid or was already used")
    now = now or _now()
    recipient.status = "active"
    recipient.consent_at = now
    recipient.consent_source = (
        recipient.consent_source or "sign-up"
    ) + " (double opt-in confirmed)"
    recipient.confirm_token_hash = None
    recipient.updated_at = now
    _touch_subscriptions(db, recipient.id, now)
    return recipient


def unsubscribe(db: Session, recipient_id: int, *, source: str) -> Recipient:
    """Stop everything for this recipient and suppress its addresses for good."""
    recipient = get_recipient(db, recipient_id)
    now = _now()
    recipient.status = "unsubscribed"
    recipient.updated_at = now
    endpoints = db.scalars(select(Endpoint).where(Endpoint.recipient_id == recipient.id))
    for endpoint in endpoints:
        if endpoint.channel == "email":
            suppress(db, endpoint.address, "unsubscribe", source)
    _touch_subscriptions(db, recipient.id, now)
    return recipient


def _touch_subscriptions(db: Session, recipient_id: int, now: datetime) -> None:
    for sub_id in db.scalars(
        select(Subscription.id).where(Subscription.recipient_id == recipient_id)
    ):
        log_change(db, sub_id, now)


def delete_recipient(db: Session, recipient_id: int) -> None:
    """Erase a recipient's personal data (on request); keeps the suppression so they stay out."""
    recipient = get_recipient(db, recipient_id)
    if recipient.email:
        suppress(db, recipient.email, "erased", "data deletion request")
    for sub in db.scalars(select(Subscription).where(Subscription.recipient_id == recipient_id)):
        log_change(db, sub.id)
        db.delete(sub)
    db.flush()
    for endpoint in db.scalars(select(Endpoint).where(Endpoint.recipient_id == recipient_id)):
        db.delete(endpoint)
    db.flush()
    db.delete(recipient)


def _iso(value: datetime | None) -> str | None:
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat() if value else None


def stored_data(s: Session, recipient_id: int) -> dict[str, Any]:
    """All that is stored about a recipient, as JSON (what a journalist downloads from
    /account/data.json)."""
    r = get_recipient(s, recipient_id)
    endpoints = list(
        s.scalars(select(Endpoint).where(Endpoint.recipient_id == r.id).order_by(Endpoint.id))
    )
    subs = s.scalars(
        select(Subscription).where(Subscription.recipient_id == r.id).order_by(Subscription.id)
    )
    addresses = [e.address for e in endpoints] + ([r.email] if r.email else [])
    suppressed = s.scalars(select(Suppression).where(Suppression.address.in_(addresses)))
    deliveries = s.scalars(
        select(Delivery).where(Delivery.recipient_id == r.id).order_by(Delivery.created_at.desc())
    )
    digest = s.scalars(
        select(DigestItem).where(DigestItem.recipient_id == r.id).order_by(DigestItem.id)
    )
    outlet = r.outlet
    return {
        "recipient": {
            "id": r.id,
            "kind": r.kind,
            "name": r.name,
            "email": r.email,
            "status": r.status,
            "accredited": r.accredited,
            "outlet": {
                "name": outlet.name,
                "type": outlet.type,
                "country": outlet.country,
                "website": outlet.website,
            }
            if outlet
            else None,
            "profile": dict(r.profile or {}),
            "consent_at": _iso(r.consent_at),
            "consent_source": r.consent_source,
            "measure_consent_at": _iso(r.measure_consent_at),  # counted email opens and clicks
            "created_at": _iso(r.created_at),
            "updated_at": _iso(r.updated_at),
        },
        "endpoints": [
            {
                "id": e.id,
                "channel": e.channel,
                "address": e.address,
                "active": e.active,
                "created_at": _iso(e.created_at),
            }
            for e in endpoints
        ],
        "subscriptions": [
            {
                "id": x.id,
                "name": x.name,
                "criteria": x.criteria,
                "frequency": x.frequency,
                "active": x.active,
                "created_at": _iso(x.created_at),
                "updated_at": _iso(x.updated_at),
            }
            for x in subs
        ],
        "deliveries": [
            {
                "id": d.id,
                "release_id": d.release_id,
                "version": d.version_number,
                "kind": d.kind,
                "channel": d.channel,
                "address": d.address,
                "language": d.language,
                "state": d.state,
                "created_at": _iso(d.created_at),
                "delivered_at": _iso(d.delivered_at),
            }
            for d in deliveries
        ],
        "digest_items": [
            {
                "release_id": d.release_id,
                "version": d.version_number,
                "language": d.language,
                "address": d.address,
                "created_at": _iso(d.created_at),
                "sent_at": _iso(d.sent_at),
            }
            for d in digest
        ],
        "suppressions": [
            {
                "address": x.address,
                "reason": x.reason,
                "source": x.source,
                "created_at": _iso(x.created_at),
            }
            for x in suppressed
        ],
    }
