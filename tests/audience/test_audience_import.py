"""Recipients come in from CSV or JSON with a line-by-line report; a bad file imports nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import sqlite_url
from newswire.audience.importing import ImportFileError, export_csv, export_json, import_recipients
from newswire.cli import app
from newswire.store.db import Database
from newswire.store.models import Recipient, Subscription

HEADER = "kind,name,email,outlet,outlet_type,outlet_country,languages,countries,accredited,industries,regions,query,frequency\n"
GOOD = [
    "journalist,Anna Schmidt,anna@zeitung.example,Hamburger Zeitung,newspaper,DE,de;en,DE,yes,energy,DE;AT,,realtime\n",
    'journalist,Li Wei,li@tech.example,Tech Daily,online,SG,en;zh-Hans,SG,no,technology,ASEAN,"""electric vehicle"" OR battery",digest\n',
    "partner,Energy Portal,,,,,en,,,energy,,,realtime\n",
]


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """These are about behaviour, not the database: SQLite is enough."""
    return sqlite_url(request, tmp_path)


def _count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.query(model).count()


def test_a_valid_csv_imports_every_row(db: Database) -> None:
    raw = (HEADER + GOOD[0] + GOOD[1]).encode()
    with db.session() as s:
        report = import_recipients(s, raw, "csv", source="test")
    assert (report.rows, report.valid, report.imported, report.problems) == (2, 2, 2, [])
    with db.session() as s:
        anna = s.query(Recipient).filter_by(email="anna@zeitung.example").one()
        assert (
            anna.accredited and anna.status == "active" and anna.outlet.name == "Hamburger Zeitung"
        )
        assert anna.consent_source == "test"
        sub = s.query(Subscription).filter_by(recipient_id=anna.id).one()
        assert sub.criteria["industries"] == ["energy"] and sub.criteria["regions"] == ["AT", "DE"]


def test_a_file_with_bad_rows_imports_nothing_and_names_each_line(db: Database) -> None:
    rows = [
        GOOD[0],
        "journalist,Bad Email,not-an-email,,,,en,,,energy,,,realtime\n",
        "journalist,Bad Country,c@x.example,,,,en,Narnia,,energy,,,realtime\n",
        "journalist,Bad Industry,d@x.example,,,,en,,,alchemy,,,realtime\n",
        "journalist,Copy,anna@zeitung.example,,,,en,,,energy,,,realtime\n",
        'journalist,Bad Query,e@x.example,,,,en,,,,,"(wind AND",realtime\n',
        GOOD[2],
    ]
    with db.session() as s:
        report = import_recipients(s, (HEADER + "".join(rows)).encode(), "csv", source="test")
    assert report.imported == 0 and report.rows == 7 and report.valid == 1
    assert {(p.line, p.field, p.rule) for p in report.problems} == {
        (3, "email", "value_error"),
        (4, "countries.0", "unknown_region"),
        (5, "subscriptions.0.industries.0", "unknown_industry"),
        (6, "email", "duplicate"),
        (7, "subscriptions.0.query", "invalid_query"),
        (8, "row", "webhook_required"),
    }
    assert "line 2" in next(p.message for p in report.problems if p.line == 6)
    assert _count(db, Recipient) == 0 and _count(db, Subscription) == 0


def test_valid_only_imports_the_good_rows_and_still_reports_the_bad(db: Database) -> None:
    raw = (HEADER + GOOD[0] + "journalist,Bad,nope,,,,en,,,energy,,,realtime\n").encode()
    with db.session() as s:
        report = import_recipients(s, raw, "csv", source="test", valid_only=True)
    assert report.imported == 1 and [p.line for p in report.problems] == [3]
    assert _count(db, Recipient) == 1


@pytest.mark.parametrize(
    ("raw", "fmt", "message"),
    [
        (b"name,colour\nA,blue\n", "csv", "unknown CSV column(s): colour"),
        (b"\xff\xfe", "csv", "not UTF-8"),
        (b'{"name": "A"}', "json", "must hold a list"),
        (b"[{,}]", "json", "invalid JSON at line 1"),
        (b"", "xml", "unknown format 'xml'"),
    ],
)
def test_an_unreadable_file_is_refused_with_the_reason(
    db: Database, raw: bytes, fmt: str, message: str
) -> None:
    with (
        db.session() as s,
        pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")),
    ):
        import_recipients(s, raw, fmt, source="test")


def test_json_and_csv_exports_import_back_to_the_same_recipients(
    db: Database, tmp_path: Path
) -> None:
    with db.session() as s:
        import_recipients(s, (HEADER + GOOD[0] + GOOD[1]).encode(), "csv", source="test")
        exported_json, exported_csv = export_json(s), export_csv(s)
    for fmt, raw in (("json", exported_json), ("csv", exported_csv)):
        other = Database(
            db.settings.__class__(
                **{**db.settings.__dict__, "database_url": f"sqlite:///{tmp_path / (fmt + '.db')}"}
            )
        )
        other.upgrade()
        with other.session() as s:
            report = import_recipients(s, raw.encode(), fmt, source="round trip")
            assert report.imported == 2, report.problems
            again = json.loads(export_json(s))
        assert [(r["email"], r["subscriptions"][0]["industries"]) for r in again] == [
            ("anna@zeitung.example", ["energy"]),
            ("li@tech.example", ["technology"]),
        ]
        other.dispose()


def test_the_cli_reports_each_bad_line_and_exits_nonzero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSWIRE_DATA", str(tmp_path / "cli"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    bad = tmp_path / "list.csv"
    bad.write_text(HEADER + GOOD[0] + "journalist,Bad,nope,,,,en,,,energy,,,realtime\n")
    result = CliRunner().invoke(app, ["recipients", "import", str(bad)])
    assert result.exit_code == 2
    assert "line 3: email:" in result.output and "nothing was imported" in result.output
    result = CliRunner().invoke(app, ["recipients", "import", str(bad), "--valid-only"])
    assert result.exit_code == 0 and "1 imported" in result.output
    exported = CliRunner().invoke(app, ["recipients", "export", "--format", "json"])
    assert json.loads(exported.output)[0]["email"] == "anna@zeitung.example"
