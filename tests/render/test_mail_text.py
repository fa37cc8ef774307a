"""The plain-text part of release mail: wrapped at 72 columns of display width, paragraphs
and lists kept apart, URLs whole, CJK broken between characters, right-to-left text as is."""

from __future__ import annotations

import unicodedata

from newswire.render.mail_text import body_text, wrap


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_latin_text_wraps_at_spaces_within_72_columns() -> None:
    lines = wrap("Acme today opened a research centre in Lisbon. " * 6)
    assert len(lines) > 3 and all(len(line) <= 72 for line in lines)
    assert " ".join(lines) == ("Acme today opened a research centre in Lisbon. " * 6).strip()


def test_a_url_is_never_broken_and_gets_a_line_of_its_own_when_long() -> None:
    url = "https://acme.example/" + "a" * 80
    lines = wrap(f"Details at {url} today.")
    assert url in lines and all(columns(line) <= 72 for line in lines if line != url)


def test_japanese_breaks_between_characters_counting_two_columns_each() -> None:
    text = "アクメは本日、リスボンに研究センターを開設しました。" * 4
    lines = wrap(text)
    assert len(lines) > 1 and all(columns(line) <= 72 for line in lines)
    assert "".join(lines) == text
    assert not any(line.startswith(("、", "。")) for line in lines)  # no closing mark first


def test_arabic_wraps_in_logical_order_without_controls() -> None:
    text = "أعلنت شركة أكمي اليوم عن افتتاح مركز أبحاث في لشبونة يعمل فيه مئتا باحث " * 2
    lines = wrap(text)
    assert len(lines) > 1 and " ".join(lines) == text.strip()
    assert not any(ch in "\u200e\u200f\u202a\u202b\u202c" for line in lines for ch in line)


def test_body_keeps_paragraphs_lists_and_link_targets() -> None:
    body = (
        "First paragraph with [a link](https://acme.example/a).\n\n"
        "- one\n- two\n\n"
        "1. first\n2. second\n\n"
        "Last paragraph."
    )
    text = "\n".join(body_text(body, "LISBON, Portugal, Dec 3, 2026 (Newswire) –"))
    assert text.startswith("LISBON, Portugal, Dec 3, 2026 (Newswire) – First paragraph")
    assert "a link <https://acme.example/a>." in " ".join(text.split())
    assert "- one" in text and "- two" in text and "1. first" in text and "2. second" in text
    assert text.endswith("\n\nLast paragraph.")
