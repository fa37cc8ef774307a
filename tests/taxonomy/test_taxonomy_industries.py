"""Industries: a curated list, each mapped to an active IPTC Media Topic, labelled in every
wire language, forming a tree that subscriptions can match against."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from newswire.taxonomy import (
    LANGUAGES,
    Industry,
    get_industry,
    industries,
    industry_descendants,
    is_industry,
)

CPTALL = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "standards"
    / "mediatopics"
    / "cptall-x-all.json"
)
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@functools.cache
def _media_topics() -> dict[str, dict[str, Any]]:
    doc = json.loads(CPTALL.read_text(encoding="utf-8"))
    return {concept["qcode"]: concept for concept in doc["conceptSet"]}


@pytest.fixture
def media_topics() -> dict[str, dict[str, Any]]:
    if not CPTALL.is_file():
        pytest.skip(
            f"IPTC Media Topics file not found at {CPTALL} (the shared/ folder beside the repo)"
        )
    return _media_topics()


def test_the_list_is_a_curated_newswire_list_of_40_to_60() -> None:
    assert 40 <= len(industries()) <= 60


def test_codes_are_unique_lowercase_slugs() -> None:
    codes = [i.code for i in industries()]
    assert len(codes) == len(set(codes))
    assert all(SLUG.fullmatch(code) for code in codes)


def test_every_industry_has_a_non_empty_label_in_all_15_languages() -> None:
    for industry in industries():
        assert set(industry.labels) == set(LANGUAGES), industry.code
        for lang in LANGUAGES:
            label = industry.label(lang)
            assert label and label == label.strip(), (industry.code, lang)


def test_labels_differ_from_english_where_the_script_does() -> None:
    non_latin = ("ko", "ja", "ar", "zh-Hans", "zh-Hant", "th", "ru")
    for industry in industries():
        for lang in non_latin:
            assert industry.labels[lang] != industry.labels["en"], (industry.code, lang)


def test_labels_within_a_language_are_unique() -> None:
    for lang in LANGUAGES:
        labels = [i.labels[lang] for i in industries()]
        assert len(labels) == len(set(labels)), lang


def test_every_medtop_exists_in_iptc_media_topics_and_is_not_retired(
    media_topics: dict[str, dict[str, Any]],
) -> None:
    for industry in industries():
        concept = media_topics.get(industry.medtop)
        assert concept is not None, f"{industry.code}: {industry.medtop} is not a Media Topic"
        assert "retired" not in concept, f"{industry.code}: {industry.medtop} is retired"
        assert industry.uri == concept["uri"]


def test_medtop_codes_are_unique_so_a_qcode_names_one_industry() -> None:
    medtops = [i.medtop for i in industries()]
    assert len(medtops) == len(set(medtops))


def test_parents_exist_and_come_before_their_children() -> None:
    seen: set[str] = set()
    for industry in industries():
        if industry.parent is not None:
            assert industry.parent in seen, industry.code
        seen.add(industry.code)


def test_there_are_no_cycles_and_the_tree_is_two_or_three_levels_deep() -> None:
    by_code = {i.code: i for i in industries()}
    depths = []
    for industry in industries():
        chain = [industry.code]
        while by_code[chain[-1]].parent is not None:
            chain.append(by_code[chain[-1]].parent)  # type: ignore[arg-type]
            assert len(chain) == len(set(chain)), f"cycle through {chain}"
        depths.append(len(chain))
    assert max(depths) == 3
    assert 2 in depths


def test_top_levels_are_a_handful_of_parents() -> None:
    tops = [i for i in industries() if i.parent is None]
    with_children = [t for t in tops if len(industry_descendants(t.code)) > 1]
    assert 5 <= len(with_children) <= len(tops) <= 15


def test_get_industry_by_slug() -> None:
    industry = get_industry("renewable-energy")
    assert isinstance(industry, Industry)
    assert industry.code == "renewable-energy"
    assert industry.parent == "energy"
    assert industry.label("en") == "Renewable energy"


def test_get_industry_by_qcode_and_uri() -> None:
    banking = get_industry("banking")
    assert get_industry(banking.medtop) is banking
    assert get_industry(banking.medtop.upper()) is banking
    assert get_industry(banking.uri) is banking
    assert banking.uri == "http://cv.iptc.org/newscodes/mediatopic/" + banking.medtop.split(":")[1]


@pytest.mark.parametrize("code", ["no-such-industry", "medtop:99999999", "", "Banking!"])
def test_get_industry_raises_key_error_naming_the_code(code: str) -> None:
    with pytest.raises(KeyError, match=re.escape(repr(code))):
        get_industry(code)


def test_is_industry() -> None:
    assert is_industry("software")
    assert is_industry(get_industry("software").medtop)
    assert not is_industry("softwares")
    assert not is_industry("medtop:20000251")  # a Media Topic, but not one of ours


def test_industries_are_immutable() -> None:
    industry = get_industry("health")
    with pytest.raises(dataclasses.FrozenInstanceError):
        industry.code = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        industry.labels["en"] = "x"  # type: ignore[index]
    assert hash(industry) == hash(get_industry("health"))


def test_label_falls_back_to_the_base_language_then_english() -> None:
    energy = get_industry("energy")
    assert energy.label("pt-BR") == energy.labels["pt"]
    assert energy.label("PT") == energy.labels["pt"]
    assert energy.label("zh-CN") == energy.labels["zh-Hans"]
    assert energy.label("zh-TW") == energy.labels["zh-Hant"]
    assert energy.label("zh-HK") == energy.labels["zh-Hant"]
    assert energy.label("de-AT") == energy.labels["de"]
    assert energy.label("nl") == energy.labels["en"]
    assert energy.label("not a tag") == energy.labels["en"]


def test_descendants_of_a_leaf_is_itself() -> None:
    assert industry_descendants("software") == frozenset({"software"})


def test_descendants_include_children_and_grandchildren() -> None:
    energy = industry_descendants("energy")
    assert {"energy", "oil-gas", "renewable-energy", "solar-power", "wind-power"} <= energy
    assert "software" not in energy
    assert industry_descendants(get_industry("energy").medtop) == energy


def test_descendants_agree_with_the_parent_links() -> None:
    for industry in industries():
        below = industry_descendants(industry.code)
        assert industry.code in below
        if industry.parent is not None:
            assert below < industry_descendants(industry.parent)


def test_descendants_of_an_unknown_code_raise_key_error() -> None:
    with pytest.raises(KeyError):
        industry_descendants("nope")


def test_the_industry_tree_holds_every_industry_once_under_its_parent() -> None:
    from newswire import taxonomy

    seen: list[str] = []

    def walk(nodes: list[dict], parent: str | None) -> None:
        for node in nodes:
            assert taxonomy.get_industry(node["code"]).parent == parent
            seen.append(node["code"])
            walk(node["children"], node["code"])

    tree = taxonomy.industry_tree("de")
    walk(tree, None)
    assert sorted(seen) == sorted(i.code for i in taxonomy.industries())
    energy = next(n for n in tree if n["code"] == "energy")
    assert energy["label"] == taxonomy.get_industry("energy").label("de")
