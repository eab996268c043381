"""``/api/public/verify``: public verification of a result, no token, rate-limited; never personal data."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
