"""Mail from the wire to one person, outside the outbox: a sign-up confirmation, a sign-in link.
It is sent while the person waits, so it goes straight to the relay (or the mail folder)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid

from newswire.channels.mailfolder import write_message
from newswire.config import Settings
from newswire.deliver.setup import dkim_signer, smtp_settings


def send_mail(settings: Settings, message: EmailMessage) -> None:
    """Mail from the wire to one person (a sign-up confirmation, a sign-in link): through the
    SMTP relay of NEWSWIRE_SMTP_URL (STARTTLS when offered, DKIM when a key is configured),
    else into the mail folder (the embedded default). Raises OSError or SMTPException when the
    relay cannot take it."""
    if not settings.smtp_url:
        write_message(settings.mail_dir, message)
        return
    if "Date" not in message:
        message["Date"] = formatdate(usegmt=True)
    if "Message-ID" not in message:
        message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2])
    data = message.as_bytes(policy=SMTP_POLICY)
    signer = dkim_signer(settings)
    if signer is not None:
        data = signer.sign_message(data)
    relay = smtp_settings(settings.smtp_url)
    connect = smtplib.SMTP_SSL if relay.use_tls else smtplib.SMTP
    with connect(relay.host, relay.port, timeout=relay.timeout_s) as smtp:
        smtp.ehlo()
        if not relay.use_tls and smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if relay.username:
            smtp.login(relay.username, relay.password or "")
        smtp.sendmail(settings.mail_from, [str(message["To"])], data)
