"""Regions: ISO 3166-1 alpha-2 countries and named groups, normalised, expanded and named."""

from __future__ import annotations

import pycountry
import pytest

from newswire.taxonomy import (
    LANGUAGES,
    REGION_GROUPS,
    expand_region,
    is_region,
    normalize_region,
    region_name,
)


def test_the_required_groups_exist() -> None:
    assert {"EU", "ASEAN", "MENA", "DACH", "LATAM", "GCC", "NORDICS"} <= set(REGION_GROUPS)


def test_eu_has_27_members() -> None:
    assert len(REGION_GROUPS["EU"]) == 27
    assert "GB" not in REGION_GROUPS["EU"]
    assert {"DE", "FR", "HR", "IE"} <= REGION_GROUPS["EU"]


def test_asean_has_the_ten_founding_era_members_and_timor_leste() -> None:
    assert REGION_GROUPS["ASEAN"] == frozenset(
        {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL"}
    )


def test_small_groups() -> None:
    assert REGION_GROUPS["DACH"] == frozenset({"DE", "AT", "CH"})
    assert REGION_GROUPS["GCC"] == frozenset({"AE", "BH", "KW", "OM", "QA", "SA"})
    assert REGION_GROUPS["NORDICS"] == frozenset({"DK", "FI", "IS", "NO", "SE"})
    assert REGION_GROUPS["GCC"] < REGION_GROUPS["MENA"]
    assert {"BR", "MX", "AR"} <= REGION_GROUPS["LATAM"]


def test_every_member_is_an_iso_country_and_no_group_name_is_one() -> None:
    countries = {c.alpha_2 for c in pycountry.countries}
    for name, members in REGION_GROUPS.items():
        assert name == name.upper()
        assert name not in countries
        assert members and members <= countries, name


def test_region_groups_is_read_only() -> None:
    with pytest.raises(TypeError):
        REGION_GROUPS["XX"] = frozenset()  # type: ignore[index]


@pytest.mark.parametrize("code", ["DE", "de", " De ", "EU", "eu", "Asean", "uk", "TL"])
def test_is_region_accepts_countries_and_groups_in_any_case(code: str) -> None:
    assert is_region(code)


@pytest.mark.parametrize("code", ["XX", "", "DEU", "Europe", "E U", "276"])
def test_is_region_rejects_everything_else(code: str) -> None:
    assert not is_region(code)


def test_normalize_region_upper_cases() -> None:
    assert normalize_region("de") == "DE"
    assert normalize_region(" nordics ") == "NORDICS"
    assert normalize_region("UK") == "GB"


@pytest.mark.parametrize("code", ["XX", "atlantis", ""])
def test_unknown_region_raises_value_error_naming_it(code: str) -> None:
    with pytest.raises(ValueError, match=f"unknown region {code!r}"):
        normalize_region(code)
    with pytest.raises(ValueError, match=f"unknown region {code!r}"):
        expand_region(code)
    with pytest.raises(ValueError, match=f"unknown region {code!r}"):
        region_name(code, "en")


def test_expand_of_a_country_is_itself() -> None:
    assert expand_region("de") == frozenset({"DE"})


def test_expand_of_a_group_is_its_members() -> None:
    assert expand_region("dach") == frozenset({"DE", "AT", "CH"})
    assert expand_region("EU") == REGION_GROUPS["EU"]


def test_country_names_are_localised() -> None:
    assert region_name("DE", "de") == "Deutschland"
    assert region_name("DE", "en") == "Germany"
    assert region_name("de", "fr") == "Allemagne"
    assert region_name("JP", "ja") == "日本"
    assert region_name("KR", "ko") == "대한민국"
    assert region_name("BR", "pt-BR") == "Brasil"


def test_unknown_languages_fall_back_to_english() -> None:
    assert region_name("DE", "xx") == "Germany"
    assert region_name("EU", "nl") == "European Union"


def test_group_names_are_labelled_in_all_15_languages() -> None:
    for name in REGION_GROUPS:
        labels = {lang: region_name(name, lang) for lang in LANGUAGES}
        assert all(labels.values()), name
    assert region_name("EU", "de") == "Europäische Union"
    assert region_name("EU", "zh-TW") == "歐盟"


def test_every_country_has_a_name_in_every_wire_language() -> None:
    for country in pycountry.countries:
        for lang in LANGUAGES:
            assert region_name(country.alpha_2, lang), (country.alpha_2, lang)


def test_countries_by_name_are_in_the_order_of_their_names() -> None:
    from newswire import taxonomy

    countries = taxonomy.countries_by_name("de")
    assert ("DE", "Deutschland") in countries
    names = [name.casefold() for _, name in countries]
    assert names == sorted(names) and len(countries) > 240
