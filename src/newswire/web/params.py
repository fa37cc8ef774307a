"""Integer request parameters, bounded to what the database can compare with.

SQLite (and PostgreSQL's LIMIT/OFFSET) take signed 64-bit integers; Python's have no bound, so
an id or an offset of 10**20 would reach the driver and fail there (`OverflowError`, a 500).
Every integer a route takes from the path, the query or a header is an `Int64`: a larger one
is refused before the handler runs, with a 422 naming the parameter. `tests/web/api/
test_api_integer_bounds.py` walks the app's routes so that a new route cannot miss it.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

Int64 = Annotated[int, Ge(INT64_MIN), Le(INT64_MAX)]


def fits_int64(value: int) -> bool:
    return INT64_MIN <= value <= INT64_MAX
