"""The HTTP API (`/api/v1`, OpenAPI): releases and their lifecycle, editions, and the audience
(recipients, subscriptions, import/export, sign-up, one-click unsubscribe). Routes parse the
request, call one action or query and serialise the answer. Design: docs/web.md."""
