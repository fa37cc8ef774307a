"""The channels: one module per channel (email, webhooks, WebSub, streams), one interface:
send a batch, return receipts.

Design: docs/channels.md."""
