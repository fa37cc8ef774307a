"""Build the channels, the bus and a worker from settings (one place for the server, the
`newswire worker` command and the tests)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from newswire.channels.base import Channel
from newswire.channels.dkim import DkimSigner
from newswire.channels.email import EmailChannel, MailFolderChannel
from newswire.channels.email_render import EmailSettings
from newswire.channels.netguard import guard_for
from newswire.channels.smtp import SmtpSettings
from newswire.channels.webhook import WebhookChannel, WebhookSettings
from newswire.channels.websub import WebSubChannel
from newswire.config import Settings
from newswire.domain.errors import NewswireError
from newswire.provenance.keys import key_ring


class BadConfiguration(NewswireError):
    code = "bad_configuration"


def smtp_settings(url: str) -> SmtpSettings:
    """smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://... (TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise BadConfiguration(
            f"NEWSWIRE_SMTP_URL '{url}' is not smtp://host[:port] or smtps://..."
        )
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or (465 if parts.scheme == "smtps" else 25),
        use_tls=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def dkim_signer(settings: Settings) -> DkimSigner | None:
    """The DKIM signer when NEWSWIRE_DKIM_KEY names a PEM RSA key (None: no signing)."""
    if not settings.dkim_key:
        return None
    domain = settings.dkim_domain or settings.mail_from.rpartition("@")[2]
    try:
        return DkimSigner.from_file(domain, settings.dkim_selector, settings.dkim_key)
    except (OSError, ValueError) as exc:
        raise BadConfiguration(f"NEWSWIRE_DKIM_KEY '{settings.dkim_key}': {exc}") from None


def make_channels(settings: Settings) -> dict[str, Channel[Any]]:
    mail = EmailSettings(return_path_domain=settings.bounce_domain)
    dkim = dkim_signer(settings)
    email: Channel[Any] = (
        EmailChannel(smtp_settings(settings.smtp_url), mail, dkim)
        if settings.smtp_url
        else MailFolderChannel(settings.mail_dir, mail, dkim)
    )
    http = WebhookSettings(
        connect_timeout_s=min(3.0, settings.webhook_timeout_s),
        first_byte_timeout_s=min(10.0, settings.webhook_timeout_s),
        timeout_s=settings.webhook_timeout_s,
    )
    ring = key_ring(settings.data_dir)
    webhook = WebhookChannel(
        http,
        guard=guard_for(settings),
        wire_key=lambda: ring.active().key.private_key,
    )
    websub = WebSubChannel(http, guard=guard_for(settings))
    return {"email": email, "webhook": webhook, "websub": websub}
