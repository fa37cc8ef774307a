"""Markdown (or HTML) bodies to sanitized HTML: markdown-it-py renders, nh3 (Ammonia) cleans."""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "em", "figcaption", "figure",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@cache
def _markdown() -> MarkdownIt:
    # "js-default" is CommonMark with tables and strikethrough, and raw HTML switched off:
    # HTML in a Markdown body shows as text; HTML bodies go through `sanitize_html` instead.
    return MarkdownIt("js-default", {"typographer": False}).enable(["table", "strikethrough"])


def sanitize_html(html: str) -> str:
    """Keep structure, links and images; drop scripts, styles, event handlers and unsafe URLs."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
        strip_comments=True,
    )


def markdown_to_html(markdown: str) -> str:
    """Render a release body; a top-level heading becomes h2 (the headline is the page's h1)."""
    html = _markdown().render(markdown)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitize_html(html)
