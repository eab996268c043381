"""Where each kind of object lives in the store: one helper per kind of key (DESIGN, "Objects and records").

Raw scans ``raw/<agency>/<batch>/<sha256>.<ext>`` beside the batch's own records; document versions
``docs/<agency>/<doc_id>/v<n>.pdf`` and ``v<n>.json``.
"""
from __future__ import annotations

from typing import Literal


def raw_prefix(agency: str, batch_id: str) -> str:
    return f"raw/{agency}/{batch_id}/"


def raw_key(agency: str, batch_id: str, sha256: str, kind: str) -> str:
    """Where a batch keeps one raw scan (write-once: the same bytes again is a no-op)."""
    return f"{raw_prefix(agency, batch_id)}{sha256}.{kind}"


def doc_prefix(agency: str, doc_id: str) -> str:
    return f"docs/{agency}/{doc_id}/"


def doc_key(agency: str, doc_id: str, version: int, ext: Literal["pdf", "json"]) -> str:
    """One version of a document: its signed PDF or its CONTRACT §2 JSON."""
    return f"{doc_prefix(agency, doc_id)}v{version}.{ext}"
