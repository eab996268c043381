"""Audit events of reads (a search, a view, a download) written by one thread per process, many to a transaction.

Every read is audited, so under load every request would otherwise open its own write transaction on the chain's
head row: the requests queue on that row's lock (PostgreSQL) or on the database's write lock (SQLite, whose waiting
writers poll with sleeps up to 100 ms), and a search that took milliseconds to read waits a long time to write.
Here a request hands its event to the writer and waits until the transaction holding it has committed (the reader
still learns that its read is on the record before it answers), while the writer appends whatever has gathered
meanwhile in one transaction: one lock and one commit for many events (a group commit).
"""
from __future__ import annotations

import os
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from storage import audit

MOST_PER_COMMIT = 200


@dataclass
class _Event:
    entry: audit.Entry
    written: Future[int] = field(default_factory=Future)


class AuditWriter:
    """The process's writer of read events for one catalog's engine; started on first use (again in a forked
    child, where the parent's thread does not run)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._pid = -1
        self._queue: queue.SimpleQueue[_Event] = queue.SimpleQueue()

    def append(self, actor: str, action: str, subject: str = "", details: dict[str, Any] | None = None) -> int:
        """Write one event and return its number once it is committed; the writer's error if it could not be."""
        if action not in audit.ACTIONS:  # here, not in the writer: one bad event must not fail the others
            raise ValueError(f"unknown audit action {action!r}")
        event = _Event(audit.Entry(actor, action, subject, details))
        self._started().put(event)
        return event.written.result()

    def _started(self) -> queue.SimpleQueue[_Event]:
        with self._lock:
            if self._pid != os.getpid():
                self._pid, self._queue = os.getpid(), queue.SimpleQueue()
                threading.Thread(target=self._run, args=(self._queue,), name="audit-writer", daemon=True).start()
            return self._queue

    def _run(self, events: queue.SimpleQueue[_Event]) -> None:
        while True:
            batch = [events.get()]
            while len(batch) < MOST_PER_COMMIT:
                try:
                    batch.append(events.get_nowait())
                except queue.Empty:
                    break
            try:
                with self._engine.begin() as connection:
                    numbers = audit.append_many(connection, [event.entry for event in batch])
            except Exception as exc:  # noqa: BLE001 - each waiting reader gets the error as its own
                for event in batch:
                    event.written.set_exception(exc)
            else:
                for event, number in zip(batch, numbers, strict=True):
                    event.written.set_result(number)
