"""The block structure of a Markdown document: where its paragraphs, headings, list items
and table cells are (the translate stage's segmentation, `newswire.translate.segment`).

Everything outside them is literal for translators: block markers such as "## ", "- ",
"> ", "|", fenced code, HTML blocks, thematic breaks, blank lines, a YAML front matter block
("---" ... "---" at the very top). Inside a paragraph a line break is a soft wrap; the next
line's continuation prefix ("> ", indentation) is `CONTINUATION`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CONTINUATION", "Block", "blocks"]

CONTINUATION = re.compile(r"\n[ \t>]*")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}=+[ \t]*$")
_HEADING = re.compile(r"^( {0,3}#{1,6}[ \t]+)(.*?)([ \t]+#+)?[ \t]*$")
_QUOTE = re.compile(r"^(?: {0,3}>[ \t]?)+")
_LIST = re.compile(r"^([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?)(?=\S)")
_HTML_BLOCK = re.compile(
    r"^ {0,3}(?:<!--|<\?|<![A-Z]|</?(?:address|article|aside|blockquote|details|div|dl|"
    r"fieldset|figcaption|figure|footer|form|h[1-6]|header|hr|iframe|li|main|nav|ol|p|pre|"
    r"script|section|style|table|tbody|td|tfoot|th|thead|tr|ul|video|audio)(?:[\s/>]|$))",
    re.IGNORECASE,
)
_TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


@dataclass(slots=True)
class Block:
    """The content range of one translatable block, and its kind."""

    start: int
    end: int
    kind: str


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line without its line ending) for each line."""
    out: list[tuple[int, str]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        out.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    return out


def blocks(text: str) -> list[Block]:
    """Content ranges of the translatable blocks, in document order."""
    blocks: list[Block] = []
    open_block: Block | None = None  # a paragraph or list item that later lines may continue
    fence: str | None = None
    in_html = False
    lines = _lines(text)
    if lines and lines[0][1].rstrip() == "---":  # YAML front matter: not for translators
        closing = next(
            (n for n, (_, line) in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")),
            None,
        )
        if closing is not None:
            lines = lines[closing + 1 :]
    for offset, line in lines:
        if fence is not None:
            m = _FENCE.match(line)
            closes = m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
            if closes and m and not line[m.end() :].strip():
                fence = None
            continue
        if not line.strip():
            open_block = None
            in_html = False
            continue
        if in_html:
            continue
        body_at = 0
        qm = _QUOTE.match(line)
        if qm:
            body_at = qm.end()
        body = line[body_at:]
        m = _FENCE.match(body)
        if m:
            fence = m.group(1)
            open_block = None
            continue
        if _HR.match(body) or _SETEXT.match(body):
            open_block = None
            continue
        if _HTML_BLOCK.match(body) and open_block is None:
            in_html = True
            continue
        if not body.strip():
            open_block = None
            continue
        hm = _HEADING.match(body)
        if hm:
            start = offset + body_at + hm.start(2)
            end = offset + body_at + hm.end(2)
            if hm.group(2).strip():
                blocks.append(Block(start, end, "heading"))
            open_block = None
            continue
        if body.lstrip().startswith("|") or (
            open_block is not None and open_block.kind == "table_cell" and "|" in body
        ):
            open_block = None
            if _TABLE_SEP.match(body):
                continue
            cell_start = 0
            for part in [*_CELL_SPLIT.finditer(body), None]:
                cell_end = part.start() if part is not None else len(body)
                cell = body[cell_start:cell_end]
                if cell.strip():
                    lead = len(cell) - len(cell.lstrip())
                    s = offset + body_at + cell_start + lead
                    blocks.append(Block(s, s + len(cell.strip()), "table_cell"))
                cell_start = cell_end + 1 if part is not None else cell_end
            open_block = Block(0, 0, "table_cell")
            continue
        lm = _LIST.match(body)
        if lm:
            start = offset + body_at + lm.end()
            block = Block(start, offset + len(line.rstrip()), "list_item")
            blocks.append(block)
            open_block = block
            continue
        end = offset + len(line.rstrip())
        if open_block is not None and open_block.kind in ("paragraph", "list_item"):
            open_block.end = end
            continue
        lead = len(body) - len(body.lstrip())
        block = Block(offset + body_at + lead, end, "paragraph")
        blocks.append(block)
        open_block = block
    return blocks
