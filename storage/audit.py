"""The audit log: append-only, hash-chained events in the catalog, anchored in the object store.

Each event's hash covers its number, time, actor, action, subject, details and the previous event's hash, so an
edited event breaks its own hash and a removed one leaves a gap in the numbers and a broken link. A removed tail
is found against the head row and against anchors: write-once objects ``audit/anchors/<log id>/<seq>.json``
(under object lock where the store has it) holding an event's number and hash, written after each batch and
fixity run. A catalog made anew starts a new log with a new id; the old log's anchors stay in the store.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, select, update

from storage.objects import ObjectStore
from storage.schema import AuditEvent, AuditHead

ANCHORS = "audit/anchors/"
ACTIONS = ("upload", "processing", "signing", "download", "view", "correction", "fixity", "search", "rebuild",
           "export", "user", "sign-in", "sign-out")  # view: a document's data (fields, page texts) was read


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.reason}"


def current_user() -> str:
    """The operating-system user, the actor of what is done from a shell."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def canonical(details: dict[str, Any]) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def event_hash(seq: int, at: str, actor: str, action: str, subject: str, details: str, prev_hash: str) -> str:
    payload = json.dumps([seq, at, actor, action, subject, details, prev_hash], ensure_ascii=False,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def append(connection: Connection, actor: str, action: str, subject: str = "",
           details: dict[str, Any] | None = None) -> int:
    """Add one event inside the caller's transaction; the head row's lock orders concurrent writers."""
    return append_many(connection, [Entry(actor, action, subject, details)])[0]


@dataclass(frozen=True)
class Entry:
    """An event to append: who did what to which subject, and how."""
    actor: str
    action: str
    subject: str = ""
    details: dict[str, Any] | None = None


def append_many(connection: Connection, entries: list[Entry]) -> list[int]:
    """Add events in order inside the caller's transaction, with three statements whatever their number; their
    numbers."""
    for entry in entries:
        if entry.action not in ACTIONS:
            raise ValueError(f"unknown audit action {entry.action!r}")
    head = connection.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + len(entries))
                              .returning(AuditHead.seq, AuditHead.hash)).one()
    seq, digest = head.seq - len(entries), head.hash
    rows = []
    for entry in entries:
        seq, prev_hash = seq + 1, digest
        at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        body = canonical(entry.details or {})
        digest = event_hash(seq, at, entry.actor, entry.action, entry.subject, body, prev_hash)
        rows.append({"seq": seq, "at": at, "actor": entry.actor, "action": entry.action, "subject": entry.subject,
                     "details": body, "prev_hash": prev_hash, "hash": digest})
    connection.execute(cast(Table, AuditEvent.__table__).insert(), rows)  # a declarative __table__ is a Table
    connection.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=digest))
    return [row["seq"] for row in rows]


def anchor(connection: Connection, store: ObjectStore) -> None:
    """Write the last event's number and hash to the object store (nothing when there is no event yet)."""
    head = connection.execute(select(AuditHead).where(AuditHead.id == 1)).one()
    if head.seq:
        body = json.dumps({"log": head.log_id, "seq": head.seq, "hash": head.hash}).encode()
        store.put(f"{ANCHORS}{head.log_id}/{head.seq:012d}.json", body, "application/json")


def verify(connection: Connection, store: ObjectStore | None = None) -> list[Problem]:
    """Every changed or removed event, found by the chain, the head row and (given a store) the anchors."""
    head = connection.execute(select(AuditHead).where(AuditHead.id == 1)).one()
    anchors = _anchors(store, head.log_id) if store is not None else {}
    problems: list[Problem] = []
    expected_seq, prev_hash = 1, ""
    events = select(AuditEvent.__table__).where(AuditEvent.seq <= head.seq)  # later ones were appended meanwhile
    for event in connection.execute(events.order_by(AuditEvent.seq).execution_options(yield_per=10_000)):
        if event.seq != expected_seq:
            gap = f"{expected_seq}" if event.seq == expected_seq + 1 else f"{expected_seq} to {event.seq - 1}"
            problems.append(Problem(expected_seq, f"removed (events {gap} are missing)"))
        elif event.prev_hash != prev_hash:
            problems.append(Problem(event.seq - 1, f"changed (event {event.seq} no longer links to it)"))
        if event.hash != event_hash(event.seq, event.at, event.actor, event.action, event.subject, event.details,
                                    event.prev_hash):
            problems.append(Problem(event.seq, f"changed (this {event.action} event no longer matches its hash)"))
        if event.seq in anchors and anchors.pop(event.seq) != event.hash:
            problems.append(Problem(event.seq, "changed after it was anchored in the object store"))
        expected_seq, prev_hash = event.seq + 1, event.hash
    last = expected_seq - 1
    problems += [Problem(seq, "removed (it was anchored in the object store)") for seq in sorted(anchors)]
    if head.seq > last:
        problems.append(Problem(last + 1, f"removed (the log held {head.seq} events, {last} are left)"))
    elif head.seq < last or head.hash != prev_hash:
        problems.append(Problem(last, "changed (the log's head row does not match its last event)"))
    return problems


def _anchors(store: ObjectStore, log_id: str) -> dict[int, str]:
    marks = (json.loads(store.get(key)) for key in store.keys(f"{ANCHORS}{log_id}/"))
    return {mark["seq"]: mark["hash"] for mark in marks}
