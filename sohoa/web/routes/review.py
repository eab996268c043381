"""Reviewers: the review queue, a document's doubtful fields on its page image, register pages keyed in as a grid."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
