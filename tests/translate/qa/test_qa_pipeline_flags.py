"""The pipeline's own flags in every script: `markup` (the engine lost a placeholder) and
`round_trip` (translated back, a fact differs), on the sample release
(tests/translate/pairs/samples.yaml) with engines that answer by a table."""

from __future__ import annotations

import pytest

from newswire.translate.inline import protect
from newswire.translate.pipeline import translate_document
from qa_samples import source_paragraphs, target_paragraphs

SCRIPTS = ["de", "ru", "ar", "th", "ko", "ja", "zh-Hant"]


class Table:
    """Answers each input from a table; records the calls."""

    name = "table"

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.calls: list[list[str]] = []

    def supports(self, src: str, tgt: str) -> bool:
        return True

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        self.calls.append(list(segments))
        return [self.table[s] for s in segments]


def _engine_table(source: str, target: str, src: str, tgt: str) -> dict[str, str]:
    """What an engine gets for `source` and should give back: `target` with the same
    placeholders (the URL, then the address, in every language of the sample)."""
    given = protect(source, glossary=None, src=src, tgt=tgt).engine_inputs()
    wanted = protect(target, glossary=None, src=tgt, tgt=src).engine_inputs()
    assert len(given) == len(wanted) == 1
    return {given[0]: wanted[0]}


@pytest.mark.parametrize("lang", SCRIPTS)
def test_a_placeholder_the_engine_loses_is_a_markup_flag(lang: str) -> None:
    src, source = source_paragraphs(lang)
    paragraph, translation = source[3], target_paragraphs(lang)[3]
    table = _engine_table(paragraph, translation, src, lang)
    clean = translate_document(paragraph, src, lang, engine=Table(table))
    assert clean.text == translation and clean.flags == []
    lossy = {k: v.replace("XNW1X", "") for k, v in table.items()}  # the address is gone
    result = translate_document(paragraph, src, lang, engine=Table(lossy))
    kinds = {f.kind for f in result.flags}
    assert "markup" in kinds and kinds <= {"markup", "emails"}, result.flags
    (markup,) = [f for f in result.flags if f.kind == "markup"]
    assert "press@acme.example" in markup.reason


@pytest.mark.parametrize("lang", SCRIPTS)
def test_a_number_changed_on_the_way_back_is_a_round_trip_flag_in_every_script(
    lang: str,
) -> None:
    src, source = source_paragraphs(lang)
    paragraph, translation = source[1], target_paragraphs(lang)[1]
    forward = Table(_engine_table(paragraph, translation, src, lang))
    back = _engine_table(translation, paragraph, lang, src)
    faithful = translate_document(paragraph, src, lang, engine=forward, reverse_engine=Table(back))
    assert faithful.flags == [] and faithful.stats["round_trip"] == 1
    planted = {k: v.replace("1,200", "1,300").replace("1.200", "1.300") for k, v in back.items()}
    result = translate_document(paragraph, src, lang, engine=forward, reverse_engine=Table(planted))
    assert [f.kind for f in result.flags] == ["round_trip"], result.flags
    assert "1,200" in result.flags[0].reason or "1.200" in result.flags[0].reason
