"""Public verification of a result (no sign-in): an uploaded PDF or a typed result code."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
