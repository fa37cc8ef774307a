"""Placeholders for what engines must not touch, and putting it back (`newswire.translate.inline`)."""

from __future__ import annotations

from newswire.translate.inline import protect, restore


def test_protect_and_restore_round_trip() -> None:
    md = "**Berlin** – Visit [our *new* site](https://a.example) or write to press@a.example."
    p = protect(md, glossary=None, src="en", tgt="de")
    assert "https" not in p.text and "@" not in p.text and "*" not in p.text
    inputs = p.engine_inputs()
    assert inputs[1:] == ["Berlin", "our XNW0X site", "new"]
    text, lost = restore(p, list(inputs))
    assert text == md and lost == []
    text, lost = restore(p, ["Besuchen Sie XNW1X.", "Berlin", "unsere XNW0X Seite", "neue"])
    assert text == "Besuchen Sie [unsere *neue* Seite](https://a.example)."
    assert lost == ["XNW0X", "XNW2X"]
