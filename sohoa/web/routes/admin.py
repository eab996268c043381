"""Administrators: users, their roles, agencies and tokens; the signer in use."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
