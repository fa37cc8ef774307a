"""WebSub hub subscriptions (W3C WebSub Recommendation, section 5): requests, intent
verification, storage and which subscriptions a new version reaches.

Storage uses the existing tables. A subscription is an `Endpoint` with ``channel="websub"``,
``address`` = the callback URL and ``settings`` = ``{"topic", "secret", "lease_seconds",
"lease_expires_at" (ISO 8601), "verified": true}``, owned by a `Recipient` of kind "partner"
(name: the callback's host; consent source "websub subscription"). There is one recipient per
(callback, topic), so one callback can subscribe to many topics without breaking the unique
(recipient, channel, address) constraint; a subscription is found by its callback and topic.

Flow: the hub answers 202 at once; verification runs afterwards (`verify`): a GET to the
callback (its own query string kept) with hub.mode, hub.topic, hub.challenge and, for a
subscription, hub.lease_seconds. Only a 2xx whose body is the challenge confirms it; then the
subscription is stored or renewed (lease and secret replaced), or for an unsubscription
deactivated. An unverified request changes nothing. A topic that is not one of our feeds is
denied (GET with hub.mode=denied and hub.reason). Every GET goes through the webhooks' SSRF
guard (`NetGuard`): the host is resolved once, every address checked, and the request is
pinned to a checked address (no second DNS lookup).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
import secrets as random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.channels.netguard import DestinationRefused, NetGuard, ResolutionFailed
from newswire.config import Settings
from newswire.domain.errors import FieldError, NewswireError
from newswire.render import feeds as render
from newswire.store import feeds as store
from newswire.store.db import Database
from newswire.store.feed_query import EntryFacts, FeedQuery, FeedQueryError
from newswire.store.models import Endpoint, Recipient

log = logging.getLogger(__name__)

CHANNEL = "websub"
CONSENT_SOURCE = "websub subscription"
DEFAULT_LEASE_S = 10 * 24 * 3600  # 10 days
MIN_LEASE_S = 3600  # 1 hour
MAX_LEASE_S = 30 * 24 * 3600  # 30 days
MAX_SECRET_BYTES = 199  # the spec: "less than 200 bytes"
MAX_URL = 2000  # endpoints.address
VERIFY_TIMEOUT = httpx.Timeout(5.0, connect=3.0)
VERIFY_BODY_LIMIT = 1024
MODES = ("subscribe", "unsubscribe")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")  # whitespace and control characters


class BadHubRequest(NewswireError):
    """A malformed hub request: 400, naming each bad parameter."""

    status = 400
    code = "bad_request"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(f"{len(errors)} invalid parameter(s): {listed}")

    def as_dict(self) -> dict[str, object]:
        return {
            "error": self.code,
            "message": self.message,
            "errors": [e.as_dict() for e in self.errors],
        }


class UnknownTopic(Exception):
    """The topic is not one of our feeds; the message is the hub.reason sent to the callback."""


@dataclass(frozen=True)
class HubRequest:
    mode: str  # subscribe | unsubscribe
    topic: str
    callback: str
    lease_seconds: int
    secret: str | None


@dataclass(frozen=True)
class Topic:
    url: str  # as the subscriber gave it (the rel=self of what it receives)
    query: FeedQuery
    fmt: str  # rss | atom | json

    @property
    def media_type(self) -> str:
        return render.MEDIA_TYPES[self.fmt]


# --- requests -------------------------------------------------------------------------------------


def clamp_lease(raw: str | None) -> int:
    """hub.lease_seconds as asked, within [MIN_LEASE_S, MAX_LEASE_S]; the default when absent
    or not a whole number (the hub decides the lease; the subscriber's value is a hint)."""
    if raw is None or not raw.strip().isdigit():
        return DEFAULT_LEASE_S
    return max(MIN_LEASE_S, min(MAX_LEASE_S, int(raw.strip())))


def parse_request(form: Mapping[str, str]) -> HubRequest:
    """A hub request from its form parameters; parameters other than hub.* are ignored.
    Raises `BadHubRequest` naming every bad parameter."""
    errors: list[FieldError] = []
    mode = (form.get("hub.mode") or "").strip()
    topic = form.get("hub.topic") or ""
    callback = form.get("hub.callback") or ""
    secret = form.get("hub.secret")
    if not mode:
        errors.append(FieldError("hub.mode", "missing", "hub.mode is required"))
    elif mode not in MODES:
        errors.append(
            FieldError("hub.mode", "unknown_mode", f"'{mode}': use subscribe or unsubscribe")
        )
    if not topic:
        errors.append(FieldError("hub.topic", "missing", "hub.topic is required"))
    elif len(topic) > MAX_URL or _UNSAFE.search(topic):
        errors.append(FieldError("hub.topic", "invalid_url", "hub.topic is not a valid URL"))
    if not callback:
        errors.append(FieldError("hub.callback", "missing", "hub.callback is required"))
    else:
        problem = _callback_problem(callback)
        if problem:
            errors.append(FieldError("hub.callback", "invalid_url", problem))
    if secret is not None and len(secret.encode()) > MAX_SECRET_BYTES:
        errors.append(
            FieldError("hub.secret", "too_long", "hub.secret must be less than 200 bytes")
        )
    if errors:
        raise BadHubRequest(errors)
    return HubRequest(
        mode=mode,
        topic=topic,
        callback=callback,
        lease_seconds=clamp_lease(form.get("hub.lease_seconds")),
        secret=secret or None,
    )


def _callback_problem(url: str) -> str | None:
    if len(url) > MAX_URL:
        return f"hub.callback is longer than {MAX_URL} characters"
    if _UNSAFE.search(url):
        return "hub.callback contains spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "hub.callback is not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "hub.callback must be an http or https URL"
    if not parts.hostname:
        return "hub.callback has no host"
    return None


def parse_topic(settings: Settings, url: str) -> Topic:
    """The feed a topic URL names: ``{base_url}/feeds/releases.{fmt}?industry=..`` or
    ``{base_url}/feeds/{dimension}/{code}.{fmt}``. Raises `UnknownTopic`."""
    base = settings.base_url.rstrip("/")
    if not url.startswith(base + "/feeds/"):
        raise UnknownTopic(f"{url} is not a feed of this hub (feeds are under {base}/feeds/)")
    path, _, query_string = url[len(base) :].partition("?")
    path = path.split("#", 1)[0]
    parts = path.split("/")  # "", "feeds", ...
    name, dot, fmt = parts[-1].rpartition(".")
    if not dot or fmt not in render.FORMATS:
        raise UnknownTopic(f"{url} is not a feed: its name must end in .rss, .atom or .json")
    values: dict[str, str | None] = {}
    for key, value in parse_qsl(query_string.split("#", 1)[0], keep_blank_values=True):
        if key == "page" and value != "1":
            raise UnknownTopic(f"{url} is a later page of a feed; subscribe to its first page")
        dim = {"lang": "language"}.get(key, key)
        if dim in FeedQuery.DIMENSIONS and value.strip():
            values[dim] = value
    if len(parts) == 3 and name == "releases":
        pass
    elif len(parts) == 4 and parts[2] in FeedQuery.DIMENSIONS and name:
        from_path = parts[2]
        if values.get(from_path) not in (None, name):
            raise UnknownTopic(f"{url} names its {from_path} twice")
        values[from_path] = name
    else:
        raise UnknownTopic(f"{url} is not one of this hub's feeds")
    try:
        query = FeedQuery.parse(values)
    except FeedQueryError as exc:
        raise UnknownTopic(f"{url} is not a feed of this hub: {exc.message}") from None
    return Topic(url=url, query=query, fmt=fmt)


def check_topic(db: Session, settings: Settings, url: str) -> Topic:
    """`parse_topic`, and the issuer it names must exist."""
    topic = parse_topic(settings, url)
    if topic.query.issuer and store.issuer_name(db, topic.query.issuer) is None:
        raise UnknownTopic(f"{url} is not a feed of this hub: no issuer '{topic.query.issuer}'")
    return topic


# --- verification ---------------------------------------------------------------------------------


def with_params(callback: str, params: Mapping[str, str]) -> str:
    """The callback URL with hub.* parameters appended to its own query string."""
    parts = urlsplit(callback)
    extra = urlencode(list(params.items()))
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


async def guarded_get(
    guard: NetGuard, url: str, *, client: httpx.AsyncClient | None = None
) -> tuple[int, bytes]:
    """GET `url` through the SSRF guard: resolve once, check every address, connect to a checked
    one (Host header and TLS SNI keep the name). Returns (status, the first bytes of the body).
    Raises DestinationRefused, ResolutionFailed or httpx.HTTPError."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    addresses = await guard.resolve(host, port)
    address = addresses[0]
    literal = (
        f"[{address}]" if ipaddress.ip_address(address.split("%")[0]).version == 6 else address
    )
    pinned = urlunsplit((scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
    host_header = host if ":" not in host else f"[{host}]"
    if parts.port:
        host_header += f":{parts.port}"
    headers = {"Host": host_header, "User-Agent": "newswire-websub/0.1"}
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    own = client is None
    client = client or httpx.AsyncClient(
        timeout=VERIFY_TIMEOUT, follow_redirects=False, trust_env=False
    )
    try:
        request = client.build_request("GET", pinned, headers=headers, extensions=extensions)
        response = await client.send(request, stream=True)
        try:
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > VERIFY_BODY_LIMIT:
                    break
            return response.status_code, body[: VERIFY_BODY_LIMIT + 1]
        finally:
            await response.aclose()
    finally:
        if own:
            await client.aclose()


async def verify(
    db: Database,
    settings: Settings,
    guard: NetGuard,
    request: HubRequest,
    *,
    now: datetime | None = None,
) -> str:
    """Verify a hub request with its subscriber and apply it. Returns what happened:
    "subscribed", "unsubscribed", "denied" or "not verified: <why>". Never raises."""
    from starlette.concurrency import run_in_threadpool

    try:
        with db.session() as s:
            check_topic(s, settings, request.topic)
    except UnknownTopic as exc:
        reason = str(exc)
        url = with_params(
            request.callback,
            {"hub.mode": "denied", "hub.topic": request.topic, "hub.reason": reason},
        )
        try:
            await guarded_get(guard, url)
        except (DestinationRefused, ResolutionFailed, httpx.HTTPError) as err:
            log.info("websub: could not tell %s of the denial: %s", request.callback, err)
        return "denied"
    challenge = random.token_urlsafe(32)
    params = {"hub.mode": request.mode, "hub.topic": request.topic, "hub.challenge": challenge}
    if request.mode == "subscribe":
        params["hub.lease_seconds"] = str(request.lease_seconds)
    try:
        status, body = await guarded_get(guard, with_params(request.callback, params))
    except (DestinationRefused, ResolutionFailed, httpx.HTTPError) as exc:
        log.info("websub: verification of %s failed: %s", request.callback, exc)
        return f"not verified: {exc.__class__.__name__}: {exc}"
    if not 200 <= status < 300:
        return f"not verified: HTTP {status}"
    if body.strip() != challenge.encode():
        return "not verified: the response is not the challenge"
    when = now or datetime.now(UTC)

    def apply() -> str:
        with db.session() as s:
            if request.mode == "subscribe":
                activate(s, request, now=when)
                return "subscribed"
            deactivate(s, request.callback, request.topic)
            return "unsubscribed"

    return await run_in_threadpool(apply)


# --- storage --------------------------------------------------------------------------------------


def find(db: Session, callback: str, topic: str) -> Endpoint | None:
    for endpoint in db.scalars(
        select(Endpoint).where(Endpoint.channel == CHANNEL, Endpoint.address == callback)
    ):
        if endpoint.settings.get("topic") == topic:
            return endpoint
    return None


def activate(db: Session, request: HubRequest, *, now: datetime) -> Endpoint:
    """Store a verified subscription, or renew it: a new lease, and the secret replaced."""
    options: dict[str, Any] = {
        "topic": request.topic,
        "secret": request.secret,
        "lease_seconds": request.lease_seconds,
        "lease_expires_at": (now + timedelta(seconds=request.lease_seconds)).isoformat(),
        "verified": True,
    }
    endpoint = find(db, request.callback, request.topic)
    if endpoint is None:
        recipient = Recipient(
            kind="partner",
            name=(urlsplit(request.callback).hostname or request.callback)[:200],
            status="active",
            consent_at=now,
            consent_source=CONSENT_SOURCE,
            created_at=now,
            updated_at=now,
        )
        db.add(recipient)
        db.flush()
        endpoint = Endpoint(
            recipient_id=recipient.id,
            channel=CHANNEL,
            address=request.callback,
            settings=options,
            active=True,
            created_at=now,
        )
        db.add(endpoint)
    else:
        endpoint.settings = {**endpoint.settings, **options}
        endpoint.active = True
        recipient = db.get(Recipient, endpoint.recipient_id)
        if recipient is not None:
            recipient.status, recipient.consent_at, recipient.updated_at = "active", now, now
    db.flush()
    return endpoint


def deactivate(db: Session, callback: str, topic: str) -> bool:
    endpoint = find(db, callback, topic)
    if endpoint is None:
        return False
    endpoint.active = False
    endpoint.settings = {**endpoint.settings, "verified": False}
    return True


def lease_expires_at(endpoint: Endpoint) -> datetime | None:
    raw = endpoint.settings.get("lease_expires_at")
    try:
        return datetime.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        return None


def is_live(endpoint: Endpoint, now: datetime) -> bool:
    """Active, verified and within its lease."""
    expires = lease_expires_at(endpoint)
    return (
        endpoint.active
        and bool(endpoint.settings.get("verified"))
        and expires is not None
        and expires > now
    )


def live_subscriptions(db: Session, now: datetime) -> list[tuple[Endpoint, Recipient]]:
    rows = db.execute(
        select(Endpoint, Recipient)
        .join(Recipient, Recipient.id == Endpoint.recipient_id)
        .where(Endpoint.channel == CHANNEL, Endpoint.active.is_(True))
        .where(Recipient.status == "active")
    ).all()
    return [(e, r) for e, r in rows if is_live(e, now)]


def matching(
    db: Session, settings: Settings, facts: list[EntryFacts], *, now: datetime
) -> list[tuple[Endpoint, Recipient]]:
    """Live subscriptions whose topic shows a version with any of these facts (a correction
    passes the facts of the version it amends too: a feed it leaves changes as well)."""
    out = []
    topics: dict[str, Topic | None] = {}
    for endpoint, recipient in live_subscriptions(db, now):
        url = str(endpoint.settings.get("topic", ""))
        if url not in topics:
            try:
                topics[url] = parse_topic(settings, url)
            except UnknownTopic:
                topics[url] = None
        topic = topics[url]
        if topic is not None and any(topic.query.matches(f) for f in facts):
            out.append((endpoint, recipient))
    return out


def sign(secret: str, body: bytes) -> str:
    """The X-Hub-Signature header value: ``sha256=<hex HMAC-SHA256 of the body>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
