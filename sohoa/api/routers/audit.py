"""``/api/audit``: the audit log for archivists, with the hash chain's verification status."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
