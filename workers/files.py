"""What one input file gave in a run, kept so that a later run meeting the same bytes reuses the stored documents
instead of reading every page again (DESIGN: a retried job finds finished work and skips it)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.batch import InputFile
from storage.catalog import Catalog
from storage.objects import ObjectStore
from storage.schema import ProcessedFile
from workers import metrics
from workers.metrics import Reason
from workers.summary import Summary

log = logging.getLogger(__name__)


@dataclass
class FileRun:
    """One file's documents and what was reported about it, written to the summary as they come."""
    file: InputFile
    summary: Summary
    documents: list[str] = field(default_factory=list)
    rescan: list[dict[str, Any]] = field(default_factory=list)  # {"page", "reason", "sha256"}
    skipped: list[dict[str, Any]] = field(default_factory=list)  # {"part": "#p3-4" or "", "reason"}
    blank_pages: int = 0
    failed: bool = False
    waiting: int = 0  # documents sent to be made and not stored yet

    def add_rescan(self, page: int, reason: str) -> None:
        """A page to scan again; the file's SHA-256 finds the page's picture in the batch's raw scans."""
        log.info("page %d of %s is to be scanned again: %s", page, self.file.source, reason,
                 extra={"file": self.file.source, "page": page})
        self.rescan.append({"page": page, "reason": reason, "sha256": self.file.sha256})
        self.summary.rescan.append({"source": self.file.source, "page": page, "reason": reason,
                                    "sha256": self.file.sha256})

    def add_skipped(self, source: str, reason: str, counted_as: Reason) -> None:
        log.info("%s skipped: %s", source, reason, extra={"file": source})
        self.skipped.append({"part": source.removeprefix(self.file.source), "reason": reason})
        self.summary.skipped.append({"source": source, "reason": reason})
        metrics.count_failure(counted_as)

    def add_failed(self, source: str, error: str, counted_as: Reason) -> None:
        log.warning("%s failed: %s", source, error, extra={"file": source})
        self.failed = True
        self.summary.failed.append({"source": source, "error": error})
        metrics.count_failure(counted_as)

    def settle(self, catalog: Catalog, batch_id: str) -> None:
        """Once nothing of the file is waiting, remember it when every part of it ended as a stored document or was
        skipped (right away, so that a run cut short later still finds it)."""
        if self.waiting or self.failed or not self.documents:
            return
        catalog.add_processed_file(ProcessedFile(
            sha256=self.file.sha256, documents=self.documents, pages=self.file.pages, blank_pages=self.blank_pages,
            notes={"rescan": self.rescan, "skipped": self.skipped}, batch_id=batch_id))


def reuse_file(file: InputFile, before: ProcessedFile, out_dir: Path, catalog: Catalog, store: ObjectStore,
               summary: Summary) -> None:
    """Write out the stored documents of a file processed before, and report it as that run did."""
    log.info("%s was read before (same bytes): its stored documents are written out, its pages not read again",
             file.source, extra={"file": file.source})
    summary.reused_files += 1
    summary.pages += before.pages
    summary.blank_pages += before.blank_pages
    summary.rescan += [{"source": file.source, **r, "sha256": file.sha256} for r in before.notes.get("rescan", [])]
    summary.skipped += [{"source": file.source + skipped["part"], "reason": skipped["reason"]}
                        for skipped in before.notes.get("skipped", [])]
    for doc_id in before.documents:
        if doc_id in summary.sources:
            summary.skipped.append({"source": file.source, "reason": f"same pages as {summary.sources[doc_id]}"})
            metrics.count_failure("duplicate")
            continue
        summary.sources[doc_id] = file.source
        copy_stored(doc_id, out_dir, catalog, store)
        summary.documents += 1


def held_elsewhere(catalog: Catalog, doc_ids: list[str], agency: str) -> str | None:
    """The agency other than ``agency`` that holds any of these documents (ids come from the pages' content, so one
    paper digitized by two agencies is one document): its documents stay that agency's, and the batch says so
    instead of counting documents its agency cannot open."""
    others = sorted(catalog.agencies_of(doc_ids) - {agency})
    return others[0] if others else None


def copy_stored(doc_id: str, out_dir: Path, catalog: Catalog, store: ObjectStore) -> bool:
    """A document stored before is not made again: its latest version's PDF and JSON are written out instead."""
    stored = catalog.document(doc_id)
    if stored is None:
        return False
    (out_dir / f"{doc_id}.pdf").write_bytes(store.get(stored.pdf_key))
    (out_dir / f"{doc_id}.json").write_bytes(store.get(stored.json_key))
    return True
