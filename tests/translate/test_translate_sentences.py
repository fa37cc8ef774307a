"""Sentence boundaries, language by language (`newswire.translate.sentences`)."""

from __future__ import annotations

from newswire.translate.sentences import sentences


def test_sentences_per_language() -> None:
    assert sentences(
        "Am 3. März 2025 stieg der Umsatz um 12,5 %. Das ist gut. Die Acme GmbH. Neu.", "de"
    ) == ["Am 3. März 2025 stieg der Umsatz um 12,5 %.", "Das ist gut.", "Die Acme GmbH.", "Neu."]
    assert sentences(
        "株式会社アクメは本日、新製品を発表しました。価格は3.5万円です！詳細は後日。", "ja"
    ) == ["株式会社アクメは本日、新製品を発表しました。", "価格は3.5万円です！", "詳細は後日。"]
    assert sentences("华达科技今天宣布建设新中心。投资二十亿元？是的。", "zh-Hans") == [
        "华达科技今天宣布建设新中心。",
        "投资二十亿元？",
        "是的。",
    ]
    assert sentences("أعلنت الشركة اليوم عن نتائجها. هل هذا جيد؟ نعم.", "ar") == [
        "أعلنت الشركة اليوم عن نتائجها.",
        "هل هذا جيد؟",
        "نعم.",
    ]
    assert sentences("บริษัท Acme Energy ประกาศผลประกอบการ วันนี้บริษัทเติบโต 12%\nขอบคุณ", "th") == [
        "บริษัท Acme Energy ประกาศผลประกอบการ",
        "วันนี้บริษัทเติบโต 12%",
        "ขอบคุณ",
    ]
    assert sentences("회사는 오늘 발표했다. 매출은 12% 증가했다.", "ko") == [
        "회사는 오늘 발표했다.",
        "매출은 12% 증가했다.",
    ]
    assert sentences(
        'He said "Why?" and left. E.g. this one, i.e. that. Mr. Smith came.', "en"
    ) == ['He said "Why?" and left.', "E.g. this one, i.e. that.", "Mr. Smith came."]
