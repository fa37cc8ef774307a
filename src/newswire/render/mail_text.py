"""The release as email parts: the plain-text part (the whole article, wrapped, links as full
URLs) and the links that both parts end with (the public page, "Verify this release").

The text part says what the HTML article says, in the same order: notice, headline,
subheadline, dateline and attribution, body, media, "About ...", media contacts, the links,
the disclaimer, the tags and the wire's boilerplate. Paragraphs are wrapped at 72 columns
counted in display width (a CJK character is two columns); a run of CJK text, which has no
spaces, may break between any two characters except before closing punctuation; right-to-left
text is wrapped in its logical order (mail clients lay out each line with the bidi algorithm).
A URL is never broken.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from newswire import i18n, taxonomy
from newswire.domain.release import PublishedVersion, VersionKind
from newswire.render.html import tags

WIDTH = 72
VIEW_IN_BROWSER = i18n.N_("View in browser")
VERIFY = i18n.N_("Verify this release")
DISCLAIMER = i18n.N_(
    "The article is provided by a third-party content provider. "
    "{wire} ({url}) makes no warranties or representations in connection with it."
)
WIRE_BOILERPLATE = i18n.N_(
    "{wire} delivers real-time press release distribution for companies and institutions, "
    "reaching media outlets, editors and journalists, and professional desktops worldwide, "
    "in 15 languages."
)
_NO_BREAK_BEFORE = set(
    "、。，．・：；？！）」』】〕〉》”’ー…‥ヽヾゝゞ々〻"  # closing punctuation, marks
    "ぁぃぅぇぉっゃゅょァィゥェォッャュョ"  # small kana
)
_URL = re.compile(r"\S*(?:https?://|mailto:)\S+")


@dataclass(frozen=True)
class MailLinks:
    """Where a release mail points: its public page, and where anyone can verify it."""

    page_url: str
    verify_url: str


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("js-default", {"typographer": False}).enable(["table", "strikethrough"])


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _words(text: str) -> list[str]:
    """Units that a line may break between: words, URLs, and single wide characters."""
    units: list[str] = []
    for chunk in re.split(r"(\s+)", text):
        if not chunk or chunk.isspace():
            if chunk:
                units.append(" ")
            continue
        if _URL.fullmatch(chunk) or not any(_wide(ch) for ch in chunk):
            units.append(chunk)
            continue
        word = ""
        for ch in chunk:  # CJK: a break is allowed between characters
            if word and (_wide(ch) or _wide(word[-1])) and ch not in _NO_BREAK_BEFORE:
                units.append(word)
                units.append("")  # a break opportunity without a space
                word = ""
            word += ch
        units.append(word)
    return units


def wrap(text: str, width: int = WIDTH, indent: str = "", first: str = "") -> list[str]:
    """``text`` as lines of at most ``width`` display columns where it can break (a word or a
    URL longer than a line gets a line of its own); ``first`` and ``indent`` start the first
    and the other lines."""
    lines: list[str] = []
    line, words, gap = first, 0, ""
    for unit in _words(" ".join(text.split())):
        if unit in (" ", ""):
            gap = unit if words else ""
            continue
        if words and _width(line + gap + unit) > width:
            lines.append(line)
            line, words = indent + unit, 1
        else:
            line, words = line + gap + unit, words + 1
        gap = ""
    if words:
        lines.append(line)
    return lines


def _inline(children: list[Token]) -> str:
    """Inline Markdown as text: a link as ``text <url>`` (just the URL when they are the same)."""
    parts: list[str] = []
    href: str | None = None
    start = 0
    for token in children:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type == "image":
            parts.append(f"{token.content} <{token.attrGet('src')}>")
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "link_open":
            href, start = str(token.attrGet("href") or ""), len(parts)
        elif token.type == "link_close" and href is not None:
            label = "".join(parts[start:]).strip()
            if href and label != href and f"mailto:{label}" != href:
                parts.append(f" <{href}>")
            href = None
    return "".join(parts)


@dataclass(frozen=True)
class _Block:
    text: str
    first: str = ""  # the prefix of its first line ("- ", "1. ", "> ")
    hang: str = ""  # the prefix of the others
    verbatim: bool = False  # code: as it is, never wrapped


def _blocks(markdown: str) -> list[_Block]:
    blocks: list[_Block] = []
    prefixes: list[str] = []
    numbers: list[int | None] = []
    for token in _markdown().parse(markdown):
        if token.type == "bullet_list_open":
            numbers.append(None)
        elif token.type == "ordered_list_open":
            numbers.append(int(token.attrGet("start") or 1))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
        elif token.type == "blockquote_open":
            prefixes.append("> ")
        elif token.type == "blockquote_close":
            prefixes.pop()
        elif token.type == "list_item_open":
            number = numbers[-1] if numbers else None
            prefixes.append(f"{number}. " if number is not None else "- ")
            if number is not None:
                numbers[-1] = number + 1
        elif token.type == "list_item_close":
            prefixes.pop()
        elif token.type in ("fence", "code_block"):
            blocks.append(_Block(token.content.rstrip("\n"), verbatim=True))
        elif token.type == "inline":
            hang = "".join(p if p == "> " else " " * len(p) for p in prefixes)
            blocks.append(_Block(_inline(token.children or []), "".join(prefixes), hang))
    return [b for b in blocks if b.text.strip()]


def body_text(markdown: str, lead: str = "", width: int = WIDTH) -> list[str]:
    """The body's blocks as wrapped paragraphs, one blank line between them; ``lead`` (the
    dateline) runs into the first paragraph, as in the article."""
    out: list[str] = []
    blocks = _blocks(markdown)
    if lead and (not blocks or blocks[0].first or blocks[0].verbatim):
        blocks.insert(0, _Block(lead))
    elif lead:
        blocks[0] = _Block(f"{lead} {blocks[0].text}")
    for block in blocks:
        if block.verbatim:
            out += ["", *("    " + line for line in block.text.split("\n"))]
        else:
            out += ["", *wrap(block.text, width, indent=block.hang, first=block.first)]
    return out[1:]


def _dateline(version: PublishedVersion) -> str:
    content, lang = version.content, version.content.language
    place = ", ".join(
        [
            content.dateline.city.upper(),
            taxonomy.region_name(content.dateline.country, lang),
            i18n.format_date(content.dateline.date, lang),
        ]
    )
    return f"{place} ({version.wire_name}) –"


def _notice(version: PublishedVersion, lang: str) -> list[str]:
    when = i18n.format_datetime(version.published_at, lang)
    if version.kind is VersionKind.RETRACTION:
        message = i18n.gettext(
            lang, "This release was retracted on {datetime}: {reason}", datetime=when,
            reason=version.reason or "",
        )  # fmt: skip
        return [*wrap(message), ""]
    if version.kind is VersionKind.CORRECTION:
        message = i18n.gettext(
            lang, "Corrected on {datetime}: {reason}", datetime=when, reason=version.reason or ""
        )
        again = i18n.gettext(lang, "This version corrects version {number}.", number=version.amends)
        return [*wrap(message), *wrap(again), ""]
    return []


def _contacts(version: PublishedVersion, lang: str) -> list[str]:
    out = ["", i18n.gettext(lang, "Media contacts")]
    for person in version.content.contacts:
        out += wrap(", ".join(p for p in (person.name, person.role, person.organization) if p))
        if person.email:
            out.append(f"{i18n.gettext(lang, 'Email')}: {person.email}")
        if person.phone:
            out.append(f"{i18n.gettext(lang, 'Phone')}: {person.phone}")
    return out


def link_lines(links: MailLinks, lang: str) -> list[str]:
    """The two links, each on its own line, the URL whole."""
    return [
        f"{i18n.gettext(lang, VIEW_IN_BROWSER)}: {links.page_url}",
        f"{i18n.gettext(lang, VERIFY)}: {links.verify_url}",
    ]


def text_part(version: PublishedVersion, links: MailLinks) -> str:
    """The whole release as plain text (the greeting and the footer are the channel's)."""
    content, lang = version.content, version.content.language
    out = _notice(version, lang)
    out += wrap(content.headline)
    if content.subheadline:
        out += wrap(content.subheadline)
    if version.kind is not VersionKind.RETRACTION:
        out += ["", *body_text(content.body_markdown, _dateline(version))]
        if content.attachments:
            out += ["", i18n.gettext(lang, "Images")]
            out += [f"{a.alt}: {a.url}" for a in content.attachments]
        if content.boilerplate:
            out += ["", i18n.gettext(lang, "About {issuer}", issuer=version.issuer.name)]
            out += wrap(content.boilerplate)
        if content.contacts:
            out += _contacts(version, lang)
    out += ["", *link_lines(links, lang), ""]
    wire_url = str(version.extra.get("wire_url", ""))
    out += wrap(i18n.gettext(lang, DISCLAIMER, wire=version.wire_name, url=wire_url))
    labels = tags(version)
    if labels:
        out += wrap(f"{i18n.gettext(lang, 'Industries')}: {', '.join(labels)}")
    if content.tickers:
        out += wrap(", ".join(content.tickers))
    out += wrap(i18n.gettext(lang, WIRE_BOILERPLATE, wire=version.wire_name))
    return "\n".join(out) + "\n"


def html_links(links: MailLinks, lang: str) -> str:
    """The links under the article in the HTML part."""
    view, verify = i18n.gettext(lang, VIEW_IN_BROWSER), i18n.gettext(lang, VERIFY)
    return str(
        Markup('<p class="links"><a href="{}">{}</a> · <a href="{}">{}</a></p>\n').format(
            links.page_url, view, links.verify_url, verify
        )
    )


__all__ = ["MailLinks", "body_text", "html_links", "link_lines", "text_part", "wrap"]
