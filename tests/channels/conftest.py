"""SMTP servers, DKIM keys and TLS contexts for the channel tests (see `smtp_servers`)."""

from smtp_servers import (  # noqa: F401  (fixtures are found by name)
    dkim_key,
    dkim_signer,
    smtp_server,
    tls_server_context,
)
