"""The QA gate's name rules: glossary terms in their fixed form; names do not make a
translation look untranslated, and a missing one is flagged."""

from __future__ import annotations

from newswire.translate.glossary import Glossary
from qa_flags import kinds


def test_glossary_fixed_form() -> None:
    glossary = Glossary.from_mapping({"Acme Cloud": {"pt": "Nuvem Acme"}})
    assert "glossary" in kinds(
        "Acme Cloud is new.", "A Acme Cloud é nova.", "en", "pt", glossary=glossary
    )
    assert not kinds("Acme Cloud is new.", "A Nuvem Acme é nova.", "en", "pt", glossary=glossary)


def test_names_do_not_make_a_translation_look_untranslated() -> None:
    assert not kinds(
        "Northwind Logistics launches FleetView in Mexico",
        "Northwind Logistics lança FleetView no México",
        "en",
        "pt",
    )
    assert not kinds("3,052 new jobs in Singapore", "3.052 novos empregos em Cingapura", "en", "pt")
    assert "entity_missing" in kinds(
        "3,052 new jobs in Singapore", "3.052 novos empregos em Portugal", "en", "pt"
    )
