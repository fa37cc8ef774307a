"""Every rule of the QA gate in every one of the wire's 15 target languages: either it runs
(the clean sentence of the sample release passes it, and the defect planted in that language
makes it flag) or it declares, with a reason, that it does not apply there; and the docs say
the same as the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswire.intake.language import WIRE_LANGUAGES
from newswire.translate.glossary import Glossary
from newswire.translate.names.recognize import known_names
from newswire.translate.qa import RULES
from newswire.translate.qa.rule import Rule, SentencePair, applicability, not_applicable
from newswire.translate.qa.text import script_of
from qa_samples import GLOSSARY, plants, source_paragraphs, target_paragraphs

ROOT = Path(__file__).parents[3]


def _sep(lang: str) -> str:
    return "" if script_of(lang) in ("Japanese", "Han") else " "


def _pairs(rule: Rule, lang: str) -> tuple[SentencePair, SentencePair]:
    """(clean, planted) sentence pairs of the sample release for `rule` in `lang`."""
    src, source = source_paragraphs(lang)
    target = target_paragraphs(lang)
    known = known_names(source)
    glossary = Glossary.from_mapping(GLOSSARY) if rule.kind == "glossary" else None

    def pair(s: str, t: str, *, count: bool = False) -> SentencePair:
        return SentencePair(s, t, src, lang, glossary, known, count)

    if rule.name == "no_translation":
        return pair(source[0], target[0]), pair(source[0], "")
    if rule.name == "sentence_count":
        both = source[0] + " " + source[1]
        clean = pair(both, target[0] + _sep(lang) + target[1], count=True)
        return clean, pair(both, target[0], count=True)
    if rule.name == "untranslated":
        return pair(source[4], target[4]), pair(source[4], source[4])
    plant = plants(lang)[rule.kind]
    if "source" in plant:
        return pair(source[0], target[0]), pair(plant["source"], plant["target"])
    at = plant["at"] - 1
    planted = plant.get("text", target[at])
    for old, new in plant.get("replace", []):
        planted = planted.replace(old, new)
    return pair(source[at], target[at]), pair(source[at], planted)


@pytest.mark.parametrize("lang", WIRE_LANGUAGES)
@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_every_rule_runs_or_is_declared_not_applicable(rule: Rule, lang: str) -> None:
    reason = not_applicable(rule, lang)
    if reason is not None:
        assert len(reason) > 40  # a reason, not a label
        assert not rule.applies(SentencePair("A sentence.", "Eine Aussage.", "en", lang))
        return
    clean, planted = _pairs(rule, lang)
    assert rule.applies(planted)
    assert rule.check(clean) is None, (clean.source, clean.target)
    assert rule.check(planted), (planted.source, planted.target)


def declarations() -> list[tuple[str, str, str, str]]:
    """(rule, "not applicable" | "partly", script or language, why), for every declaration."""
    out = []
    for rule in RULES:
        for what, table in (("not applicable", rule.not_for), ("partly", rule.partly_for)):
            out += [(rule.name, what, where, why) for where, why in table.items()]
    return out


@pytest.mark.parametrize(("rule", "what", "where", "why"), declarations())
def test_the_docs_say_where_a_rule_does_not_apply_and_why(
    rule: str, what: str, where: str, why: str
) -> None:
    docs = (ROOT / "docs" / "translate.md").read_text(encoding="utf-8")
    assert f"| `{rule}` | {what} | {where} | {why} |" in docs
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{rule}` |"))
    assert where in row


def test_the_declarations_name_real_scripts_and_languages() -> None:
    known = {script_of(lang) for lang in WIRE_LANGUAGES} | {
        lang.split("-")[0] for lang in WIRE_LANGUAGES
    }
    assert {where for _, _, where, _ in declarations()} <= known
    # the rule that needs a subject pattern applies where one is written
    subject = next(r for r in RULES if r.name == "missing_subject")
    runs = {lang for lang in WIRE_LANGUAGES if applicability(subject, lang)[0] == "runs"}
    assert runs == {"de", "fr", "es", "pt"}
