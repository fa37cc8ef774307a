"""How a target language will be translated, in words every stage can show.

The translate stage decides (`EngineRegistry.route`); the review checks, the portal's compose
form, the desk and the demo only show it, so the fact travels as this plain value.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

__all__ = ["TranslationWay", "WayKind"]

# machine: one engine; pivot: a chain through English; draft: a draft-quality engine whose
# editions the desk post-edits; translator: no engine, a person translates.
WayKind = Literal["machine", "pivot", "draft", "translator"]


class TranslationWay(NamedTuple):
    language: str
    kind: WayKind
    engine: str = ""  # the engine, or the chain ("fxtranslate de→en, fxtranslate en→fr")
    reason: str = ""  # for "translator": why no engine, and how to get one
