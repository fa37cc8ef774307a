"""WebSub channel: the hub's content distribution (W3C WebSub, section 7). POSTs a topic's
current feed document to each subscriber's callback, with ``Link: <hub>; rel="hub",
<topic>; rel="self"`` and, when the subscription has a secret, ``X-Hub-Signature:
sha256=<hex HMAC-SHA256 of the body>``.

It is the webhook channel with other headers: the same libcurl machinery, per-host limits and
`NetGuard` (addresses checked and pinned, every socket checked again), so WebSub callbacks get
the same SSRF protection as webhooks. Results are classified as for webhooks: 2xx delivered,
410 gone (the outbox then deactivates the endpoint, which ends the subscription), other
failures retried on the engine's schedule or failed for good.

A message whose payload is ``cancelled`` (the subscription expired or ended between the
fan-out and the send) is not sent: it gets a FAILED receipt naming why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newswire.channels.base import OutboundMessage, Outcome, Receipt
from newswire.channels.webhook import WebhookChannel

USER_AGENT = "newswire-websub/0.1"


@dataclass(frozen=True, slots=True)
class WebSubPayload:
    body: bytes = b""
    content_type: str = "application/atom+xml; charset=utf-8"
    hub_url: str = ""
    topic_url: str = ""
    signature: str | None = None  # the X-Hub-Signature value, when the subscription has a secret
    cancelled: str | None = None  # why not to send it at all

    def headers(self) -> list[str]:
        out = [
            f"Content-Type: {self.content_type}",
            f'Link: <{self.hub_url}>; rel="hub", <{self.topic_url}>; rel="self"',
        ]
        if self.signature:
            out.append(f"X-Hub-Signature: {self.signature}")
        return out


class WebSubChannel(WebhookChannel):
    """Sends `WebSubPayload` messages (see the module's docstring)."""

    name = "websub"

    async def send_batch(  # type: ignore[override]
        self, messages: Sequence[OutboundMessage[WebSubPayload]]
    ) -> list[Receipt]:
        sendable = [m for m in messages if m.payload.cancelled is None]
        sent = {
            r.delivery_id: r
            for r in (await super().send_batch(sendable) if sendable else [])  # type: ignore[arg-type]
        }
        return [
            sent.get(m.delivery_id)
            or Receipt(m.delivery_id, Outcome.FAILED, detail=m.payload.cancelled or "not sent")
            for m in messages
        ]

    def _headers(self, message: OutboundMessage[WebSubPayload]) -> list[str]:  # type: ignore[override]
        return [
            *message.payload.headers(),
            f"User-Agent: {USER_AGENT}",
            f"X-Newswire-Delivery: {message.delivery_id}",
            "Expect:",
        ]
