"""Installing Argos Translate packages for the ctranslate2 engine, from an Argos-format index
on a real local HTTP server; the package is built from a tiny CTranslate2 model."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("ctranslate2", reason="ctranslate2 is not installed")
pytest.importorskip("sentencepiece", reason="sentencepiece is not installed")

from model_servers import FileServer
from newswire.translate.local_engine import CTranslate2Engine, discover_models
from newswire.translate.models import (
    ModelInstallError,
    argos_models_dir,
    install,
    install_all,
    list_installed,
    remove,
)
from tiny_ct2 import argos_vocabulary, build_model

INDEX = "/argospm-index/index.json"


def argos_package(tmp: Path, src: str, tgt: str, version: str) -> bytes:
    """A `.argosmodel`: a zip of one folder with metadata.json, model/, sentencepiece.model."""
    sp_model, vocabulary = argos_vocabulary()
    name = f"translate-{src}_{tgt}-{version.replace('.', '_')}"
    folder = tmp / name
    build_model(folder / "model", vocabulary, seed=3)
    (folder / "sentencepiece.model").write_bytes(sp_model)
    meta = {"package_version": version, "argos_version": "1.9.0", "from_code": src, "to_code": tgt}
    (folder / "metadata.json").write_text(json.dumps(meta))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, str(path.relative_to(tmp)))
    return out.getvalue()


def entry(server: FileServer, src: str, tgt: str, version: str, link: str) -> dict[str, object]:
    return {
        "package_version": version,
        "argos_version": "1.9.0",
        "from_code": src,
        "from_name": src,
        "to_code": tgt,
        "to_name": tgt,
        "type": "translate",
        "links": [server.url + link],
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FileServer]:
    tmp = tmp_path_factory.mktemp("argos")
    server = FileServer()
    server.files["/v1/en_de-1_0.argosmodel"] = argos_package(tmp / "a", "en", "de", "1.0")
    server.files["/v1/en_de-1_1.argosmodel"] = argos_package(tmp / "b", "en", "de", "1.1")
    server.files["/v1/de_en-1_0.argosmodel"] = argos_package(tmp / "c", "de", "en", "1.0")
    server.files["/v1/en_zt-1_0.argosmodel"] = argos_package(tmp / "d", "en", "zt", "1.0")
    server.files["/v1/mislabelled.argosmodel"] = server.files["/v1/de_en-1_0.argosmodel"]
    server.files[INDEX] = json.dumps(
        [
            entry(server, "en", "de", "1.0", "/v1/en_de-1_0.argosmodel"),
            entry(server, "en", "de", "1.1", "/v1/en_de-1_1.argosmodel"),
            entry(server, "de", "en", "1.0", "/v1/de_en-1_0.argosmodel"),
            entry(server, "en", "zt", "1.0", "/v1/en_zt-1_0.argosmodel"),
            entry(server, "en", "eo", "1.0", "/v1/en_eo.argosmodel"),  # not a wire language
            {"type": "sbd", "code": "stanza"},  # not a translation package: skipped
        ]
    ).encode()
    yield server
    server.close()


@pytest.fixture()
def index(server: FileServer, monkeypatch: pytest.MonkeyPatch) -> FileServer:
    monkeypatch.setenv("NEWSWIRE_ARGOS_INDEX_URL", server.url + INDEX)
    return server


def folders(data: Path) -> list[str]:
    root = argos_models_dir(data)
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_install_the_newest_package_and_the_ctranslate2_engine_finds_it(
    index: FileServer, tmp_path: Path
) -> None:
    model = install(tmp_path, "en", "de", engine="argos")
    assert (model.engine, model.src, model.tgt, model.version) == ("argos", "en", "de", "1.1")
    assert folders(tmp_path) == ["en_de-1.1"]
    package = argos_models_dir(tmp_path) / "en_de-1.1"
    assert {p.name for p in package.iterdir()} >= {"metadata.json", "model", "sentencepiece.model"}
    (found,) = discover_models(argos_models_dir(tmp_path))
    assert found.name == "en_de-1.1"
    engine = CTranslate2Engine(argos_models_dir(tmp_path), max_decoding_length=8)
    assert engine.supports("en", "de") and not engine.supports("de", "en")
    out = engine.translate_batch(["the board approved the plan", ""], "en", "de")
    assert len(out) == 2 and out[1] == ""


def test_install_all_list_and_remove(index: FileServer, tmp_path: Path) -> None:
    done, failed = install_all(tmp_path, engine="argos")
    assert failed == []
    assert sorted((m.src, m.tgt) for m in done) == [("de", "en"), ("en", "de"), ("en", "zt")]
    assert [(m.engine, m.src, m.tgt) for m in list_installed(tmp_path)] == [
        ("argos", "de", "en"),
        ("argos", "en", "de"),
        ("argos", "en", "zt"),
    ]
    remove(tmp_path, "de", "en", engine="argos")
    remove(tmp_path, "en", "zh-Hant")
    assert folders(tmp_path) == ["en_de-1.1"]


def test_a_newer_version_replaces_the_older(index: FileServer, tmp_path: Path) -> None:
    old = index.url + "/v1/en_de-1_0.argosmodel"
    install(tmp_path, "en", "de", engine="argos", sources=[old])
    assert folders(tmp_path) == ["en_de-1.0"]
    install(tmp_path, "en", "de", engine="argos")
    assert folders(tmp_path) == ["en_de-1.1"]


def test_errors_install_nothing(
    index: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ModelInstallError, match="no Argos Translate package for en to ja"):
        install(tmp_path, "en", "ja", engine="argos")
    link = index.url + "/v1/en_de-1_0.argosmodel"
    with pytest.raises(ModelInstallError, match="SHA-256 mismatch"):
        install(tmp_path, "en", "de", engine="argos", sources=[link], sha256="00" * 32)
    good = hashlib.sha256(index.files["/v1/en_de-1_0.argosmodel"]).hexdigest()  # type: ignore[arg-type]
    assert install(tmp_path / "ok", "en", "de", engine="argos", sources=[link], sha256=good)
    with pytest.raises(ModelInstallError, match="translates de to en, not en to de"):
        install(
            tmp_path, "en", "de", engine="argos", sources=[index.url + "/v1/mislabelled.argosmodel"]
        )
    with pytest.raises(ModelInstallError, match="answered 404"):
        install(tmp_path, "en", "de", engine="argos", sources=[index.url + "/v1/none.argosmodel"])
    index.files["/v1/corrupt.argosmodel"] = index.files["/v1/en_de-1_0.argosmodel"][:5000]  # type: ignore[index]
    with pytest.raises(ModelInstallError, match="corrupt archive"):
        install(
            tmp_path, "en", "de", engine="argos", sources=[index.url + "/v1/corrupt.argosmodel"]
        )
    no_meta = io.BytesIO()
    with zipfile.ZipFile(no_meta, "w") as z:
        z.writestr("pkg/README.md", "no metadata")
    index.files["/v1/nometa.argosmodel"] = no_meta.getvalue()
    with pytest.raises(ModelInstallError, match=r"no metadata\.json"):
        install(tmp_path, "en", "de", engine="argos", sources=[index.url + "/v1/nometa.argosmodel"])
    index.files["/bad/index.json"] = b"{not json"
    monkeypatch.setenv("NEWSWIRE_ARGOS_INDEX_URL", index.url + "/bad/index.json")
    with pytest.raises(ModelInstallError, match="not an Argos package index"):
        install(tmp_path, "en", "de", engine="argos")
    assert folders(tmp_path) == []


def test_argos_codes_for_traditional_chinese(index: FileServer, tmp_path: Path) -> None:
    model = install(tmp_path, "en", "zh-Hant", engine="argos")
    assert (model.src, model.tgt, model.path.name) == ("en", "zt", "en_zt-1.0")
    engine = CTranslate2Engine(argos_models_dir(tmp_path))
    assert engine.supports("en", "zh-Hant") and not engine.supports("en", "zh-Hans")
