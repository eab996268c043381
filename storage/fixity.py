"""Fixity: re-hash stored objects and compare with the SHA-256 the catalog recorded when they were stored."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import or_, select, update

from storage import audit
from storage.catalog import Catalog, now
from storage.objects import ObjectMissing, ObjectStore, rehash
from storage.schema import ObjectRow

RECHECK_AFTER = dt.timedelta(days=30)
_REPORTED_KEYS = 100  # the audit event names at most this many problem keys of each kind


@dataclass(frozen=True)
class Mismatch:
    key: str
    expected: str
    actual: str


@dataclass
class FixityReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    mismatched: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatched


def check_fixity(catalog: Catalog, store: ObjectStore, *, actor: str, everything: bool = False) -> FixityReport:
    """Check every object (``everything``) or those not checked in the last 30 days; audit and anchor the run."""
    started = now()
    query = select(ObjectRow.key, ObjectRow.sha256).order_by(ObjectRow.key)
    if not everything:
        query = query.where(or_(ObjectRow.checked_at.is_(None), ObjectRow.checked_at < started - RECHECK_AFTER))
    with catalog.engine.connect() as connection:
        objects = connection.execute(query).all()
    report = FixityReport()
    statuses: dict[str, list[str]] = {"ok": [], "missing": [], "mismatch": []}
    for key, expected in objects:
        try:
            actual = rehash(store, key)
        except ObjectMissing:
            report.missing.append(key)
            statuses["missing"].append(key)
            continue
        if actual == expected:
            statuses["ok"].append(key)
        else:
            report.mismatched.append(Mismatch(key, expected, actual))
            statuses["mismatch"].append(key)
    report.checked = len(objects)
    with catalog.engine.begin() as connection:
        for status, keys in statuses.items():
            for start in range(0, len(keys), 500):
                connection.execute(update(ObjectRow).where(ObjectRow.key.in_(keys[start:start + 500]))
                                   .values(checked_at=started, check_status=status))
        audit.append(connection, actor, "fixity", "all objects" if everything else "objects due", {
            "checked": report.checked, "missing": len(report.missing), "mismatched": len(report.mismatched),
            "missing_keys": report.missing[:_REPORTED_KEYS],
            "mismatched_keys": [m.key for m in report.mismatched[:_REPORTED_KEYS]]})
        audit.anchor(connection, store)
    return report
