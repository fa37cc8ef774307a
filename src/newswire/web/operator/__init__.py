"""The operator's pages (`/operator`, admins): organizations, users, API keys, recipient import,
endpoint health and dead letters. Design: docs/web.md."""
