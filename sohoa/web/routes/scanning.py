"""Scanning teams: uploads by drag and drop, their batches and live progress, pages to scan again."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
