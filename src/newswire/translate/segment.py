"""Split a Markdown document into sentences to translate, and put it back together.

`segment(markdown, lang)` cuts the document into a list of `Segment` pieces that, joined in
order, give back the document exactly. Pieces are either *translatable* (one sentence of a
paragraph, heading, list item, block quote or table cell, inline markup included) or
*literal* (everything a translator must not touch: block markers such as "## ", "- ",
"> ", "|", fenced code, HTML blocks, blank lines, the spaces between sentences, and
sentences with no words, such as a bare URL or a phone number).

`reassemble(segments, translations)` replaces the translatable pieces, in order, by their
translations. So `reassemble(segs, [s.text for s in translatable(segs)]) == markdown`.

Sentence boundaries are language-aware:

* Latin, Cyrillic, Greek, Vietnamese: ". ! ? ..." followed by a space and an upper-case
  letter, digit or opening quote; known abbreviations ("Dr.", "Inc.", "z.B.", "Sr.") and
  initials ("J. Smith") do not end a sentence, nor does a German ordinal ("am 3. März").
* Japanese and Chinese: "。！？" (and their half-width forms before a space), no space
  needed after them.
* Arabic: ". ؟ !" followed by a space.
* Korean: ". ! ?" followed by a space (Korean has no letter case).
* A dateline that opens a paragraph ("**BERLIN, March 3, 2025** – ") is a sentence of its
  own, and the dash after it is literal.
* A YAML front matter block ("---" ... "---" at the very top) is literal.
* Thai has no sentence punctuation: a space between two Thai characters or a line break
  ends a sentence. (pythainlp's sentence splitter was not used: it needs a 20 MB package
  and a CRF model; the space rule is what Thai writers use to end a sentence.)

Inside a paragraph a line break is a soft wrap, not a boundary (except in Thai); a sentence
that spans lines keeps the line break and any continuation prefix ("> ", indentation) in its
text, and `plain_text` / the pipeline treat them as one space.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "Segment",
    "link_targets",
    "plain_text",
    "reassemble",
    "segment",
    "sentence_spans",
    "sentences",
    "translatable",
]


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of a document: a sentence to translate, or literal text to keep.

    `block` numbers the Markdown block (paragraph, heading, list item, table cell) the piece
    belongs to, counted from 0 over the whole document; literal pieces between blocks carry
    the number of the block before them (-1 at the start). `kind` is "paragraph", "heading",
    "list_item", "table_cell" or "literal".
    """

    text: str
    translatable: bool
    block: int
    kind: str

    @property
    def plain(self) -> str:
        """The text without inline Markdown, whitespace collapsed (what QA looks at)."""
        return plain_text(self.text)


def translatable(segments: Iterable[Segment]) -> list[Segment]:
    """The translatable pieces, in order."""
    return [s for s in segments if s.translatable]


def reassemble(segments: Sequence[Segment], translations: Sequence[str]) -> str:
    """The document with each translatable piece replaced by its translation, in order.

    `translations` has one string per translatable piece; a translation that spans lines
    has its line breaks turned into spaces, so it cannot break the block it sits in.
    """
    parts: list[str] = []
    it = iter(translations)
    count = 0
    for seg in segments:
        if not seg.translatable:
            parts.append(seg.text)
            continue
        try:
            target = next(it)
        except StopIteration:
            raise ValueError(
                f"{count} translations for {len(translatable(segments))} segments"
            ) from None
        count += 1
        if target != seg.text and ("\n" in target or "\r" in target):
            target = " ".join(target.split())
        parts.append(target)
    if next(it, None) is not None:
        raise ValueError(f"more translations than the {count} segments")
    return "".join(parts)


# ---------------------------------------------------------------------------------------
# Block structure
# ---------------------------------------------------------------------------------------

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
class _Block:
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


def _blocks(text: str) -> list[_Block]:
    """Content ranges of the translatable blocks, in document order."""
    blocks: list[_Block] = []
    open_block: _Block | None = None  # a paragraph or list item that later lines may continue
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
                blocks.append(_Block(start, end, "heading"))
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
                    blocks.append(_Block(s, s + len(cell.strip()), "table_cell"))
                cell_start = cell_end + 1 if part is not None else cell_end
            open_block = _Block(0, 0, "table_cell")
            continue
        lm = _LIST.match(body)
        if lm:
            start = offset + body_at + lm.end()
            block = _Block(start, offset + len(line.rstrip()), "list_item")
            blocks.append(block)
            open_block = block
            continue
        end = offset + len(line.rstrip())
        if open_block is not None and open_block.kind in ("paragraph", "list_item"):
            open_block.end = end
            continue
        lead = len(body) - len(body.lstrip())
        block = _Block(offset + body_at + lead, end, "paragraph")
        blocks.append(block)
        open_block = block
    return blocks


# ---------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------

_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "mr",
            "mrs",
            "ms",
            "dr",
            "prof",
            "sr",
            "jr",
            "st",
            "dept",
            "est",
            "fig",
            "gen",
            "gov",
            "jan",
            "feb",
            "mar",
            "apr",
            "jun",
            "jul",
            "aug",
            "sep",
            "sept",
            "oct",
            "nov",
            "dec",
            "mon",
            "tue",
            "wed",
            "thu",
            "fri",
            "sat",
            "sun",
            "no",
            "nos",
            "vol",
            "vs",
            "etc",
            "approx",
            "e.g",
            "i.e",
            "a.m",
            "p.m",
            "u.s",
            "u.k",
            "u.n",
            "e.u",
            "ave",
            "blvd",
            "rd",
            "mt",
            "ft",
            "lt",
            "col",
            "capt",
            "sgt",
            "rep",
            "sen",
            "hon",
            "rev",
            "eds",
            "al",
            "cf",
            "ca",
        ]
    ),
    "de": frozenset(
        [
            "dr",
            "prof",
            "hr",
            "fr",
            "nr",
            "bzw",
            "ca",
            "usw",
            "z.b",
            "u.a",
            "d.h",
            "s.o",
            "s.u",
            "vgl",
            "ggf",
            "evtl",
            "inkl",
            "zzgl",
            "mio",
            "mrd",
            "tsd",
            "jan",
            "feb",
            "mär",
            "apr",
            "jun",
            "jul",
            "aug",
            "sep",
            "sept",
            "okt",
            "nov",
            "dez",
            "str",
            "abs",
            "art",
            "bd",
            "dipl",
            "ing",
            "e.v",
            "u.ä",
            "o.ä",
            "i.d.r",
            "v.a",
            "z.t",
        ]
    ),
    "fr": frozenset(
        [
            "m",
            "mm",
            "mme",
            "mmes",
            "mlle",
            "dr",
            "pr",
            "st",
            "ste",
            "etc",
            "p",
            "ex",
            "av",
            "bd",
            "n°",
            "no",
            "janv",
            "févr",
            "avr",
            "juil",
            "sept",
            "oct",
            "nov",
            "déc",
            "env",
        ]
    ),
    "es": frozenset(
        [
            "sr",
            "sra",
            "srta",
            "dr",
            "dra",
            "d",
            "dña",
            "ud",
            "uds",
            "pág",
            "núm",
            "no",
            "etc",
            "ej",
            "av",
            "avda",
            "ene",
            "feb",
            "mar",
            "abr",
            "jun",
            "jul",
            "ago",
            "sept",
            "oct",
            "nov",
            "dic",
        ]
    ),
    "pt": frozenset(
        [
            "sr",
            "sra",
            "srta",
            "dr",
            "dra",
            "prof",
            "av",
            "nº",
            "n",
            "no",
            "etc",
            "ex",
            "pág",
            "jan",
            "fev",
            "mar",
            "abr",
            "jun",
            "jul",
            "ago",
            "set",
            "out",
            "nov",
            "dez",
        ]
    ),
    "ru": frozenset(
        ["г", "гг", "т.е", "т.д", "т.п", "им", "ул", "д", "стр", "млн", "млрд", "тыс", "руб"]
    ),
}
_GENERIC_ABBREVIATIONS = frozenset(
    ["e.g", "i.e", "etc", "vs", "no", "nr", "dr", "prof", "mr", "mrs", "ms", "st"]
)

_TERMINATORS = ".!?…"
_CJK_TERMINATORS = "。！？｡"
_CLOSERS = "\"'”’»)]}」』】〉》）*_"
_OPENERS = "\"'“‘«([{「『【〈《（¿¡*_`<!„‚"
_SENTENCE_END = re.compile(rf"[{re.escape(_TERMINATORS)}؟]+[{re.escape(_CLOSERS)}]*(?=\s)")
_CJK_END = re.compile(rf"[{re.escape(_CJK_TERMINATORS)}]+[{re.escape(_CLOSERS)}]*")
_CONTINUATION = re.compile(r"\n[ \t>]*")


def _base(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


def _is_thai(ch: str) -> bool:
    return "\u0e00" <= ch <= "\u0e7f"


def _is_cased(ch: str) -> bool:
    return ch.lower() != ch.upper()


def _word_before(text: str, end: int) -> str:
    """The token (letters, digits, dots, apostrophes) that ends at `end`."""
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in ".'’°"):
        start -= 1
    return text[start:end]


def _is_abbreviation(text: str, dot: int, lang: str) -> bool:
    """True when the '.' at index `dot` ends an abbreviation, an initial or an ordinal."""
    word = _word_before(text, dot).strip(".")
    if not word:
        return False
    low = word.lower()
    table = _ABBREVIATIONS.get(lang, _GENERIC_ABBREVIATIONS)
    if low in table or low in _GENERIC_ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # an initial: "J. Smith", "U. S."
    if "." in word and any(c.isalpha() for c in word) and all(len(p) <= 2 for p in word.split(".")):
        return True  # dotted abbreviation: "U.S", "z.B", "a.m"
    return lang == "de" and word.isdigit() and len(word) <= 2  # "am 3. März"


def sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a block of text, whitespace trimmed."""
    base = _base(lang)
    view = _CONTINUATION.sub(lambda m: " " * len(m.group()), text)
    cuts: list[int] = []
    for m in _SENTENCE_END.finditer(view):
        end = m.end()
        nxt = end
        while nxt < len(view) and view[nxt].isspace():
            nxt += 1
        if nxt >= len(view):
            continue
        ch = view[nxt]
        punct = m.group().rstrip(_CLOSERS)
        plain_dot = punct.endswith(".") and not punct.endswith("..") and m.group() == punct
        if plain_dot and _is_abbreviation(view, m.start() + len(punct) - 1, base):
            continue
        if _is_cased(ch):
            if not ch.isupper() and not ch.istitle():
                continue  # a lower-case word goes on the sentence
        elif ch.isdigit():
            pass
        elif ch not in _OPENERS and not ch.isalnum() and unicodedata.category(ch)[0] == "P":
            continue
        cuts.append(end)
    for m in _CJK_END.finditer(view):
        if m.end() < len(view):
            cuts.append(m.end())
    if base == "th":
        for m in re.finditer(r"[ \t]+|\n[ \t>]*", view):
            before = view[m.start() - 1] if m.start() > 0 else ""
            after = view[m.end()] if m.end() < len(view) else ""
            if "\n" in text[m.start() : m.end()] or (_is_thai(before) and _is_thai(after)):
                cuts.append(m.start())
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*sorted(set(cuts)), len(view)]:
        piece = view[start:cut]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            spans.append((start + lead, cut - trail))
        start = cut
    return spans


def sentences(text: str, lang: str) -> list[str]:
    """The sentences of a block of plain text."""
    return [text[a:b] for a, b in sentence_spans(text, lang)]


# ---------------------------------------------------------------------------------------
# Segmentation
# ---------------------------------------------------------------------------------------

_URL_OR_EMAIL = re.compile(
    r"(?:https?://|www\.)[^\s<>()\[\]]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|`[^`]*`", re.IGNORECASE
)


def _has_words(text: str) -> bool:
    rest = _URL_OR_EMAIL.sub(" ", plain_text(text))
    return any(unicodedata.category(ch)[0] == "L" for ch in rest)


# "BERLIN, March 3, 2025 – ", "**HAMBURG, 3. März 2025** – ": a dateline opening a paragraph
# is a segment of its own (engines tend to drop or garble it when it leads a sentence).
_DATELINE = re.compile(
    r"((?:\*\*|__)?[A-ZÀ-Ý][^\n–—*_]{1,40},[^\n–—*_]{0,40}\d[^\n–—*_]{0,20}?(?:\*\*|__)?)"
    r"[ \t]+(?:[–—]|--?)[ \t]+(?=\S)"
)


def segment(text_markdown: str, lang: str) -> list[Segment]:
    """Cut a Markdown document into sentences to translate and literal text to keep."""
    text = text_markdown
    out: list[Segment] = []
    pos = 0
    last_block = -1

    def literal(upto: int) -> None:
        nonlocal pos
        if upto > pos:
            if out and not out[-1].translatable:
                prev = out[-1]
                out[-1] = Segment(prev.text + text[pos:upto], False, prev.block, "literal")
            else:
                out.append(Segment(text[pos:upto], False, last_block, "literal"))
            pos = upto

    for number, block in enumerate(_blocks(text)):
        content = text[block.start : block.end]
        spans = sentence_spans(content, lang)
        if spans and block.kind == "paragraph":
            m = _DATELINE.match(content, spans[0][0], spans[0][1])
            if m and m.end() < spans[0][1]:
                spans[0:1] = [(spans[0][0], spans[0][0] + len(m.group(1))), (m.end(), spans[0][1])]
        for a, b in spans:
            piece = content[a:b]
            if not _has_words(piece):
                continue
            literal(block.start + a)
            out.append(Segment(piece, True, number, block.kind))
            pos = block.start + b
        last_block = number
    literal(len(text))
    return out


# ---------------------------------------------------------------------------------------
# Inline Markdown to plain text
# ---------------------------------------------------------------------------------------

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


def plain_text(fragment: str) -> str:
    """Inline Markdown turned into the text a reader sees, whitespace collapsed."""
    text = _CONTINUATION.sub(" ", fragment)
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
