"""The pipeline's counts and timings, for Prometheus: pages read, documents stored, the time of each stage, and what
failed or was skipped, by a bounded set of reasons — counts only, never a name, a file or a text.

They are kept in the process that runs a batch: ``sohoa process``, ``sohoa serve`` without Redis, or RQ's work horse,
which ``sohoa worker`` forks for each job and which is gone when the job ends. :func:`gather_forks`, called in the
worker before any job, has every process forked from it send what it counts to it over a pipe, where it is kept and
served. A stage run in a process pool is timed there and its time comes back with its result (:func:`timed`).
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar, get_args

from prometheus_client import Counter, Histogram

log = logging.getLogger(__name__)

Stage = Literal["intake", "ocr", "understand", "pdfa", "sign", "store"]
PageResult = Literal["text", "blank", "separator", "error"]
Reason = Literal[
    "unsupported_type", "damaged", "too_large",  # a file refused at intake (ingest.errors.Cause)
    "duplicate",  # the same bytes or the same pages as another input
    "blank",  # every page blank
    "no_document",  # only separator sheets
    "other_agency",  # already digitized for another agency
    "page_error",  # a page of the document could not be read
    "document_error",  # its PDF/A could not be made or signed
    "batch_error",  # a batch run stopped (tried again later, or failed for good)
]

PAGES = Counter("sohoa_pages", "Pages read, by what they held", ["result"])
DOCUMENTS = Counter("sohoa_documents", "Documents made and stored")
STAGE_SECONDS = Histogram("sohoa_stage_seconds", "Time of a stage: intake per batch; ocr per page; understand, pdfa, "
                                                 "sign and store per document", ["stage"],
                          buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
FAILURES = Counter("sohoa_failures", "Inputs that gave no document (failed or skipped) and batch runs that stopped, "
                                     "by reason", ["reason"])
for _stage in get_args(Stage):  # every series from the start, at 0
    STAGE_SECONDS.labels(_stage)
for _result in get_args(PageResult):
    PAGES.labels(_result)
for _reason in get_args(Reason):
    FAILURES.labels(_reason)

_Event = tuple[str, str, float]  # what, its label, the amount
_APPLY: dict[str, Callable[[str, float], None]] = {
    "stage": lambda stage, seconds: STAGE_SECONDS.labels(stage).observe(seconds),
    "page": lambda result, count: PAGES.labels(result).inc(count),
    "document": lambda _, count: DOCUMENTS.inc(count),
    "failure": lambda reason, count: FAILURES.labels(reason).inc(count),
}
_to_gatherer: int | None = None  # the pipe's write end, once gather_forks() was called here or in a parent


def observe(stage: Stage, seconds: float) -> None:
    _record(("stage", stage, seconds))


def count_page(result: PageResult) -> None:
    _record(("page", result, 1))


def count_document() -> None:
    _record(("document", "", 1))


def count_failure(reason: Reason) -> None:
    _record(("failure", reason, 1))


T = TypeVar("T")
A = TypeVar("A")


@dataclass(frozen=True)
class Timed(Generic[T]):
    value: T
    seconds: float


def timed(function: Callable[[A], T], argument: A) -> Timed[T]:
    """``function(argument)`` and the seconds it took: submitted to a process pool, the time reaches the caller with
    the result."""
    started = time.monotonic()
    value = function(argument)
    return Timed(value, time.monotonic() - started)


def gather_forks() -> None:
    """Keep here what this process and every process forked from it from now on count (RQ's work horses): they send
    it over a pipe, read by a thread of this process. Writes of one short line to a pipe are atomic, so forks running
    side by side never mix their lines."""
    global _to_gatherer
    if _to_gatherer is not None:
        return
    read_end, write_end = os.pipe()
    threading.Thread(target=_gather, args=(read_end,), name="sohoa-metrics", daemon=True).start()
    _to_gatherer = write_end


def _record(event: _Event) -> None:
    if _to_gatherer is None:
        _apply(event)
        return
    try:
        os.write(_to_gatherer, json.dumps(event).encode() + b"\n")
    except OSError:  # the worker is gone: nobody is left to serve the count
        log.debug("a count could not be sent to the worker", exc_info=True)


def _apply(event: _Event) -> None:
    what, label, amount = event
    _APPLY[what](label, amount)


def _gather(read_end: int) -> None:
    with os.fdopen(read_end, "rb") as lines:
        for line in lines:
            try:
                what, label, amount = json.loads(line)
                _apply((what, label, float(amount)))
            except (ValueError, KeyError, TypeError):
                log.warning("a count sent by a work horse was not understood: %r", line[:100])
