"""Mail from the wire to one person, outside the outbox: a sign-up confirmation, a sign-in link.
It is sent while the person waits, so it goes straight to the relay (or the mail folder).

Like release mail it is multipart (plain text and HTML, in the recipient's language, ``lang``
and ``dir`` set for right-to-left scripts), comes from ``NEWSWIRE_MAIL_FROM`` and is DKIM-signed
when a key is configured, in the mail folder as on the relay. Whether it carries
``List-Unsubscribe`` is the caller's choice (see `ReaderMail.unsubscribe_url`).
"""

from __future__ import annotations

import html
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr, formatdate, make_msgid

from newswire import i18n
from newswire.channels.mailfolder import write_raw
from newswire.config import Settings
from newswire.deliver.setup import dkim_signer, smtp_settings
from newswire.render.mail_text import wrap

CONFIRM_SUBJECT = i18n.N_("Confirm your subscription")
CONFIRM_LEAD = i18n.N_("Confirm that you want to receive press releases from {wire}.")
CONFIRM_IGNORE = i18n.N_(
    "If you did not sign up, ignore this message: nothing will be sent to you."
)


@dataclass(frozen=True)
class ReaderMail:
    """One message to one person: paragraphs of plain text, wrapped in the text part; in the
    HTML part each http(s) URL in them is a link.

    ``unsubscribe_url``: the one-click URL for ``List-Unsubscribe`` (and, over https,
    ``List-Unsubscribe-Post``, RFC 8058), or None for a message that the person asked for
    just now and that subscribes them to nothing (a sign-in link)."""

    to: str
    lang: str
    subject: str
    paragraphs: tuple[str, ...]
    unsubscribe_url: str | None = None


_URL = re.compile(r"https?://[^\s<>\"]+")


def _text(mail: ReaderMail) -> str:
    return "\n\n".join("\n".join(wrap(p)) for p in mail.paragraphs) + "\n"


def _linked(paragraph: str) -> str:
    """The paragraph as HTML, each URL in it a link."""
    out, last = [], 0
    for found in _URL.finditer(paragraph):
        url = html.escape(found.group(0))
        out += [html.escape(paragraph[last : found.start()]), f'<a href="{url}">{url}</a>']
        last = found.end()
    return "".join([*out, html.escape(paragraph[last:])])


def _html(mail: ReaderMail) -> str:
    direction = "rtl" if i18n.is_rtl(mail.lang) else "ltr"
    body = "\n".join(f"<p>{_linked(p)}</p>" for p in mail.paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(mail.lang)}" dir="{direction}">\n<head>\n'
        f'<meta charset="utf-8">\n<title>{html.escape(mail.subject)}</title>\n</head>\n'
        f'<body dir="{direction}">\n{body}\n</body>\n</html>\n'
    )


def compose(settings: Settings, mail: ReaderMail) -> EmailMessage:
    """The message, headers and both parts, ready for `send_mail`."""
    message = EmailMessage()
    message["From"] = formataddr((settings.wire_name, settings.mail_from))
    message["To"] = mail.to
    message["Subject"] = mail.subject
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        if mail.unsubscribe_url.startswith("https://"):
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(_text(mail), cte="quoted-printable")
    message.add_alternative(_html(mail), subtype="html", cte="quoted-printable")
    message["Content-Language"] = mail.lang  # after the parts: set_content drops Content-*
    return message


def confirmation(settings: Settings, *, to: str, name: str, lang: str, link: str,
                 unsubscribe_url: str) -> ReaderMail:  # fmt: skip
    """The double opt-in mail. It carries List-Unsubscribe: whoever did not sign up can
    suppress the address with one click, and then no sign-up can mail it again."""
    wire = settings.wire_name
    return ReaderMail(
        to=to,
        lang=lang,
        subject=f"{i18n.gettext(lang, CONFIRM_SUBJECT)} · {wire}",
        paragraphs=(
            i18n.gettext(lang, "Hello {name},", name=name),
            i18n.gettext(lang, CONFIRM_LEAD, wire=wire),
            link,
            i18n.gettext(lang, CONFIRM_IGNORE),
            f"{i18n.gettext(lang, 'Manage your preferences')}: {settings.base_url}/account/login",
        ),
        unsubscribe_url=unsubscribe_url,
    )


def send_mail(settings: Settings, message: EmailMessage) -> None:
    """Mail from the wire to one person (a sign-up confirmation, a sign-in link): through the
    SMTP relay of NEWSWIRE_SMTP_URL (STARTTLS when offered), else into the mail folder (the
    embedded default); DKIM-signed either way when a key is configured. Raises OSError or
    SMTPException when the relay cannot take it."""
    if "Date" not in message:
        message["Date"] = formatdate(usegmt=True)
    if "Message-ID" not in message:
        message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2])
    data = message.as_bytes(policy=SMTP_POLICY)
    signer = dkim_signer(settings)
    if signer is not None:
        data = signer.sign_message(data)
    if not settings.smtp_url:
        write_raw(settings.mail_dir, data)
        return
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
