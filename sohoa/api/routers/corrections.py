"""``POST /api/documents/{id}/corrections``: a reviewer corrects or confirms fields; a new signed version."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
