"""One batch, whoever schedules its work: intake, planning, understanding and storing here; pages read and documents
made by a scheduler (``workers.scheduler``): this machine's process pool by default, no servers."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from ingest.batch import InputFile, collect
from ingest.codes import dossier_code_problem, result_code
from ingest.limits import Limits
from ingest.manifest import Manifest
from ocr.engine import OcrConfig
from ocr.pdfa import PdfInfo
from ocr.understand import Understanding, understand
from signing.signer import SignerConfig, signature_in
from storage.audit import current_user
from storage.batches import new_batch_id, seal_batch
from storage.catalog import Catalog
from storage.keys import doc_key, raw_key
from storage.objects import LocalStore, ObjectStore
from storage.retention import RetentionPolicy
from workers import metrics
from workers.files import FileRun, copy_stored, held_elsewhere, reuse_file
from workers.metrics import Timed
from workers.record import Codes, RetentionRecord, build_record, sign_request
from workers.scheduler import LocalPool, Scheduler
from workers.scratch import scratch_folder
from workers.segment import DocPlan, split_documents
from workers.sink import catalog_stored, store_version
from workers.stages import DocJob, DocOutcome, PageJob, PageOutcome, document_id, now
from workers.summary import Summary

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "tiff": "image/tiff", "pdf": "application/pdf"}


@dataclass(frozen=True)
class BatchConfig:
    out_dir: Path
    data_dir: Path
    database_url: str
    agency: str
    ocr: OcrConfig
    signer: SignerConfig
    manifest: Manifest = field(default_factory=Manifest)
    jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    store: ObjectStore | None = None  # None: the local folder $data_dir/objects
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    batch_id: str | None = None  # a batch queued before (uploaded to the service); None: a new batch
    input_dir: Path | None = None  # inputs are named relative to this folder; their sources stay as named

    def object_store(self) -> ObjectStore:
        return self.store or LocalStore(self.data_dir / "objects")

    @property
    def actor(self) -> str:
        """Who the audit log names for this batch: the manifest's operator, else the user running it."""
        return self.manifest.operator or current_user()


class Reporter:
    """What a batch tells about its progress; the CLI draws a progress bar from it."""

    def begin(self, total_pages: int) -> None: ...
    def page_done(self) -> None: ...


@dataclass
class _Pending:
    run: FileRun
    plan: DocPlan
    source: str
    found: Understanding
    codes: Codes
    future: Future[Timed[DocOutcome]]


def process_batch(inputs: list[str], config: BatchConfig, reporter: Reporter | None = None,
                  scheduler: Scheduler | None = None) -> Summary:
    """Run every stage on every input; each file ends as documents, in ``failed`` or in ``skipped``. Pages and
    documents go to ``scheduler`` (its caller closes it), else to a pool of ``config.jobs`` processes."""
    started = time.monotonic()
    reporter = reporter or Reporter()
    summary = Summary()
    intake = collect(inputs, config.limits, config.input_dir)
    metrics.observe("intake", time.monotonic() - started)
    summary.failed += [{"source": p.source, "error": p.reason} for p in intake.failed]
    summary.skipped += [{"source": p.source, "reason": p.reason} for p in intake.skipped]
    for problem in intake.failed + intake.skipped:
        metrics.count_failure(problem.cause)
    agency = config.manifest.agency or config.agency
    summary.batch = config.batch_id or new_batch_id(f.sha256 for f in intake.files)
    config.out_dir.mkdir(parents=True, exist_ok=True)
    (config.data_dir / "work").mkdir(parents=True, exist_ok=True)
    store = config.object_store()
    catalog = Catalog.migrated(config.database_url)
    if not config.batch_id:  # a batch uploaded to the service was claimed by its runner (workers.service)
        catalog.start_batch(summary.batch, agency, config.manifest.kind,
                            config.manifest.model_dump(exclude_none=True))
    work_dir = scratch_folder(config.data_dir / "work", "batch")
    before = {f.sha256: catalog.processed_file(f.sha256) for f in intake.files}  # files whose documents are stored
    reporter.begin(sum(f.pages for f in intake.files if not before[f.sha256]))
    try:
        with contextlib.nullcontext(scheduler) if scheduler else LocalPool(config.jobs) as pool:
            page_futures = [[] if before[f.sha256] else _submit_pages(pool, f, config, work_dir, reporter)
                            for f in intake.files]
            pending: list[_Pending] = []
            for file, futures in zip(intake.files, page_futures, strict=True):
                raw = store.put_file(raw_key(agency, summary.batch, file.sha256, file.kind), file.path,
                                     CONTENT_TYPES[file.kind])
                catalog.add_raw_object(raw, summary.batch, config.actor)
                if found := before[file.sha256]:
                    if other := held_elsewhere(catalog, found.documents, agency):
                        summary.skipped.append({"source": file.source, "reason": elsewhere(other)})
                        metrics.count_failure("other_agency")
                    else:
                        reuse_file(file, found, config.out_dir, catalog, store, summary)
                    continue
                run = FileRun(file, summary)
                pending += _plan_file(run, [_page_read(f.result()) for f in futures], config, agency, pool,
                                      work_dir, catalog, store)
                run.settle(catalog, summary.batch)
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


def _submit_pages(pool: Scheduler, file: InputFile, config: BatchConfig, work_dir: Path,
                  reporter: Reporter) -> list[Future[Timed[PageOutcome]]]:
    futures = []
    for number in range(1, file.pages + 1):
        job = PageJob(file.path, file.kind, number, config.ocr, work_dir, config.limits)
        future = pool.read_page(job, file.sha256)
        future.add_done_callback(lambda _: reporter.page_done())
        futures.append(future)
    return futures


def _page_read(read: Timed[PageOutcome]) -> PageOutcome:
    """A page read by the scheduler, counted with the time it took."""
    page = read.value
    metrics.observe("ocr", read.seconds)
    metrics.count_page("error" if page.error else "separator" if page.separator else "blank" if page.blank
                       else "text")
    return page


def _plan_file(run: FileRun, outcomes: list[PageOutcome], config: BatchConfig, agency: str, pool: Scheduler,
               work_dir: Path, catalog: Catalog, store: ObjectStore) -> list[_Pending]:
    """Split one file's pages into documents and send the new ones to be assembled and signed."""
    file, summary = run.file, run.summary
    summary.pages += len(outcomes)
    run.blank_pages = sum(o.blank for o in outcomes)
    summary.blank_pages += run.blank_pages
    plans = split_documents(outcomes)
    if not plans:
        run.add_skipped(file.source, "only separator sheets, no document pages", "no_document")
    pending = []
    for plan in plans:
        source = plan.source(file.source, len(plans) > 1)
        errors = [p.error for p in plan.pages if p.error]
        if errors:
            run.add_failed(source, "; ".join(errors), "page_error")
            continue
        for page in plan.pages:
            for reason in page.rescan:
                run.add_rescan(page.number, reason)
        mismatch = plan.count_mismatch()
        if mismatch:
            run.add_rescan(plan.first, mismatch)
        if all(p.blank for p in plan.pages):
            run.add_skipped(source, "every page is blank", "blank")
            continue
        doc_id = document_id([p.page_hash for p in plan.pages])
        if doc_id in summary.sources:
            run.add_skipped(source, f"same pages as {summary.sources[doc_id]}", "duplicate")
            continue
        if other := held_elsewhere(catalog, [doc_id], agency):
            run.add_skipped(source, elsewhere(other), "other_agency")
            continue
        summary.sources[doc_id] = source
        run.documents.append(doc_id)
        if copy_stored(doc_id, config.out_dir, catalog, store):
            summary.documents += 1
            continue
        started = time.monotonic()
        found = understand(plan.pages, config.manifest.book.register_type if config.manifest.book else None)
        spent = time.monotonic() - started
        metrics.observe("understand", spent)
        summary.understanding_seconds = round(summary.understanding_seconds + spent, 3)
        codes = _dossier_codes(plan, config.manifest, summary, catalog)
        info = PdfInfo(title=f"{found.doc_type} {doc_id}", doc_type=found.doc_type, source=source, created=now())
        request = sign_request(config.manifest, config.agency, found.doc_type, found.fields, codes, info.created)
        job = DocJob(doc_id, [p for p in plan.pages if not p.blank], info, config.signer, work_dir, request)
        pending.append(_Pending(run, plan, source, found, codes, pool.make_document(job)))
        run.waiting += 1
    return pending


def elsewhere(agency: str) -> str:
    return f"already digitized for agency {agency}: its documents stay that agency's"


def _dossier_codes(plan: DocPlan, manifest: Manifest, summary: Summary, catalog: Catalog) -> Codes:
    """The dossier code (a separator sheet's, else the manifest's) and, for a result, its own `-KQ<n>` code,
    numbered on from the results the catalog already holds for that dossier."""
    dossier = (plan.separator.dossier if plan.separator else None) or manifest.dossier_code
    if not dossier:
        return Codes()
    problem = dossier_code_problem(dossier)
    if problem or manifest.kind != "result":
        return Codes(dossier, problem=problem)
    issued = summary.results_per_dossier.get(dossier)
    summary.results_per_dossier[dossier] = (catalog.results_issued(dossier) if issued is None else issued) + 1
    return Codes(dossier, result_code(dossier, summary.results_per_dossier[dossier]))


def _store_document(item: _Pending, config: BatchConfig, agency: str, summary: Summary, catalog: Catalog,
                    store: ObjectStore) -> None:
    try:
        _store_outcome(item, config, agency, summary, catalog, store)
    finally:
        item.run.waiting -= 1
    item.run.settle(catalog, summary.batch)


def _store_outcome(item: _Pending, config: BatchConfig, agency: str, summary: Summary, catalog: Catalog,
                   store: ObjectStore) -> None:
    made = item.future.result()
    outcome = made.value
    summary.signing_seconds = round(summary.signing_seconds + outcome.signing_seconds, 3)
    if outcome.error or outcome.pdf is None or outcome.signature is None:
        item.run.add_failed(item.source, f"the PDF could not be made: {outcome.error}", "document_error")
        return
    metrics.observe("pdfa", made.seconds - outcome.signing_seconds)  # the signing is timed on its own
    metrics.observe("sign", outcome.signing_seconds)
    if catalog_stored(store, catalog, agency, outcome.doc_id, 1, config.actor):  # a run cut short stored it
        copy_stored(outcome.doc_id, config.out_dir, catalog, store)
        summary.documents += 1
        metrics.count_document()
        return
    pdf_bytes, sha256, signature = outcome.pdf.read_bytes(), outcome.sha256, outcome.signature
    pdf_key = doc_key(agency, outcome.doc_id, 1, "pdf")
    if store.exists(pdf_key):  # a run cut short stored the signed PDF: write-once, so that one it is
        pdf_bytes = store.get(pdf_key)
        sha256, signature = hashlib.sha256(pdf_bytes).hexdigest(), signature_in(pdf_bytes, config.signer.level)
    retention = config.retention.for_document(config.manifest.kind, item.found.doc_type, dt.date.today())
    record = build_record(outcome.doc_id, item.source, item.plan, item.found, item.codes, sha256, signature,
                          batch=summary.batch, agency=agency, retention=RetentionRecord.of(retention))
    started = time.monotonic()
    store_version(store, catalog, record, pdf_bytes, config.actor)
    metrics.observe("store", time.monotonic() - started)
    (config.out_dir / f"{outcome.doc_id}.pdf").write_bytes(pdf_bytes)
    (config.out_dir / f"{outcome.doc_id}.json").write_bytes(record.to_bytes())
    summary.documents += 1
    metrics.count_document()
