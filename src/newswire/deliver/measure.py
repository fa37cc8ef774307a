"""Email opens and clicks, measured only where the issuer and the recipient both allow it
(the organization's ``measure_email`` and the recipient's ``measure_consent_at``; both off
by default).

A measured email carries a 1x1 image ``/r/o/{delivery id}.gif`` and its links go through
``/r/c/{delivery id}?u=<url>&s=<signature>`` (signed with `newswire.audience.tokens`, so the
redirect only goes where the wire's own email pointed). The redirect keeps nothing but the
delivery id; the footer says that opens and clicks are counted and where to stop it. An
email that is not measured has neither, and its footer says so.

Only the HTML part changes, in these functions; the shared template of an edition is kept for
the emails that are not measured (a measured one is compiled for its delivery alone).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import i18n
from newswire.audience.tokens import sign_link
from newswire.channels.email_render import EmailEdition
from newswire.config import Settings
from newswire.store.models import Delivery, Recipient, Release

ONCE = "once:"
"""Key prefix of an edition compiled for one delivery (the renderer does not cache it)."""

_HREF = re.compile(r'href="(https?://[^"]+)"')
MEASURED_NOTE = i18n.N_(
    "Opens and clicks of this email are counted for the issuer's readership figures, by "
    "delivery only. To stop it, turn off measurement on your preferences page."
)
NOT_MEASURED_NOTE = i18n.N_("Opens and clicks of this email are not counted.")


def measured_deliveries(db: Session, deliveries: Iterable[Delivery]) -> set[str]:
    """The ids of the email deliveries whose issuer and recipient both allow measuring."""
    ids = [d.id for d in deliveries if d.channel == "email" and d.recipient_id]
    if not ids:
        return set()
    found = db.scalars(
        select(Delivery.id)
        .join(Recipient, Recipient.id == Delivery.recipient_id)
        .join(Release, Release.id == Delivery.release_id)
        .where(Delivery.id.in_(ids), Recipient.measure_consent_at.is_not(None))
        .where(Release.organization.has(measure_email=True))
    )
    return set(found)


def click_url(settings: Settings, delivery_id: str, url: str) -> str:
    signature = sign_link(settings.secret_key, delivery_id, url)
    return f"{settings.base_url}/r/c/{delivery_id}?u={quote(url, safe='')}&s={signature}"


def rewrite_links(settings: Settings, delivery_id: str, body: str) -> str:
    """Each absolute http(s) link of an HTML fragment, through the click redirect."""

    def through(match: re.Match[str]) -> str:
        url = html.unescape(match.group(1))
        return f'href="{html.escape(click_url(settings, delivery_id, url))}"'

    return _HREF.sub(through, body)


def pixel(settings: Settings, delivery_id: str) -> str:
    return f'<img src="{settings.base_url}/r/o/{delivery_id}.gif" width="1" height="1" alt="">'


@lru_cache(maxsize=256)
def _not_measured(edition: EmailEdition) -> EmailEdition:
    """One object per shared edition, so that the renderer keeps one template for it."""
    note = i18n.gettext(edition.language, NOT_MEASURED_NOTE)
    return replace(
        edition,
        text_body=f"{edition.text_body.rstrip()}\n\n{note}",
        html_body=f'{edition.html_body}\n<p class="measure">{html.escape(note)}</p>',
    )


def email_for(
    settings: Settings, edition: EmailEdition, delivery_id: str, *, measured: bool
) -> EmailEdition:
    """The edition as this delivery's email: measured (links through the redirect, the pixel,
    the footer note that says so) or not (the shared edition, with its note)."""
    if not measured:
        return _not_measured(edition)
    lang = edition.language
    note = i18n.gettext(lang, MEASURED_NOTE)
    return replace(
        edition,
        key=f"{ONCE}{delivery_id}:{edition.key}",
        text_body=f"{edition.text_body.rstrip()}\n\n{note}",
        html_body=(
            rewrite_links(settings, delivery_id, edition.html_body)
            + f'\n<p class="measure">{html.escape(note)}</p>\n{pixel(settings, delivery_id)}'
        ),
    )


__all__ = ["ONCE", "click_url", "email_for", "measured_deliveries", "pixel", "rewrite_links"]
