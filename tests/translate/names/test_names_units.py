"""Names and their cross-lingual counterparts; missing subjects."""

from __future__ import annotations

from newswire.translate.names.match import find_counterpart
from newswire.translate.names.recognize import source_names
from newswire.translate.names.subject import missing_subject


def test_names_and_their_cross_lingual_counterparts() -> None:
    names = source_names("Sergei Lavrov met Choe Son Hui in Moscow on Tuesday.")
    assert [n.text for n in names] == ["Sergei Lavrov", "Choe Son Hui", "Moscow"]
    assert find_counterpart(names[0], "Sergej Lawrow traf Choe Son Hui in Moskau.", "de")
    assert find_counterpart(names[2], "Sergej Lawrow traf Choe Son Hui in Moskau.", "de")
    russia = source_names("Russia's top diplomat spoke.")[0]
    assert find_counterpart(russia, "ロシアの外相が発言した。", "ja")
    assert not find_counterpart(russia, "外相が発言した。", "ja")
    assert find_counterpart(russia, "El máximo diplomático de Rusia habló.", "es")
    # a sentence-initial ordinary word is not a name
    assert source_names("Revenue rose in the quarter.") == []


def test_missing_subject_needs_the_shape_and_respects_pro_drop() -> None:
    assert missing_subject("X", "Am Dienstag empfing seinen Kollegen in Berlin.", "de")
    assert not missing_subject("X", "Am Dienstag empfing der Minister seinen Kollegen.", "de")
    assert not missing_subject("X", "Am Dienstag empfing ihn der Minister in Berlin.", "de")
    assert missing_subject(
        "Lavrov received his counterpart on Tuesday.", "El martes recibió a su homólogo.", "es"
    )
    assert not missing_subject(
        "He received his counterpart on Tuesday.", "El martes recibió a su homólogo.", "es"
    )
    assert missing_subject("X", "Mardi, a reçu son homologue.", "fr")
    assert not missing_subject("X", "Mardi, il a reçu son homologue.", "fr")
