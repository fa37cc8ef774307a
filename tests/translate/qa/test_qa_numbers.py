"""The QA gate's number and date rules: locale-aware numbers, amounts in other words, dates
and times across locales."""

from __future__ import annotations

from decimal import Decimal

import pytest

from newswire.translate.facts import extract
from qa_flags import kinds


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("6,500", "en", Decimal(6500)),
        ("6.500", "de", Decimal(6500)),
        ("6 500", "fr", Decimal(6500)),
        ("6\u202f500", "fr", Decimal(6500)),
        ("2.6", "en", Decimal("2.6")),
        ("2,6", "de", Decimal("2.6")),
        ("2,6", "pt", Decimal("2.6")),
        ("١٢٫٥", "ar", Decimal("12.5")),
        ("10.000,50", "de", Decimal("10000.5")),
    ],
)
def test_numbers_are_read_the_locale_way(text: str, lang: str, value: Decimal) -> None:
    (number,) = extract(f"about {text} units", lang).numbers
    assert value in number.values
    assert not number.misformatted


def test_a_number_in_the_other_locale_is_marked() -> None:
    (number,) = extract("Umsatz 2.6 Mio", "de").numbers
    assert number.misformatted and Decimal("2.6") in number.values
    (number,) = extract("revenue of 6,500 euros", "de").numbers
    assert number.values == {Decimal("6.5")}  # German reads 6,500 as six and a half


@pytest.mark.parametrize(
    ("source", "target", "tgt"),
    [
        ("Revenue was 6,500 million euros.", "Der Umsatz betrug 6.500 Millionen Euro.", "de"),
        ("Revenue was 6.5 billion euros.", "Der Umsatz betrug 6,5 Milliarden Euro.", "de"),
        ("Revenue was 6.5 billion euros.", "A receita foi de 6.500 milhões de euros.", "pt"),
        ("Revenue was 6.5 billion euros.", "売上高は65億ユーロでした。", "ja"),
        ("Revenue was 650 million yuan.", "营收为6.5亿元。", "zh-Hans"),
        (
            "The plant has two lines and 1 billion euros of funding.",
            "Das Werk hat zwei Linien und eine Milliarde Euro Förderung.",
            "de",
        ),
    ],
)
def test_equal_amounts_in_other_words_pass(source: str, target: str, tgt: str) -> None:
    assert "numbers" not in kinds(source, target, "en", tgt)


def test_times_and_dates_across_locales() -> None:
    assert not kinds(
        "The call starts at 3 p.m. on March 3.",
        "Die Telefonkonferenz beginnt am 3. März um 15 Uhr.",
        "en",
        "de",
    )
    assert "dates" in kinds(
        "The call starts at 3 p.m.", "Die Telefonkonferenz beginnt um 16 Uhr.", "en", "de"
    )
    facts = extract("Am 3. März 2025 und am 2025-04-01", "de")
    assert facts.dates == [(4, 1, 2025), (3, 3, 2025)] or sorted(facts.dates) == [
        (3, 3, 2025),
        (4, 1, 2025),
    ]


SMALL = "The company opened 2 plants and hired 3 engineers."


@pytest.mark.parametrize(
    ("target", "tgt"),
    [
        ("Das Unternehmen eröffnete zwei Werke und stellte drei Ingenieure ein.", "de"),
        ("Компания открыла два завода и наняла трёх инженеров.", "ru"),
        ("Công ty đã mở hai nhà máy và tuyển ba kỹ sư.", "vi"),
        ("Perusahaan itu membuka dua pabrik dan merekrut tiga insinyur.", "id"),
        ("Syarikat itu membuka dua kilang dan mengambil tiga jurutera.", "ms"),
        ("บริษัทเปิดโรงงานสองแห่งและจ้างวิศวกรสามคน", "th"),
        ("회사는 두 개의 공장을 열고 세 명의 엔지니어를 고용했다.", "ko"),
        ("افتتحت الشركة مصنعين اثنين ووظفت ثلاثة مهندسين.", "ar"),
        ("同社は二つの工場を開設し、三人のエンジニアを採用した。", "ja"),
        ("该公司开设了两家工厂，并聘用了三名工程师。", "zh-Hans"),
    ],
)
def test_small_numbers_may_be_words_in_every_language(target: str, tgt: str) -> None:
    assert "numbers" not in kinds(SMALL, target, "en", tgt)


def test_a_thai_word_that_merely_holds_a_numeral_is_no_number() -> None:
    # "สามารถ" (can) holds "สาม" (three)
    assert "numbers" in kinds(SMALL, "บริษัทสามารถเปิดโรงงานได้", "en", "th")


@pytest.mark.parametrize(
    ("source", "target", "tgt"),
    [
        ("The plant opens on March 4, 2025.", "โรงงานจะเปิดในวันที่ 4 มีนาคม 2568", "th"),
        ("The plant opens in 2025.", "โรงงานจะเปิดในปี พ.ศ. 2568", "th"),
        ("The plant opens on Tuesday, March 4.", "工場は3月4日（火）に開業する。", "ja"),
        ("The plant opens on Tuesday, March 4.", "공장은 3월 4일(화) 문을 연다.", "ko"),
        ("The plant opens on March 4, 2025.", "Nhà máy khai trương ngày 4 tháng 3 năm 2025.", "vi"),
        ("The plant opens on March 4, 2025.", "Завод откроется 4 марта 2025 года.", "ru"),
    ],
)
def test_calendars_and_date_forms_of_each_language(source: str, target: str, tgt: str) -> None:
    assert not kinds(source, target, "en", tgt) & {"numbers", "dates"}


def test_a_scale_word_on_both_sides_must_give_the_same_amount() -> None:
    source = "Revenue was 18.5 million euros."
    assert "numbers" in kinds(source, "Der Umsatz betrug 18,5 Milliarden Euro.", "en", "de")
    assert "numbers" not in kinds(source, "Der Umsatz betrug 18,5 Millionen Euro.", "en", "de")
    assert "numbers" not in kinds(source, "売上高は1,850万ユーロでした。", "en", "ja")
