"""The embedded scheduler: a whole batch on this machine, pages in parallel in a process pool, no servers."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import shutil
import tempfile
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.batch import InputFile, collect
from ingest.codes import dossier_code_problem, result_code
from ingest.limits import Limits
from ingest.manifest import Manifest
from ocr.pdfa import PdfInfo
from signing.signer import SignerConfig
from storage.audit import current_user
from storage.batches import raw_prefix, seal_batch
from storage.catalog import Catalog
from storage.objects import LocalStore, ObjectStore
from storage.retention import RetentionPolicy
from workers.record import document_record, sign_request, understand
from workers.segment import DocPlan, split_documents
from workers.stages import DocJob, DocOutcome, PageJob, build_document, document_id, init_worker, now, run_page

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "tiff": "image/tiff", "pdf": "application/pdf"}


@dataclass(frozen=True)
class BatchConfig:
    out_dir: Path
    data_dir: Path
    database_url: str
    agency: str
    lang: str
    signer: SignerConfig
    manifest: Manifest = field(default_factory=Manifest)
    jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    store: ObjectStore | None = None  # None: the local folder $data_dir/objects
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)

    @property
    def actor(self) -> str:
        """Who the audit log names for this batch: the manifest's operator, else the user running it."""
        return self.manifest.operator or current_user()


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

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("sources", "results_per_dossier")}


class Reporter:
    """What a batch tells about its progress; the CLI draws a progress bar from it."""

    def begin(self, total_pages: int) -> None: ...
    def page_done(self) -> None: ...


@dataclass
class _Pending:
    plan: DocPlan
    source: str
    understood: dict[str, Any]
    future: Future[DocOutcome]


def process_batch(inputs: list[str], config: BatchConfig, reporter: Reporter | None = None) -> Summary:
    """Run every stage on every input; each file ends as documents, in ``failed`` or in ``skipped``."""
    started = time.monotonic()
    reporter = reporter or Reporter()
    summary = Summary()
    intake = collect(inputs, config.limits)
    summary.failed += [{"source": p.source, "error": p.reason} for p in intake.failed]
    summary.skipped += [{"source": p.source, "reason": p.reason} for p in intake.skipped]
    agency = config.manifest.agency or config.agency
    summary.batch = _batch_id(intake.files)
    config.out_dir.mkdir(parents=True, exist_ok=True)
    (config.data_dir / "work").mkdir(parents=True, exist_ok=True)
    store = config.store or LocalStore(config.data_dir / "objects")
    catalog = Catalog(config.database_url)
    catalog.start_batch(summary.batch, agency, config.manifest.kind, config.manifest.model_dump(exclude_none=True))
    work_dir = Path(tempfile.mkdtemp(prefix="batch-", dir=config.data_dir / "work"))
    reporter.begin(sum(f.pages for f in intake.files))
    context = multiprocessing.get_context("forkserver")  # fork would inherit OpenCV's thread pool in a broken state
    try:
        with ProcessPoolExecutor(max(1, config.jobs), mp_context=context, initializer=init_worker) as pool:
            page_futures = [_submit_pages(pool, f, config, work_dir, reporter) for f in intake.files]
            pending: list[_Pending] = []
            for file, futures in zip(intake.files, page_futures, strict=True):
                raw = store.put_file(f"{raw_prefix(agency, summary.batch)}{file.sha256}.{file.kind}", file.path,
                                     CONTENT_TYPES[file.kind])
                catalog.add_raw_object(raw, summary.batch, config.actor)
                pending += _plan_file(file, [f.result() for f in futures], config, pool, work_dir, catalog, store,
                                      summary)
                while pending and pending[0].future.done():  # store finished documents as the batch goes
                    _store_document(pending.pop(0), config, agency, summary, catalog, store)
            for item in pending:
                _store_document(item, config, agency, summary, catalog, store)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    summary.seconds = round(time.monotonic() - started, 2)
    status = "failed" if summary.failed and not summary.documents else "done"
    catalog.finish_batch(summary.batch, status, summary.to_dict())
    seal_batch(catalog, store, summary.batch)
    (config.out_dir / "summary.json").write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=1),
                                                 encoding="utf-8")
    return summary


def _batch_id(files: list[InputFile]) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{hashlib.sha256(''.join(f.sha256 for f in files).encode()).hexdigest()[:8]}"


def _submit_pages(pool: ProcessPoolExecutor, file: InputFile, config: BatchConfig, work_dir: Path,
                  reporter: Reporter) -> list[Future]:
    futures = []
    for number in range(1, file.pages + 1):
        future = pool.submit(run_page, PageJob(file.path, file.kind, number, config.lang, work_dir, config.limits))
        future.add_done_callback(lambda _: reporter.page_done())
        futures.append(future)
    return futures


def _plan_file(file: InputFile, outcomes: list, config: BatchConfig, pool: ProcessPoolExecutor, work_dir: Path,
               catalog: Catalog, store: ObjectStore, summary: Summary) -> list[_Pending]:
    """Split one file's pages into documents and send the new ones to be assembled and signed."""
    summary.pages += len(outcomes)
    summary.blank_pages += sum(o.blank for o in outcomes)
    plans = split_documents(outcomes)
    if not plans:
        summary.skipped.append({"source": file.source, "reason": "only separator sheets, no document pages"})
    pending = []
    for plan in plans:
        source = plan.source(file.source, len(plans) > 1)
        errors = [p.error for p in plan.pages if p.error]
        if errors:
            summary.failed.append({"source": source, "error": "; ".join(errors)})
            continue
        for page in plan.pages:
            summary.rescan += [{"source": file.source, "page": page.number, "reason": r} for r in page.rescan]
        mismatch = plan.count_mismatch()
        if mismatch:
            summary.rescan.append({"source": file.source, "page": plan.first, "reason": mismatch})
        if all(p.blank for p in plan.pages):
            summary.skipped.append({"source": source, "reason": "every page is blank"})
            continue
        doc_id = document_id([p.page_hash for p in plan.pages])
        if doc_id in summary.sources:
            summary.skipped.append({"source": source, "reason": f"same pages as {summary.sources[doc_id]}"})
            continue
        summary.sources[doc_id] = source
        if _copy_stored(doc_id, config, catalog, store):
            summary.documents += 1
            continue
        started = time.monotonic()
        understood = understand(plan)
        summary.understanding_seconds = round(summary.understanding_seconds + time.monotonic() - started, 3)
        _dossier_codes(understood, plan, config.manifest, summary, catalog)
        info = PdfInfo(title=f"{understood['doc_type']} {doc_id}", doc_type=understood["doc_type"], source=source,
                       created=now())
        job = DocJob(doc_id, [p for p in plan.pages if not p.blank], info, config.signer, work_dir,
                     sign_request(config.manifest, config.agency, understood, info.created))
        pending.append(_Pending(plan, source, understood, pool.submit(build_document, job)))
    return pending


def _dossier_codes(understood: dict[str, Any], plan: DocPlan, manifest: Manifest, summary: Summary,
                   catalog: Catalog) -> None:
    """The dossier code (a separator sheet's, else the manifest's) and, for a result, its own `-KQ<n>` code,
    numbered on from the results the catalog already holds for that dossier."""
    dossier = (plan.separator.dossier if plan.separator else None) or manifest.dossier_code
    if not dossier:
        return
    understood["dossier_code"] = dossier
    problem = dossier_code_problem(dossier)
    if problem:
        understood["review_reasons"].append(f"separator sheet: {problem}")
        understood["needs_review"] = True
    elif manifest.kind == "result":
        issued = summary.results_per_dossier.get(dossier)
        summary.results_per_dossier[dossier] = (catalog.results_issued(dossier) if issued is None else issued) + 1
        understood["result_code"] = result_code(dossier, summary.results_per_dossier[dossier])


def _copy_stored(doc_id: str, config: BatchConfig, catalog: Catalog, store: ObjectStore) -> bool:
    """A document processed before is not made again: its stored signed version is written out instead."""
    stored = catalog.document(doc_id)
    if stored is None:
        return False
    (config.out_dir / f"{doc_id}.pdf").write_bytes(store.get(stored.pdf_key))
    (config.out_dir / f"{doc_id}.json").write_bytes(store.get(stored.json_key))
    return True


def _store_document(item: _Pending, config: BatchConfig, agency: str, summary: Summary, catalog: Catalog,
                    store: ObjectStore) -> None:
    outcome = item.future.result()
    summary.signing_seconds = round(summary.signing_seconds + outcome.signing_seconds, 3)
    if outcome.error:
        summary.failed.append({"source": item.source, "error": f"the PDF could not be made: {outcome.error}"})
        return
    retention = config.retention.for_document(config.manifest.kind, item.understood["doc_type"], dt.date.today())
    extra = {"batch": summary.batch, "agency": agency, "version": 1, "retention": retention.to_dict()}
    record = document_record(outcome.doc_id, item.source, item.plan, item.understood, outcome.sha256,
                             outcome.signature, extra)
    prefix = f"docs/{agency}/{outcome.doc_id}/v1"
    pdf_bytes = outcome.pdf.read_bytes()
    json_bytes = json.dumps(record, ensure_ascii=False, indent=1).encode()
    pdf = store.put(f"{prefix}.pdf", pdf_bytes, "application/pdf", retention)
    catalog.add_document(record, pdf, store.put(f"{prefix}.json", json_bytes, "application/json", retention),
                         config.actor)
    (config.out_dir / f"{outcome.doc_id}.pdf").write_bytes(pdf_bytes)
    (config.out_dir / f"{outcome.doc_id}.json").write_bytes(json_bytes)
    summary.documents += 1
