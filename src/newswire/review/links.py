"""Links in a release's body and boilerplate, and what is wrong with them. Nothing is fetched."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from newswire.domain.release import ReleaseContent
from newswire.review.result import Severity

FIELD_LABELS = {"body_markdown": "Body", "boilerplate": "Boilerplate"}

UNSAFE_SCHEMES = frozenset({"javascript", "data", "vbscript", "file"})
# Well-known URL shorteners: they hide where a link goes and are a favourite of spammers.
SHORTENERS = frozenset(
    {
        "bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly",
        "rebrand.ly", "cutt.ly", "shorturl.at", "rb.gy", "tiny.cc", "t.ly", "s.id", "lnkd.in",
        "dlvr.it", "bl.ink", "trib.al", "fb.me", "amzn.to", "v.gd", "shorte.st", "adf.ly",
        "t.cn", "url.cn", "dwz.cn", "me2.do", "han.gl", "reurl.cc", "shorturl.asia",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Link:
    url: str
    field: str  # "body_markdown" or "boilerplate"
    kind: str  # "link", "autolink", "image", "html" (an <a>/<img> written as text) or "text"


@dataclass(frozen=True)
class LinkProblem:
    field: str
    severity: Severity
    message: str  # "Body: link "…" uses the unsafe javascript: scheme"


class _AnyLink(MarkdownIt):
    """markdown-it that turns every link construct into a token and keeps its URL verbatim,
    so that unsafe links show up here instead of silently staying text."""

    def validateLink(self, url: str) -> bool:
        return True

    def normalizeLink(self, url: str) -> str:
        return url

    def normalizeLinkText(self, link: str) -> str:
        return link


@cache
def _parser() -> MarkdownIt:
    return _AnyLink("js-default").enable(["table", "strikethrough"])


# `[text](` that markdown-it did not accept as a link (unclosed, or a space in the URL),
# and `[text][ref]` with no matching reference definition.
_BROKEN = re.compile(r"\[[^\[\]\n]*\]\([^)\n]*\)?|\[[^\[\]\n]+\]\[[^\[\]\n]*\]")
_RAW_URL = re.compile(
    r"(?<![\w@/.])(?:(?:https?|ftp)://|www\.|(?:"
    + "|".join(re.escape(s) for s in sorted(SHORTENERS))
    + r")/)[^\s<>\"'\[\]]*",
    re.IGNORECASE,
)
_HTML_URL = re.compile(
    r"<(?:a|img|iframe|script)\b[^>]*?\b(?:href|src)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))",
    re.IGNORECASE,
)
_TEXT_SCRIPT = re.compile(r"\b(?:java|vb)\s*script\s*:", re.IGNORECASE)
_TRAILING = ".,;:!?'\"”’»"


def _trim(url: str) -> str:
    """Strip sentence punctuation after a URL written in text, and an unbalanced ')'."""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url


def _short(url: str, limit: int = 60) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


def scan(markdown: str, field: str) -> tuple[list[Link], list[LinkProblem]]:
    """All links in a Markdown text, and the syntax problems found while looking for them."""
    label = FIELD_LABELS.get(field, field)
    links: list[Link] = []
    problems: list[LinkProblem] = []
    for block in _parser().parse(markdown):
        if block.type != "inline":
            continue
        depth = 0
        for token in block.children or []:
            if token.type == "link_open":
                depth += 1
                kind = "autolink" if token.markup == "autolink" else "link"
                links.append(Link(str(token.attrs.get("href", "")), field, kind))
            elif token.type == "link_close":
                depth -= 1
            elif token.type == "image":
                links.append(Link(str(token.attrs.get("src", "")), field, "image"))
            elif token.type == "text":
                _scan_text(token, field, label, depth, links, problems)
    return links, problems


def _scan_text(
    token: Token,
    field: str,
    label: str,
    depth: int,
    links: list[Link],
    problems: list[LinkProblem],
) -> None:
    text = token.content
    for match in _HTML_URL.finditer(text):  # <a href="…"> written in a Markdown body
        url = next(g for g in match.groups() if g is not None)
        links.append(Link(url, field, "html"))
    text = _HTML_URL.sub(" ", text)
    for match in _TEXT_SCRIPT.finditer(text):
        scheme = re.sub(r"\s", "", match.group(0)).lower()
        snippet = _short(text[match.start() : match.end() + 30])
        problems.append(
            LinkProblem(
                field, Severity.ERROR, f'{label}: text "{snippet}" uses the unsafe {scheme} scheme'
            )
        )
    for match in _BROKEN.finditer(text):
        problems.append(
            LinkProblem(
                field,
                Severity.ERROR,
                f'{label}: broken link syntax "{_short(match.group(0))}" (check the brackets '
                "and parentheses, and that the URL has no spaces)",
            )
        )
    text = _BROKEN.sub(" ", text)
    if depth == 0:  # a URL written as a link's text is the link itself
        links.extend(Link(_trim(m.group(0)), field, "text") for m in _RAW_URL.finditer(text))


def collect(content: ReleaseContent) -> tuple[list[Link], list[LinkProblem]]:
    """Links of the body and the boilerplate (each URL once per field), and syntax problems."""
    links: list[Link] = []
    problems: list[LinkProblem] = []
    for field in ("body_markdown", "boilerplate"):
        found, broken = scan(getattr(content, field) or "", field)
        seen: set[str] = set()
        for link in found:
            if link.url not in seen:
                seen.add(link.url)
                links.append(link)
        problems.extend(broken)
    return links, problems


def problems_of(link: Link) -> list[LinkProblem]:
    """What is wrong with one link: unsafe scheme, broken URL, or a reason for the desk to look."""
    label = FIELD_LABELS.get(link.field, link.field)
    url = link.url.strip()
    what = "image" if link.kind == "image" else "link"
    shown = f'{label}: {what} "{_short(url)}"'
    found: list[tuple[Severity, str]] = []
    for severity, problem in _classify(url, link.kind):
        found.append((severity, f"{shown} {problem}"))
    return [LinkProblem(link.field, severity, message) for severity, message in found]


def _classify(url: str, kind: str) -> list[tuple[Severity, str]]:
    if not url:
        return [(Severity.ERROR, "has no address")]
    # Browsers ignore control characters and spaces inside a scheme ("java\tscript:").
    compact = re.sub(r"[\x00-\x20]", "", url).lower()
    match = re.match(r"([a-z][a-z0-9+.\-]*):", compact)
    scheme = match.group(1) if match else None
    if scheme in UNSAFE_SCHEMES:
        return [(Severity.ERROR, f"uses the unsafe {scheme}: scheme")]
    if scheme is not None and len(scheme) == 1:  # C:\Users\...
        return [(Severity.ERROR, "points to a file on someone's computer")]
    if re.search(r"\s", url):
        return [(Severity.ERROR, "contains a space")]
    if scheme == "mailto":
        ok = "@" in url
        return [] if ok else [(Severity.ERROR, "has no e-mail address after mailto:")]
    if scheme == "tel":
        return []
    if scheme is None:
        if url.startswith("//"):
            return _check_host(urlsplit("https:" + url))
        if url.startswith("#"):
            return []
        if kind == "text":  # "www.example.com" written in text
            return _check_host(urlsplit("https://" + url))
        return [
            (
                Severity.WARNING,
                "is a relative address that will not work on partner sites or in e-mail; "
                "write the full https:// address",
            )
        ]
    if scheme not in ("http", "https", "ftp"):
        return [(Severity.WARNING, f"uses the unusual scheme {scheme}:")]
    parts = urlsplit(url)
    found = _check_host(parts)
    if any(severity is Severity.ERROR for severity, _ in found):
        return found
    if scheme == "http":
        found.append(
            (Severity.WARNING, "uses unencrypted http://; use https:// if the site has it")
        )
    elif scheme == "ftp":
        found.append((Severity.WARNING, "uses ftp://, which current browsers do not open"))
    return found


_HOST = re.compile(r"[^\W_](?:[\w\-]*[^\W_])?(?:\.[^\W_](?:[\w\-]*[^\W_])?)*\.?")


def _check_host(parts) -> list[tuple[Severity, str]]:  # parts: urllib.parse.SplitResult
    host = parts.hostname
    if not parts.netloc or not host:
        return [(Severity.ERROR, "has no host name")]
    try:
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return [(Severity.ERROR, "has an invalid port")]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        where = "" if address.is_global else ", a private address readers cannot reach"
        return [(Severity.WARNING, f"uses an IP address ({host}) instead of a domain name{where}")]
    if not _HOST.fullmatch(host):
        return [(Severity.ERROR, f'has an invalid host name "{host}"')]
    if "." not in host.rstrip("."):
        return [(Severity.WARNING, f'points to "{host}", which is not a public domain name')]
    bare = host.rstrip(".").removeprefix("www.")
    shortener = next((s for s in SHORTENERS if bare == s or bare.endswith("." + s)), None)
    if shortener:
        return [
            (
                Severity.WARNING,
                f"uses the URL shortener {shortener}, which hides where it goes; "
                "link to the destination",
            )
        ]
    return []
