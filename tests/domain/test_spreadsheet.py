"""CSV cells that a spreadsheet would run as a formula are quoted; unquoting gives them back."""

from __future__ import annotations

import pytest

from newswire.domain.spreadsheet import spreadsheet_safe, unquote_spreadsheet_safe


@pytest.mark.parametrize(
    "cell", ["=1+1", "+49 40 123", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("x")']
)
def test_a_formula_like_cell_is_quoted_and_comes_back_unchanged(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell
    assert unquote_spreadsheet_safe(spreadsheet_safe(cell)) == cell


@pytest.mark.parametrize("cell", ["Anna Schmidt", "", "'quoted already", "1-2", "a=b"])
def test_other_cells_are_left_as_they_are(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell
    assert unquote_spreadsheet_safe(cell) == cell
