"""What a batch run tells at the end: ``summary.json`` (CONTRACT §2) and a little more."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Summary:
    documents: int = 0
    pages: int = 0
    blank_pages: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    rescan: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    understanding_seconds: float = 0.0  # classification, fields and records: kept small beside recognition
    signing_seconds: float = 0.0  # worker time spent signing, summed over documents (compare with seconds × jobs)
    batch: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # doc_id -> source, for this batch
    results_per_dossier: dict[str, int] = field(default_factory=dict)  # results numbered so far, per dossier
    reused_files: int = 0  # input files processed before, whose stored documents were written out again

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("sources", "results_per_dossier")}
