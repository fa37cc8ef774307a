"""The QA gate's structure: the alignment names a dropped sentence; link targets are checked
with the URLs."""

from __future__ import annotations

from newswire.translate.qa import check_pair, check_segments


def test_alignment_names_the_dropped_sentence() -> None:
    flags = check_pair(
        "Revenue rose 5%. The plant opened in Porto. Profit doubled.",
        "O faturamento subiu 5%. O lucro dobrou.",
        "en",
        "pt",
    )
    dropped = [f for f in flags if f.kind == "sentence_count"]
    assert len(dropped) == 1
    assert dropped[0].segment_index == 1 and dropped[0].source == "The plant opened in Porto."


def test_check_segments_reads_markdown_and_link_targets() -> None:
    flags = check_segments(
        [
            (
                "See the [report](https://a.example/r) for **details**.",
                "Veja o [relatório](https://a.example/x) para **detalhes**.",
            )
        ],
        "en",
        "pt",
    )
    assert [f.kind for f in flags] == ["urls"]
