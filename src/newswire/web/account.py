"""The /account pages (being built)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/account", include_in_schema=False)
