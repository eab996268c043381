"""Archivists: the digitization dashboard, the audit log, fixity runs, CSV and XLSX of every table."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
