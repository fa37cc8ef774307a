"""The translate stage: one edition per target language, through a pluggable engine.

Read in this order: `segment` (Markdown -> sentences and back; `blocks`, `sentences`,
`plain`), `glossary` and `memory`, `engines` (the engines and the registry that picks one per
language pair), `inline` (placeholders for what engines must not touch), `pipeline`
(`translate_document`, `translate_edition`), `qa` (the gate that sends doubtful editions to
the desk: a list of rules; `facts` and `names` are what its rules read), `stored` (the
translation memory in the database, the approved languages of a release). The editions'
lifecycle (requested, translated, post-edited, approved, and what an approval sets off) is
`newswire.actions.editions`; the command line, `newswire.cli.translate`.

Design: docs/translate.md."""

from newswire.translate.base import TranslationEngine, TranslationError
from newswire.translate.engines import EngineRegistry, FastTranslateEngine
from newswire.translate.glossary import Glossary, GlossaryEntry
from newswire.translate.memory import InMemoryTranslationMemory, TranslationMemory
from newswire.translate.pipeline import (
    EditionDraft,
    TranslationResult,
    translate_document,
    translate_edition,
)
from newswire.translate.qa import QAFlag, check_pair
from newswire.translate.segment import Segment, reassemble, segment

__all__ = [
    "EditionDraft",
    "EngineRegistry",
    "FastTranslateEngine",
    "Glossary",
    "GlossaryEntry",
    "InMemoryTranslationMemory",
    "QAFlag",
    "Segment",
    "TranslationEngine",
    "TranslationError",
    "TranslationMemory",
    "TranslationResult",
    "check_pair",
    "reassemble",
    "segment",
    "translate_document",
    "translate_edition",
]
