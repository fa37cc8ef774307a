"""The one interface every delivery channel shares: send a batch, get one receipt per message.

A channel is an adapter around one transport (SMTP, a local mail folder, HTTP webhooks, ...).
The delivery stage (outbox, workers, retry scheduling) only ever sees this module's types, so
that a channel can be swapped or added without touching it:

- `OutboundMessage`: one delivery to one endpoint. ``delivery_id`` is the stable idempotency key
  (the Standard Webhooks ``webhook-id``, the email's Message-ID and return path), the same on
  every attempt, so receivers can deduplicate an at-least-once delivery.
- `Receipt`: what became of one attempt. ``outcome`` says what the outbox does next:
  ``delivered`` (done), ``retry`` (try again later, on the retry schedule), ``failed`` (permanent:
  do not retry) or ``gone`` (permanent, and the endpoint should be disabled).
- `Channel.send_batch` never raises because of one message: problems become receipts. It returns
  exactly one receipt per message, in the order of the messages.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

P = TypeVar("P")


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"  # permanent: retrying cannot help
    GONE = "gone"  # permanent, and the endpoint asked to be forgotten (HTTP 410, unknown mailbox)


@dataclass(frozen=True, slots=True)
class OutboundMessage(Generic[P]):
    """One delivery: ``endpoint`` is the address (email address, webhook URL); ``payload`` is
    the channel's own type (`EmailPayload`, `WebhookPayload`), usually shared by every message
    of a fan-out, so that a release's body is rendered once."""

    delivery_id: str
    endpoint: str
    payload: P


@dataclass(frozen=True, slots=True)
class Receipt:
    """The result of one attempt.

    ``code`` is the HTTP status or the SMTP reply code (None when no reply came: refused
    connection, timeout, guard refusal); ``detail`` the SMTP reply text or a short explanation;
    ``retry_after`` the delay in seconds the receiver asked for (Retry-After), if any.
    """

    delivery_id: str
    outcome: Outcome
    code: int | None = None
    latency_ms: float = 0.0
    retry_after: float | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.DELIVERED


class Channel(Protocol[P]):
    """What the delivery workers call. ``name`` is the channel's kind (``email``, ``webhook``)."""

    name: str

    async def send_batch(self, messages: Sequence[OutboundMessage[P]]) -> list[Receipt]: ...

    async def aclose(self) -> None: ...


# Delivery ids travel in HTTP headers, SMTP envelope addresses (bounces+<id>@domain) and
# Message-IDs, so they are restricted to characters that are safe in all three.
_DELIVERY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def valid_delivery_id(delivery_id: str) -> bool:
    """Whether ``delivery_id`` can be used as it is in headers, return paths and Message-IDs:
    1-128 characters of ``A-Z a-z 0-9 . _ -``, starting with a letter or digit."""
    return bool(_DELIVERY_ID.fullmatch(delivery_id))


def elapsed_ms(started: float) -> float:
    """Milliseconds since ``started`` (a `time.perf_counter` reading)."""
    return round((time.perf_counter() - started) * 1000.0, 3)
