"""Inline Markdown turned into the text a reader sees, and the destinations of its links
(the translate stage: the QA gate reads sentences as plain text, and checks link targets
with the URLs).
"""

from __future__ import annotations

import re

from newswire.translate.blocks import CONTINUATION

__all__ = ["link_targets", "plain_text"]

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+|[^>\s@]+@[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_CODE = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*")
_EM_UNDER = re.compile(r"(?<![\w\\])_(?=\S)(.+?)(?<=\S)_(?!\w)")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
# A character that can start or end inline markup; a fragment with none is already plain.
_MARKUP = re.compile(r"[\[\]<>`*_~\\\x00]")


def plain_text(fragment: str) -> str:
    """Inline Markdown turned into the text a reader sees, whitespace collapsed."""
    if not _MARKUP.search(fragment):
        return " ".join(fragment.split())
    text = CONTINUATION.sub(" ", fragment)
    codes: list[str] = []

    def keep_code(m: re.Match[str]) -> str:
        codes.append(m.group(2).strip())
        return f"\x00{len(codes) - 1}\x00"

    text = _CODE.sub(keep_code, text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(lambda m: m.group(1).removeprefix("mailto:"), text)
    text = _HTML_TAG.sub("", text)
    for pattern in (_STRONG, _STRIKE):
        text = pattern.sub(lambda m: m.group(2) if m.re is _STRONG else m.group(1), text)
    text = _EM_STAR.sub(r"\1", text)
    text = _EM_UNDER.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text)
    return " ".join(text.split())


_LINK_TARGET = re.compile(r"\]\(\s*<?([^()\s>]+(?:\([^()\s]*\))?[^()\s>]*)>?(?:\s+\"[^\"]*\")?\)")


def link_targets(fragment: str) -> list[str]:
    """The destinations of the links and images in a Markdown fragment."""
    out = [m.group(1) for m in _LINK_TARGET.finditer(fragment)]
    out += [m.group(1).removeprefix("mailto:") for m in _AUTOLINK.finditer(fragment)]
    return out
