"""Fixity: re-hash stored objects and compare with the SHA-256 the catalog recorded when they were stored; and for
each document version's JSON, compare what the catalog indexes with what the JSON says (``storage.index_check``)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import or_, select, update

from storage import audit
from storage.catalog import Catalog, now
from storage.index_check import index_differences
from storage.objects import ObjectMissing, ObjectStore, rehash
from storage.schema import ObjectRow

RECHECK_AFTER = dt.timedelta(days=30)
_REPORTED_KEYS = 100  # the audit event names at most this many problem keys of each kind


@dataclass(frozen=True)
class Mismatch:
    key: str
    expected: str
    actual: str


@dataclass(frozen=True)
class Forged:
    """A document version whose catalog rows differ from its signed JSON: ``parts`` name what differs."""
    key: str  # the JSON's key
    parts: list[str]


@dataclass
class FixityReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    mismatched: list[Mismatch] = field(default_factory=list)
    forged: list[Forged] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatched and not self.forged


def check_fixity(catalog: Catalog, store: ObjectStore, *, actor: str, everything: bool = False) -> FixityReport:
    """Check every object (``everything``) or those not checked in the last 30 days; audit and anchor the run."""
    started = now()
    query = select(ObjectRow.key, ObjectRow.sha256, ObjectRow.document_pk).order_by(ObjectRow.key)
    if not everything:
        query = query.where(or_(ObjectRow.checked_at.is_(None), ObjectRow.checked_at < started - RECHECK_AFTER))
    with catalog.engine.connect() as connection:
        objects = connection.execute(query).all()
    report = FixityReport()
    statuses: dict[str, list[str]] = {"ok": [], "missing": [], "mismatch": [], "index": []}
    for key, expected, document_pk in objects:
        try:
            actual, data = _rehash(store, key, indexed=document_pk is not None and key.endswith(".json"))
        except ObjectMissing:
            report.missing.append(key)
            statuses["missing"].append(key)
            continue
        if actual != expected:
            report.mismatched.append(Mismatch(key, expected, actual))
            statuses["mismatch"].append(key)
        elif data is not None and document_pk is not None and (parts := _index_differences(catalog, document_pk, data)):
            report.forged.append(Forged(key, parts))
            statuses["index"].append(key)
        else:
            statuses["ok"].append(key)
    report.checked = len(objects)
    with catalog.engine.begin() as connection:
        for status, keys in statuses.items():
            for start in range(0, len(keys), 500):
                connection.execute(update(ObjectRow).where(ObjectRow.key.in_(keys[start:start + 500]))
                                   .values(checked_at=started, check_status=status))
        audit.append(connection, actor, "fixity", "all objects" if everything else "objects due", {
            "checked": report.checked, "missing": len(report.missing), "mismatched": len(report.mismatched),
            "missing_keys": report.missing[:_REPORTED_KEYS],
            "mismatched_keys": [m.key for m in report.mismatched[:_REPORTED_KEYS]],
            "forged": len(report.forged), "forged_keys": [f.key for f in report.forged[:_REPORTED_KEYS]]})
        audit.anchor(connection, store)
    return report


def _rehash(store: ObjectStore, key: str, *, indexed: bool) -> tuple[str, bytes | None]:
    """An object's SHA-256 as stored now; for a document version's JSON, its bytes too (read once)."""
    if not indexed:
        return rehash(store, key), None
    data = store.get(key)
    return hashlib.sha256(data).hexdigest(), data


def _index_differences(catalog: Catalog, pk: int, data: bytes) -> list[str]:
    with catalog.engine.connect() as connection:
        return index_differences(connection, pk, json.loads(data))
