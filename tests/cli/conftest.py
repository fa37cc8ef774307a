"""SMTP servers, DKIM keys and TLS contexts for the command tests (see `smtp_servers`)."""

from smtp_servers import (  # noqa: F401  (fixtures are found by name)
    dkim_key,
    smtp_server,
    tls_server_context,
)
