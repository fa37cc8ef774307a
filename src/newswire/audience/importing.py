"""Import and export recipients as CSV or JSON, with a line-by-line validation report.

A file with errors imports nothing unless the caller asks for the valid rows only; then each
rejected row is still reported with its line and reason. Nothing is ever half-imported: all
accepted rows go in one transaction.

CSV columns (lists separated by ';'): kind, name, email, outlet, outlet_type, outlet_country,
languages, countries, accredited, webhook_url, stream_client, industries, regions, query,
issuers, exclude_industries, exclude_regions, frequency, consent_source.
JSON: a list of objects with the same keys (lists as arrays), or with `subscriptions` and
`outlet` as nested objects, as `export_json` writes them.

The CSV export is meant to be opened in spreadsheets, which run a cell that starts with `=`,
`+`, `-`, `@`, a tab or a carriage return as a formula (CSV injection): such a cell is written
with a leading single quote, as OWASP recommends, and the CSV import takes that quote off again
so that an export imports back unchanged. The JSON export is exact.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.audience.inputs import RecipientInput
from newswire.audience.recipients import create_recipient
from newswire.domain.errors import NewswireError
from newswire.domain.spreadsheet import spreadsheet_safe, unquote_spreadsheet_safe
from newswire.intake.validate import field_errors
from newswire.store.models import Endpoint, Organization, Recipient, Subscription, Suppression

CSV_COLUMNS = [
    "kind", "name", "email", "outlet", "outlet_type", "outlet_country", "languages", "countries",
    "accredited", "webhook_url", "stream_client", "industries", "regions", "query", "issuers",
    "exclude_industries", "exclude_regions", "frequency", "consent_source",
]  # fmt: skip
LIST_COLUMNS = {
    "languages", "countries", "industries", "regions", "issuers", "exclude_industries",
    "exclude_regions",
}  # fmt: skip
SUBSCRIPTION_KEYS = {
    "industries", "regions", "query", "issuers", "exclude_industries", "exclude_regions",
    "frequency",
}  # fmt: skip


class ImportFileError(NewswireError):
    status = 422
    code = "invalid_file"


class UnreadableFile(ImportFileError):
    """A body no parser here can read (as the releases API answers such a body: 400)."""

    status = 400
    code = "bad_request"


@dataclass
class RowProblem:
    line: int
    field: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rejected_lines(self) -> list[int]:
        return sorted({p.line for p in self.problems})

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "valid": self.valid,
            "imported": self.imported,
            "rejected": len(self.rejected_lines),
            "problems": [p.as_dict() for p in self.problems],
        }


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"the file is not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        ) from None


def read_rows(raw: bytes, fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) pairs; CSV lines count from the header (line 1), JSON items from 1."""
    text = _decode(raw)
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        unknown = [c for c in reader.fieldnames or [] if c not in CSV_COLUMNS]
        if not reader.fieldnames or "name" not in reader.fieldnames:
            raise ImportFileError("the CSV needs a header line with at least a 'name' column")
        if unknown:
            raise ImportFileError(f"unknown CSV column(s): {', '.join(unknown)}")
        for row in reader:
            yield reader.line_num, _from_csv(row)
    elif fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFileError(
                f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
        except RecursionError:  # the parser's own limit (about 1,000 levels): not a 500
            raise UnreadableFile("the JSON is nested too deeply to read") from None
        if not isinstance(data, list):
            raise ImportFileError("the JSON file must hold a list of recipients")
        for number, item in enumerate(data, start=1):
            yield number, item if isinstance(item, dict) else {"_not_an_object": item}
    else:
        raise ImportFileError(f"unknown format '{fmt}': use csv or json")


def _from_csv(row: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:
            clean["_extra_cells"] = value
            continue
        value = unquote_spreadsheet_safe((value or "").strip())
        if value == "":
            continue
        if key in LIST_COLUMNS:
            clean[key] = [v.strip() for v in value.split(";") if v.strip()]
        elif key == "accredited":
            clean[key] = value.lower() in ("1", "true", "yes", "y")
        else:
            clean[key] = value
    return clean


def to_input(row: dict[str, Any]) -> dict[str, Any]:
    """A flat row in the nested shape RecipientInput takes."""
    if "subscriptions" in row or "_not_an_object" in row or "_extra_cells" in row:
        return row
    data = {
        k: v for k, v in row.items() if k not in SUBSCRIPTION_KEYS and not k.startswith("outlet")
    }
    if "outlet" in row:
        data["outlet"] = {
            "name": row["outlet"],
            **({"type": row["outlet_type"]} if "outlet_type" in row else {}),
            **({"country": row["outlet_country"]} if "outlet_country" in row else {}),
        }
    subscription = {k: row[k] for k in SUBSCRIPTION_KEYS if k in row}
    if row.get("languages"):
        subscription["languages"] = row["languages"]
    data["subscriptions"] = [subscription]
    return data


def validate_rows(
    db: Session,
    rows: Iterator[tuple[int, dict[str, Any]]],
    progress: Callable[[int], None] | None = None,
) -> tuple[ImportReport, list[tuple[int, RecipientInput]]]:
    report = ImportReport()
    valid: list[tuple[int, RecipientInput]] = []
    seen: dict[str, int] = {}
    existing = {
        e for (e,) in db.execute(select(Recipient.email).where(Recipient.email.is_not(None)))
    }
    suppressed = {a for (a,) in db.execute(select(Suppression.address))}
    issuers = {s for (s,) in db.execute(select(Organization.slug))}
    for line, row in rows:
        report.rows += 1
        if progress:
            progress(1)
        problems = _check(line, row, seen, existing, suppressed, issuers, valid)
        report.problems += problems
    report.valid = len(valid)
    return report, valid


def _check(
    line: int,
    row: dict[str, Any],
    seen: dict[str, int],
    existing: set[str],
    suppressed: set[str],
    issuers: set[str],
    valid: list[tuple[int, RecipientInput]],
) -> list[RowProblem]:
    if "_not_an_object" in row:
        return [RowProblem(line, "row", "object", "each item must be a JSON object")]
    if "_extra_cells" in row:
        return [RowProblem(line, "row", "columns", "the row has more cells than the header")]
    try:
        data = RecipientInput.model_validate(to_input(row))
    except ValidationError as exc:
        return [
            RowProblem(line, e.field, e.rule, e.message)
            for e in field_errors(exc.errors(include_url=False), whole="row")
        ]
    problems = []
    email = str(data.email).lower() if data.email else None
    if email and email in seen:
        problems.append(
            RowProblem(line, "email", "duplicate", f"{email} already appears on line {seen[email]}")
        )
    elif email and email in existing:
        problems.append(RowProblem(line, "email", "duplicate", f"{email} is already a recipient"))
    if email and email in suppressed:
        problems.append(
            RowProblem(
                line,
                "email",
                "suppressed",
                f"{email} unsubscribed or bounced; it is never added again",
            )
        )
    for sub in data.subscriptions:
        for slug in [*sub.issuers, *sub.exclude_issuers]:
            if slug not in issuers:
                problems.append(
                    RowProblem(line, "issuers", "unknown_issuer", f"no issuer '{slug}'")
                )
    if email:
        seen.setdefault(email, line)
    if not problems:
        valid.append((line, data))
    return problems


def import_recipients(
    db: Session,
    raw: bytes,
    fmt: str,
    *,
    source: str,
    valid_only: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate every row; import all of them, or none if any is bad (unless `valid_only`)."""
    report, valid = validate_rows(db, read_rows(raw, fmt), progress)
    if report.problems and not valid_only:
        return report
    for _line, data in valid:
        create_recipient(db, data, source=source, confirmed=True)
    report.imported = len(valid)
    return report


def export_rows(db: Session) -> list[dict[str, Any]]:
    """Every recipient in the nested import shape (issuer ids back to slugs)."""
    slugs = dict(db.execute(select(Organization.id, Organization.slug)).all())
    out = []
    for recipient in db.scalars(select(Recipient).order_by(Recipient.id)):
        endpoint = db.scalar(
            select(Endpoint).where(Endpoint.recipient_id == recipient.id).order_by(Endpoint.id)
        )
        subs = db.scalars(
            select(Subscription)
            .where(Subscription.recipient_id == recipient.id, Subscription.active.is_(True))
            .order_by(Subscription.id)
        )
        profile = recipient.profile or {}
        item: dict[str, Any] = {
            "kind": recipient.kind,
            "name": recipient.name,
            "email": recipient.email,
            "languages": profile.get("languages", []),
            "countries": profile.get("countries", []),
            "accredited": recipient.accredited,
            "consent_source": recipient.consent_source,
            "status": recipient.status,
        }
        if recipient.outlet:
            item["outlet"] = {
                "name": recipient.outlet.name,
                "type": recipient.outlet.type,
                "country": recipient.outlet.country,
            }
        if endpoint and endpoint.channel == "webhook":
            item["webhook_url"] = endpoint.address
        if endpoint and endpoint.channel == "stream":
            item["stream_client"] = endpoint.address
        item["subscriptions"] = [
            {
                "name": s.name,
                "frequency": s.frequency,
                **{k: v for k, v in s.criteria.items() if v and "issuers" not in k},
                **{k: [slugs[i] for i in v] for k, v in s.criteria.items() if v and "issuers" in k},
            }
            for s in subs
        ]
        out.append(item)
    return out


def export_json(db: Session) -> str:
    rows = export_rows(db)
    for row in rows:
        row.pop("status", None)
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(value)
    return "" if value is None else str(value)


def export_csv(db: Session) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in export_rows(db):
        flat: dict[str, Any] = {
            k: v for k, v in row.items() if k not in ("outlet", "subscriptions")
        }
        if "outlet" in row:
            flat |= {
                "outlet": row["outlet"]["name"],
                "outlet_type": row["outlet"]["type"],
                "outlet_country": row["outlet"]["country"] or "",
            }
        if row["subscriptions"]:
            flat |= {k: v for k, v in row["subscriptions"][0].items() if k in SUBSCRIPTION_KEYS}
        writer.writerow({k: spreadsheet_safe(_cell(v)) for k, v in flat.items()})
    return buffer.getvalue()
