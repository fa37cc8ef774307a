"""The release of tests/translate/pairs/samples.yaml in every target language, as QA pairs:
the clean translation of each paragraph, and each planted defect (the shape of a line of
pairs.jsonl: id, from, to, source, target, expect, allow, glossary)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

SAMPLES = Path(__file__).parent / "translate" / "pairs" / "samples.yaml"
GLOSSARY = {"Acme Energy": None}
# Planted the same way in every language (paragraph numbers count from 1).
URL_PLANT = {"at": 4, "replace": [["https://acme.example/press", "https://acme.example/news"]]}
EMAIL_PLANT = {"at": 4, "replace": [["press@acme.example", "info@acme.example"]]}


@cache
def _data() -> dict[str, Any]:
    return yaml.safe_load(SAMPLES.read_text(encoding="utf-8"))


def languages() -> list[str]:
    return list(_data()["languages"])


def source_paragraphs(lang: str) -> tuple[str, list[str]]:
    """The source language and paragraphs the `lang` translation was made from."""
    data = _data()
    src = data["languages"][lang].get("from", "en")
    if src in data["source"]:
        return src, list(data["source"][src])
    return src, list(data["languages"][src]["paragraphs"])


def target_paragraphs(lang: str) -> list[str]:
    return list(_data()["languages"][lang]["paragraphs"])


def _planted(paragraphs: list[str], plant: dict[str, Any], source: list[str]) -> list[str]:
    out = list(paragraphs)
    at = plant["at"] - 1
    if "text" in plant:
        out[at] = plant["text"]
    for old, new in plant.get("replace", []):
        if old not in out[at]:
            raise ValueError(f"{old!r} is not in paragraph {plant['at']}: {out[at]!r}")
        out[at] = out[at].replace(old, new)
    return out


def plants(lang: str) -> dict[str, dict[str, Any]]:
    """Every plant for `lang`, by kind (the written ones and those made the same way)."""
    written = dict(_data()["languages"][lang].get("plants", {}))
    written.setdefault("urls", URL_PLANT)
    written.setdefault("emails", EMAIL_PLANT)
    return written


def sample_pairs() -> list[dict[str, Any]]:
    """Clean pairs (each paragraph, and the whole release) and planted defects, per language."""
    pairs: list[dict[str, Any]] = []
    for lang in languages():
        src, source = source_paragraphs(lang)
        target = target_paragraphs(lang)
        base = {"from": src, "to": lang}
        for n, (s, t) in enumerate(zip(source, target, strict=True), start=1):
            pairs.append(
                {**base, "id": f"{lang}-sample-clean-{n}", "source": s, "target": t, "expect": []}
            )
        pairs.append(
            {
                **base,
                "id": f"{lang}-sample-clean-release",
                "source": "\n\n".join(source),
                "target": "\n\n".join(target),
                "expect": [],
            }
        )
        for kind, plant in plants(lang).items():
            pair = {
                **base,
                "id": f"{lang}-sample-{kind}",
                "expect": [kind],
                "allow": plant.get("allow", []),
            }
            if "source" in plant:
                pair.update(source=plant["source"], target=plant["target"])
            else:
                pair.update(
                    source="\n\n".join(source),
                    target="\n\n".join(_planted(target, plant, source)),
                )
            if kind == "glossary":
                pair["glossary"] = GLOSSARY
            pairs.append(pair)
        untranslated = [*target[:4], source[4]]
        pairs.append(
            {
                **base,
                "id": f"{lang}-sample-untranslated",
                "source": "\n\n".join(source),
                "target": "\n\n".join(untranslated),
                "expect": ["untranslated"],
            }
        )
        pairs.append(
            {
                **base,
                "id": f"{lang}-sample-sentence-dropped",
                "source": "\n\n".join(source),
                "target": "\n\n".join(target[:3] + target[4:]),
                "expect": ["sentence_count"],
            }
        )
    return pairs + cross_pairs()


def cross_pairs() -> list[dict[str, Any]]:
    """The clean release from each language into each other one: every translation here is
    faithful to the same original, so any two of them are a clean pair (as a pivot through
    English gives: the gate checks the final target against the first source)."""
    texts = {lang: target_paragraphs(lang) for lang in languages()}
    texts["en"] = list(_data()["source"]["en"])
    return [
        {
            "id": f"{a}-{b}-sample-clean-release",
            "from": a,
            "to": b,
            "source": "\n\n".join(texts[a]),
            "target": "\n\n".join(texts[b]),
            "expect": [],
        }
        for a in texts
        for b in texts
        if a != b
    ]
