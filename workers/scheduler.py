"""Who does a batch's heavy work — reading pages, making and signing documents — while ``process_batch`` plans,
understands and stores: this machine's process pool (``sohoa process``, a service without Redis), or every worker of
the service (:mod:`workers.fanout`). Both hand back futures of the same values, so a batch runs one way whoever
schedules it."""
from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import Protocol

from workers import forkserver
from workers.metrics import Timed, timed
from workers.stages import DocJob, DocOutcome, PageJob, PageOutcome, build_document, init_worker, run_page


class Scheduler(Protocol):
    def read_page(self, job: PageJob, sha256: str) -> Future[Timed[PageOutcome]]:
        """Read one page of the file whose content is ``sha256``."""

    def make_document(self, job: DocJob) -> Future[Timed[DocOutcome]]:
        """Assemble and sign one document from pages read."""

    def close(self) -> None:
        """Wait for the work sent, then let go of what runs it."""


class LocalPool:
    """Pages and documents in a pool of this machine's processes, one per core asked for."""

    def __init__(self, jobs: int) -> None:
        self.pool = ProcessPoolExecutor(max(1, jobs), mp_context=forkserver.context(), initializer=init_worker)

    def read_page(self, job: PageJob, sha256: str) -> Future[Timed[PageOutcome]]:
        return self.pool.submit(timed, run_page, job)

    def make_document(self, job: DocJob) -> Future[Timed[DocOutcome]]:
        return self.pool.submit(timed, build_document, job)

    def close(self) -> None:
        self.pool.shutdown(wait=True)

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
                 ) -> None:
        self.close()
