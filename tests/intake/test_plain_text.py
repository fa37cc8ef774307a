"""plain_text: the words a reader sees in a Markdown body."""

from __future__ import annotations

from newswire.intake.text import plain_text


def test_keeps_words_and_drops_markup():
    md = "# Big news\n\nAcme *today* announced **record** sales.\n\n- one\n- two\n"
    assert plain_text(md) == "Big news\nAcme today announced record sales.\none\ntwo"


def test_link_text_and_image_alt_stay_link_targets_go():
    md = "See [our site](https://acme.example/) and ![the new plant](plant.jpg)."
    assert plain_text(md) == "See our site and the new plant."


def test_code_tables_and_escapes():
    md = "Use `acme-cli`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nrun\n```\n\n1\\*2 &amp; 3"
    assert plain_text(md) == "Use acme-cli.\na\nb\n1\n2\nrun\n1*2 & 3"


def test_line_breaks_inside_a_paragraph_are_kept():
    assert plain_text("first line\nsecond line") == "first line\nsecond line"


def test_empty():
    assert plain_text("") == ""
