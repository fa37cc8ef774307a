"""CSV cells that spreadsheets never run as formulas (CSV injection, OWASP): a cell that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading single quote.
Pure; used by every CSV export (recipients, delivery reports)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """``cell`` quoted with ``'`` when a spreadsheet could read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def unquote_spreadsheet_safe(cell: str) -> str:
    """The cell as it was before `spreadsheet_safe` (for importing an export again)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell
