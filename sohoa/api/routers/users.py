"""``/api/users``: users, roles, agencies and tokens, for administrators."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
