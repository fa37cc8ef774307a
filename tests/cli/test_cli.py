"""The command line: submit a Markdown release, move it along, show it; errors are messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswire.cli import app
from standards import validate_newsml, validate_ninjs

RELEASE = """---
headline: Globex Opens a Logistics Hub in Rotterdam
dateline: {city: Rotterdam, country: NL}
language: en
industries: [logistics]
regions: [NL, EU]
boilerplate: Globex runs logistics hubs in 12 countries.
contacts:
  - {name: Ann de Vries, email: press@globex.example}
---
Globex today opened a 40,000 square metre logistics hub in the port of Rotterdam, creating 300 jobs
for the region and linking rail, road and sea freight under one roof.
"""


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NEWSWIRE_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input)

    assert run("org", "create", "newswire-desk", "Desk", "--kind", "wire").exit_code == 0
    assert run("org", "create", "globex", "Globex Corp").exit_code == 0
    for email, role, org in [
        ("press@globex.example", "issuer", "globex"),
        ("desk@wire.example", "editor", "newswire-desk"),
    ]:
        result = run(
            "user",
            "create",
            email,
            "--name",
            "N",
            "--role",
            role,
            "--org",
            org,
            "--password",
            "long-enough",
        )
        assert result.exit_code == 0, result.output
    return run


def _id(output: str) -> str:
    return output.split()[0]


def test_a_release_goes_from_file_to_published_formats(cli, tmp_path: Path) -> None:
    source = tmp_path / "release.md"
    source.write_text(RELEASE)
    submitted = cli("release", "submit", str(source), "--as", "press@globex.example")
    assert submitted.exit_code == 0, submitted.output
    rid = _id(submitted.output)
    assert "submitted" in submitted.output

    assert cli("release", "approve", rid, "--as", "desk@wire.example").exit_code == 0
    published = cli("release", "publish", rid, "--as", "desk@wire.example")
    assert published.exit_code == 0 and "published" in published.output

    import json

    listed = json.loads(cli("release", "list", "--json").output)
    assert [(r["id"], r["state"], r["version"]) for r in listed] == [(rid, "published", 1)]
    validate_ninjs(json.loads(cli("release", "show", rid, "--format", "ninjs").output))
    validate_newsml(cli("release", "show", rid, "--format", "newsml").output.encode())
    assert "(Newswire) –" in cli("release", "show", rid, "--format", "html").output

    history = cli("release", "history", rid).output
    assert "submit" in history and "approve" in history and "by desk@wire.example" in history


def test_bad_files_and_bad_moves_print_a_message_and_exit_nonzero(cli, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes(RELEASE.replace("Globex Opens", "Caf\xe9 Opens").encode("latin-1"))
    result = cli("release", "submit", str(latin1), "--as", "press@globex.example")
    assert result.exit_code == 2
    assert "not UTF-8" in result.output and "Traceback" not in result.output

    bad = tmp_path / "bad.md"
    bad.write_text(
        RELEASE.replace("[logistics]", "[teleportation]").replace(
            "country: NL", "country: Atlantis"
        )
    )
    result = cli("release", "submit", str(bad), "--as", "press@globex.example")
    assert result.exit_code == 2
    assert "industries.0: unknown industry code 'teleportation'" in result.output
    assert "dateline.country" in result.output

    missing = cli("release", "submit", str(tmp_path / "nope.md"), "--as", "press@globex.example")
    assert missing.exit_code == 2 and "cannot read" in missing.output

    good = tmp_path / "good.md"
    good.write_text(RELEASE)
    rid = _id(cli("release", "submit", str(good), "--as", "press@globex.example").output)
    wrong_role = cli("release", "approve", rid, "--as", "press@globex.example")
    assert wrong_role.exit_code == 2 and "may not approve" in wrong_role.output
    no_reason = cli("release", "reject", rid, "--as", "desk@wire.example", "--reason", " ")
    assert no_reason.exit_code == 2 and "needs a reason" in no_reason.output
    unknown = cli("release", "show", "nope")
    assert unknown.exit_code == 2 and "no release 'nope'" in unknown.output
    unknown_user = cli("release", "approve", rid, "--as", "ghost@wire.example")
    assert unknown_user.exit_code == 2 and "no user" in unknown_user.output


def test_a_correction_from_a_file_makes_version_two(cli, tmp_path: Path) -> None:
    source = tmp_path / "release.md"
    source.write_text(RELEASE)
    rid = _id(cli("release", "submit", str(source), "--as", "press@globex.example").output)
    cli("release", "approve", rid, "--as", "desk@wire.example")
    cli("release", "publish", rid, "--as", "desk@wire.example")
    source.write_text(RELEASE.replace("300 jobs", "350 jobs"))
    corrected = cli(
        "release", "correct", rid, str(source), "--as", "desk@wire.example", "--reason", "Job count"
    )
    assert corrected.exit_code == 0, corrected.output
    assert "350 jobs" in cli("release", "show", rid, "--format", "html").output
    assert "300 jobs" in cli("release", "show", rid, "--format", "html", "--version", "1").output


def test_demo_seeds_accounts_and_releases_through_the_lifecycle(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["demo", "--data", str(tmp_path / "demo"), "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "editor@newswire.example / demo-editor-pass" in result.output
    assert "translator@newswire.example / demo-translator-pass" in result.output
    assert "embargoed until" in result.output and "nw_" in result.output
    import json

    listed = json.loads(
        CliRunner()
        .invoke(app, ["release", "list", "--json", "--data", str(tmp_path / "demo")])
        .output
    )
    states = sorted(r["state"] for r in listed)
    assert states == ["corrected", "embargoed", "published", "published", "published", "submitted"]
    _every_demo_document_verifies(tmp_path / "demo")
    again = CliRunner().invoke(app, ["demo", "--data", str(tmp_path / "demo"), "--no-serve"])
    assert again.exit_code == 0 and "already seeded" in again.output


def _every_demo_document_verifies(data: Path) -> None:
    from fastapi.testclient import TestClient

    from newswire.config import load_settings
    from newswire.provenance.verify import Outcome, verify_document
    from newswire.store.models import Edition, Release, ReleaseVersion
    from newswire.web.app import create_app

    app = create_app(load_settings(data), run_scheduler=False)
    with TestClient(app) as client, app.state.db.session() as s:
        keys = client.get("/.well-known/newswire-keys.json").json()
        paths = [f"/releases/{v.release_id}/v{v.number}" for v in s.query(ReleaseVersion)]
        paths += [
            f"/releases/{e.release_id}/{e.language}/v{r.current_version}"
            for e, r in s.query(Edition, Release).join(Release, Release.id == Edition.release_id)
            if e.status == "approved" and r.current_version and e.language != r.language
        ]
        assert len(paths) >= 5  # every version (editions are translated once it serves)
        for path in paths:
            resource = client.get(f"{path}.sig")
            assert resource.status_code == 200, (path, resource.text)
            verdict = verify_document(client.get(f"{path}.json").content, resource.json(), keys)
            assert verdict.genuine and verdict.outcome is not Outcome.CHANGED, (path, verdict)


def test_serve_refuses_a_broken_translation_file_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "translation.json").write_text('{"pairs": {"en-de": "nowhere"}}')
    result = CliRunner().invoke(app, ["serve", "--data", str(tmp_path), "--port", "1"])
    assert result.exit_code == 2
    assert "translation.json" in result.stderr
    assert "names the engine 'nowhere', not configured" in result.stderr


def test_the_operator_adds_a_translator_from_the_command_line(cli) -> None:
    base = ["user", "create", "tr@wire.example", "--name", "T", "--role", "translator"]
    base += ["--org", "newswire-desk", "--password", "long-enough"]
    bad = cli(*base, "--languages", "de,xx")
    assert bad.exit_code != 0 and "'xx' is not one of the wire's languages" in bad.output
    made = cli(*base, "--languages", "de,ja", "--trusted")
    assert made.exit_code == 0, made.output
    assert "user tr@wire.example (translator) created" in made.output


def test_a_data_folder_without_a_wire_is_said_not_made(tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    result = CliRunner().invoke(app, ["release", "show", "abc", "--data", str(empty)])
    assert result.exit_code == 2
    assert f"{empty} holds no wire yet" in result.stderr
    assert not (empty / "newswire.db").exists()  # nothing was created
    made = CliRunner().invoke(app, ["db-upgrade", "--data", str(empty)])
    assert made.exit_code == 0 and (empty / "newswire.db").exists()


def test_demo_links_follow_the_configured_base_url(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("NEWSWIRE_BASE_URL", "https://wire.example.org")
    result = CliRunner().invoke(
        app, ["demo", "--data", str(tmp_path / "demo"), "--no-serve", "--port", "8099"]
    )
    assert result.exit_code == 0, result.output
    assert "https://wire.example.org/" in result.output
    assert ":8099" not in result.output
