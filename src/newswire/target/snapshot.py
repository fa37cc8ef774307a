"""Index snapshots: the subscriptions, compactly, plus the caller's change sequence number.

File layout (version 1)::

    NEWSWIRE-TARGETING-SNAPSHOT 1\\n
    {"sequence": ..., "subscriptions": n, "tables_bytes": ..., "tables_crc32": ...,
     "rows_bytes": ..., "rows_crc32": ...}\\n
    zlib(JSON {"sets": [[...], ...], "queries": [...]})     distinct value sets and query texts
    zlib(int64 little-endian rows of 9 columns)               id, industries, regions,
        languages, issuers, query, exclude_industries, exclude_regions, exclude_issuers
        (set columns index "sets", 0 being the empty set; query indexes "queries", -1 none)

The index is rebuilt from the subscriptions on load, so a snapshot never disagrees with the
code reading it. Writes go to a temporary file that is fsynced and renamed over the target:
a crash leaves the old snapshot or the new one, never half of one. A damaged file raises
ValueError.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path

from newswire.target.criteria import EMPTY, Criteria

MAGIC = b"NEWSWIRE-TARGETING-SNAPSHOT 1\n"
_SET_FIELDS = (
    "industries",
    "regions",
    "languages",
    "issuers",
    None,  # query
    "exclude_industries",
    "exclude_regions",
    "exclude_issuers",
)
_COLUMNS = 1 + len(_SET_FIELDS)


def write_snapshot(path: Path, sequence: int, items: Iterable[tuple[int, Criteria]]) -> None:
    sets: dict[frozenset, int] = {EMPTY: 0}
    queries: dict[str, int] = {}
    rows = array("q")
    count = 0
    for sub_id, criteria in items:
        rows.append(sub_id)
        for name in _SET_FIELDS:
            if name is None:
                text = criteria.query
                rows.append(-1 if text is None else queries.setdefault(text, len(queries)))
            else:
                rows.append(sets.setdefault(getattr(criteria, name), len(sets)))
        count += 1
    set_table = [sorted(s) for s in sets]
    tables = zlib.compress(
        json.dumps({"sets": set_table, "queries": list(queries)}, ensure_ascii=False).encode()
    )
    if sys.byteorder != "little":
        rows.byteswap()
    body = zlib.compress(rows.tobytes(), 1)
    header = {
        "sequence": int(sequence),
        "subscriptions": count,
        "tables_bytes": len(tables),
        "tables_crc32": zlib.crc32(tables),
        "rows_bytes": len(body),
        "rows_crc32": zlib.crc32(body),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(MAGIC)
            f.write(json.dumps(header).encode() + b"\n")
            f.write(tables)
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_snapshot(path: Path) -> tuple[int, Iterator[tuple[int, Criteria]]]:
    """(sequence, iterator of (id, criteria)). ValueError if the file is not a good snapshot."""
    data = path.read_bytes()

    def damaged(why: str) -> ValueError:
        return ValueError(f"{path}: not a usable targeting snapshot ({why})")

    if not data.startswith(MAGIC):
        raise damaged("wrong file type or version")
    end = data.find(b"\n", len(MAGIC))
    if end < 0:
        raise damaged("no header")
    try:
        header = json.loads(data[len(MAGIC) : end])
        start = end + 1
        tables = data[start : start + header["tables_bytes"]]
        body = data[start + header["tables_bytes"] :]
        sequence = int(header["sequence"])
        count = int(header["subscriptions"])
    except (ValueError, KeyError, TypeError) as exc:
        raise damaged(f"bad header: {exc}") from None
    if len(body) != header["rows_bytes"] or len(tables) != header["tables_bytes"]:
        raise damaged("truncated")
    if zlib.crc32(tables) != header["tables_crc32"] or zlib.crc32(body) != header["rows_crc32"]:
        raise damaged("checksum mismatch")
    doc = json.loads(zlib.decompress(tables))
    set_table = [frozenset(values) if values else EMPTY for values in doc["sets"]]
    query_table: list[str] = doc["queries"]
    rows = array("q")
    rows.frombytes(zlib.decompress(body))
    if sys.byteorder != "little":
        rows.byteswap()
    if len(rows) != count * _COLUMNS:
        raise damaged("row count does not match the header")
    del data, body, tables

    def items() -> Iterator[tuple[int, Criteria]]:
        for i in range(0, len(rows), _COLUMNS):
            q = rows[i + 5]
            yield (
                rows[i],
                Criteria(
                    industries=set_table[rows[i + 1]],
                    regions=set_table[rows[i + 2]],
                    languages=set_table[rows[i + 3]],
                    issuers=set_table[rows[i + 4]],
                    query=None if q < 0 else query_table[q],
                    exclude_industries=set_table[rows[i + 6]],
                    exclude_regions=set_table[rows[i + 7]],
                    exclude_issuers=set_table[rows[i + 8]],
                ),
            )

    return sequence, items()
