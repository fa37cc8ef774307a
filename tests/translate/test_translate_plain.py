"""Plain text and link targets of a Markdown sentence (`newswire.translate.plain`)."""

from __future__ import annotations

from newswire.translate.plain import link_targets, plain_text


def test_plain_text_and_links() -> None:
    md = "Read the [**annual** report](https://a.example/r) at <https://b.example> or `x.y`."
    assert plain_text(md) == "Read the annual report at https://b.example or x.y."
    assert link_targets(md) == ["https://a.example/r", "https://b.example"]
