"""Matching semantics, one rule per test; each case is checked on the index and the oracle."""

from __future__ import annotations

import pytest

from newswire.target import Criteria, ReleaseFacts, TargetingIndex, brute_force, facts_match
from newswire.taxonomy import get_industry


def release(**kw: object) -> ReleaseFacts:
    base: dict[str, object] = {
        "industries": {"technology"},
        "regions": {"US"},
        "languages": {"en"},
        "issuer_id": 1,
        "headline": "Acme launches a new product",
        "body_text": "It is a product.",
        "language": "en",
    }
    base.update(kw)
    return ReleaseFacts(**base)  # type: ignore[arg-type]


def matches(criteria: Criteria, facts: ReleaseFacts) -> bool:
    """The verdict, after checking that index, oracle and facts_match agree on it."""
    index = TargetingIndex()
    index.add(7, criteria)
    by_index = 7 in index.match(facts)
    by_oracle = 7 in brute_force([(7, criteria)], facts)
    assert by_index == by_oracle == facts_match(criteria, facts)
    return by_index


# --- industries -----------------------------------------------------------------------------


def test_empty_criteria_match_everything() -> None:
    assert matches(Criteria(), release())
    assert matches(Criteria(), release(industries=set(), regions=set(), headline="", body_text=""))


def test_a_parent_industry_matches_its_children_and_grandchildren() -> None:
    assert matches(Criteria(industries={"energy"}), release(industries={"wind-power"}))
    assert matches(Criteria(industries={"renewable-energy"}), release(industries={"wind-power"}))
    assert matches(Criteria(industries={"consumer-retail"}), release(industries={"ecommerce"}))


def test_a_child_industry_does_not_match_a_release_tagged_only_with_its_parent() -> None:
    assert not matches(Criteria(industries={"wind-power"}), release(industries={"energy"}))


def test_industries_need_to_intersect() -> None:
    assert not matches(Criteria(industries={"health"}), release(industries={"software"}))
    assert matches(Criteria(industries={"health", "software"}), release(industries={"software"}))
    assert not matches(Criteria(industries={"health"}), release(industries=set()))


def test_industry_codes_are_normalized_and_qcodes_accepted() -> None:
    assert matches(Criteria(industries={"Energy"}), release(industries={"wind-power"}))
    qcode = get_industry("energy").medtop
    assert matches(Criteria(industries={qcode}), release(industries={"wind-power"}))
    assert matches(Criteria(industries={"energy"}), release(industries={qcode}))


# --- regions --------------------------------------------------------------------------------


def test_a_country_subscriber_gets_a_release_tagged_with_a_group_containing_it() -> None:
    assert matches(Criteria(regions={"DE"}), release(regions={"EU"}))
    assert not matches(Criteria(regions={"GB"}), release(regions={"EU"}))


def test_a_group_subscriber_gets_a_release_tagged_with_a_member_country() -> None:
    assert matches(Criteria(regions={"EU"}), release(regions={"DE"}))
    assert matches(Criteria(regions={"asean"}), release(regions={"TH"}))
    assert not matches(Criteria(regions={"EU"}), release(regions={"US"}))


def test_overlapping_groups_match() -> None:
    assert matches(Criteria(regions={"DACH"}), release(regions={"EU"}))  # AT and DE
    assert matches(Criteria(regions={"G7"}), release(regions={"NORDICS"})) is False
    assert matches(Criteria(regions={"GCC"}), release(regions={"MENA"}))


def test_a_release_without_regions_only_reaches_subscriptions_without_a_region_filter() -> None:
    assert matches(Criteria(), release(regions=set()))
    assert not matches(Criteria(regions={"US"}), release(regions=set()))
    assert not matches(Criteria(regions={"EU"}), release(regions=set()))


def test_uk_is_an_alias_for_gb() -> None:
    assert matches(Criteria(regions={"UK"}), release(regions={"GB"}))


# --- languages and issuers ------------------------------------------------------------------


def test_languages_include_editions_and_the_original() -> None:
    facts = release(languages={"en", "de"}, language="en")
    assert matches(Criteria(languages={"de"}), facts)
    assert not matches(Criteria(languages={"ja"}), facts)
    assert matches(Criteria(languages={"th"}), release(languages=set(), language="th"))


def test_language_tags_compare_by_wire_language() -> None:
    assert matches(Criteria(languages={"zh-TW"}), release(languages={"zh-Hant"}))
    assert matches(Criteria(languages={"pt"}), release(languages={"pt-BR"}, language="pt-BR"))
    assert not matches(Criteria(languages={"zh-Hans"}), release(languages={"zh-Hant"}))


def test_issuer_filter() -> None:
    assert matches(Criteria(issuers={1, 2}), release(issuer_id=2))
    assert not matches(Criteria(issuers={1, 2}), release(issuer_id=3))


# --- exclusions -----------------------------------------------------------------------------


def test_excluded_industries_expand_and_beat_inclusions() -> None:
    facts = release(industries={"wind-power"})
    assert not matches(Criteria(industries={"energy"}, exclude_industries={"wind-power"}), facts)
    assert not matches(Criteria(exclude_industries={"energy"}), facts)
    assert matches(Criteria(exclude_industries={"solar-power"}), facts)
    # a release in two industries is excluded when either is excluded
    both = release(industries={"software", "oil-gas"})
    assert not matches(Criteria(industries={"software"}, exclude_industries={"oil-gas"}), both)


def test_excluded_regions_expand_both_ways() -> None:
    assert not matches(Criteria(exclude_regions={"EU"}), release(regions={"FR"}))
    assert not matches(Criteria(exclude_regions={"FR"}), release(regions={"EU"}))
    assert not matches(Criteria(regions={"EU"}, exclude_regions={"DE"}), release(regions={"DE"}))
    assert matches(Criteria(exclude_regions={"EU"}), release(regions={"US"}))
    assert matches(Criteria(exclude_regions={"EU"}), release(regions=set()))


def test_excluded_issuers() -> None:
    assert not matches(Criteria(exclude_issuers={1}), release(issuer_id=1))
    assert not matches(Criteria(issuers={1}, exclude_issuers={1}), release(issuer_id=1))
    assert matches(Criteria(exclude_issuers={2}), release(issuer_id=1))


def test_every_dimension_must_hold() -> None:
    criteria = Criteria(industries={"energy"}, regions={"EU"}, languages={"de"}, issuers={5})
    good = release(industries={"solar-power"}, regions={"AT"}, languages={"de"}, issuer_id=5)
    assert matches(criteria, good)
    for change in (
        {"industries": {"software"}},
        {"regions": {"CH"}},
        {"languages": {"fr"}, "language": "fr"},
        {"issuer_id": 6},
    ):
        facts = release(
            **{
                "industries": good.industries,
                "regions": good.regions,
                "languages": good.languages,
                "issuer_id": 5,
                "language": "de",
                **change,
            }
        )
        assert not matches(criteria, facts), change


# --- queries --------------------------------------------------------------------------------


def text(headline: str, body: str = "") -> ReleaseFacts:
    return release(headline=headline, body_text=body)


@pytest.mark.parametrize(
    ("query", "headline", "body", "expected"),
    [
        ("wind", "Offshore wind farm opens", "", True),
        ("wind", "Windy days ahead", "", False),  # whole words only
        ("WIND", "offshore Wind farm", "", True),  # case-insensitive
        ("wind AND solar", "wind and solar", "", True),
        ("wind AND solar", "wind only", "", False),
        ("wind solar", "solar", "wind", True),  # juxtaposition is AND, across headline and body
        ("wind OR solar", "solar park", "", True),
        ("wind OR solar", "coal plant", "", False),
        ("wind NOT coal", "wind and coal", "", False),
        ("wind NOT coal", "wind only", "", True),
        ("NOT coal", "anything at all", "", True),
        ("NOT coal", "", "coal", False),
        ("wind AND (turbine OR Nordsee)", "Wind in der Nordsee", "", True),
        ("wind AND (turbine OR Nordsee)", "wind farm", "", False),
        ("(wind OR solar) AND NOT (coal OR gas)", "solar", "no gas here", False),
        ("(wind OR solar) AND NOT (coal OR gas)", "solar", "no oil here", True),
        ("wind OR solar AND coal", "wind", "", True),  # AND binds tighter than OR
        ("wind OR solar AND coal", "solar", "", False),
        ('"offshore wind"', "Offshore wind farm", "", True),
        ('"offshore wind"', "wind farm offshore", "", False),  # phrase = consecutive words
        ('"offshore wind"', "offshore, wind!", "", True),  # punctuation between is ignored
        ('"offshore wind"', "offshore", "wind", False),  # not across headline and body
        ('"offshore wind" AND (turbine OR Nordsee) NOT coal', "Offshore wind", "Nordsee", True),
        ('"offshore wind" AND (turbine OR Nordsee) NOT coal', "Offshore wind", "coal", False),
        ("e-mobility", "E-Mobility: new chargers", "", True),
        ("e-mobility", "mobility for everyone", "", False),
        ("and", "salt and pepper", "", True),  # lower-case and/or/not are words
    ],
)
def test_boolean_queries(query: str, headline: str, body: str, expected: bool) -> None:
    assert matches(Criteria(query=query), text(headline, body)) is expected


@pytest.mark.parametrize(
    ("query", "headline", "expected"),
    [
        ("café", "Cafe opening in Paris", True),  # accent-insensitive for Latin scripts
        ("cafe", "CAFÉ OPENING", True),
        ("straße", "Neue Strasse eröffnet", True),  # case folding: ß = ss
        ("Übernahme", "uebernahme", False),  # folding is not transliteration
        ("übernahme", "ÜBERNAHME bekanntgegeben", True),
        ("İstanbul", "istanbul office", True),
        ("ｔｏｋｙｏ", "Tokyo office", True),  # full-width Latin
        ("東京", "東京都で新製品を発表", True),  # CJK: substring
        ("京都", "東京都で新製品を発表", True),  # (any consecutive characters)
        ("大阪", "東京都で新製品を発表", False),
        ("新製品", "東京都で新製品を発表", True),
        ("製品新", "東京都で新製品を発表", False),
        ("海上风电", "公司宣布海上风电项目投产", True),  # Simplified Chinese
        ("風力", "洋上風力発電", True),
        ("삼성", "삼성전자가 신제품을 발표했다", True),  # Korean: substring inside a word
        ("신제품", "삼성전자가 신제품을 발표했다", True),
        ("พลังงาน", "บริษัทประกาศโครงการพลังงานลมใหม่", True),  # Thai, no spaces
        ("พลังงานลม", "บริษัทประกาศโครงการพลังงานลมใหม่", True),
        ("ธนาคาร", "บริษัทประกาศโครงการพลังงานลมใหม่", False),
        ("الطاقة", "شركة تعلن عن مشروع الطاقة الشمسية", True),  # Arabic, whole words
        ("الطاقة الشمسية", "مشروع الطاقة الشمسية الجديد", True),
        ("الشمس", "مشروع الطاقة الشمسية", False),
        ("الطّاقة", "مشروع الطاقة", True),  # Arabic vowel marks are ignored
        ("ветер", "Новый ветер перемен", True),  # Cyrillic
        ("iPhone", "iPhone用の充電器を発売", True),  # mixed script
        ("用の充電器", "iPhone用の充電器を発売", True),
        ('"iphone用"', "iPhone用の充電器を発売", True),
        ("Nguyễn", "Ông Nguyen phát biểu", True),  # Vietnamese folds like other Latin text
    ],
)
def test_terms_in_many_scripts(query: str, headline: str, expected: bool) -> None:
    assert matches(Criteria(query=query), text(headline)) is expected


def test_query_combines_with_dimensions() -> None:
    criteria = Criteria(industries={"energy"}, query="wind")
    assert matches(criteria, release(industries={"wind-power"}, headline="wind"))
    assert not matches(criteria, release(industries={"software"}, headline="wind"))
    assert not matches(criteria, release(industries={"wind-power"}, headline="solar"))
