"""Plain text from a Markdown body, for analysis (language, spam, duplicates), not display."""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

_TAG = re.compile(r"<[^>]*>")


@cache
def _markdown() -> MarkdownIt:
    # The same dialect the renderer uses: CommonMark with tables and strikethrough.
    return MarkdownIt("js-default").enable(["table", "strikethrough"])


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    for token in children:
        if token.type in ("text", "code_inline", "image"):
            # An image's content is its alt text.
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def plain_text(markdown: str) -> str:
    """The words a reader sees: markup, link targets and HTML tags dropped; one line per block.

    Link text and image alt text are kept, as is the content of code spans and code blocks.
    """
    lines: list[str] = []
    for token in _markdown().parse(markdown):
        if token.type == "inline":
            text = _inline_text(token.children or [])
        elif token.type in ("fence", "code_block"):
            text = token.content
        elif token.type == "html_block":
            text = _TAG.sub(" ", token.content)
        else:
            continue
        text = text.strip()
        if text:
            lines.append(text)
    return "\n".join(lines)
