"""Officers: search, a document with its pages, fields, signature and versions, a citizen's documents."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
