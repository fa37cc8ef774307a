"""URLs, e-mail addresses and phone numbers, as a translation must carry them over."""

from __future__ import annotations

import re

__all__ = ["EMAIL_RE", "PHONE_RE", "URL_RE", "normalize_url", "without_links"]


URL_RE = re.compile(
    r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]*[A-Za-z0-9/_\-=#%~&]", re.I
)
EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)


def without_links(text: str, replacement: str = " ") -> str:
    """`text` with its URLs and e-mail addresses replaced (most sentences have neither, and
    two substring tests tell)."""
    if "://" in text or "www." in text.lower():
        text = URL_RE.sub(replacement, text)
    if "@" in text:
        text = EMAIL_RE.sub(replacement, text)
    return text


PHONE_RE = re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.\-/]?\(?\d{1,5}\)?){2,6}(?!\w)")


def normalize_url(url: str) -> str:
    url = url.rstrip("/")
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url.lower()
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"
