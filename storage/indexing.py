"""A stored document version (its CONTRACT §2 JSON and its two objects) turned into catalog rows, many at a time."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, select, update

from ocr.understand import ENTRY_PAGE
from storage import fulltext
from storage.folding import fold
from storage.objects import StoredObject
from storage.schema import Base, Document, Field, ObjectRow, Page, Record

FOLDED_MAX = 200  # search keys are short (names, numbers, IDs, dates); long values are found by full text
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class StoredDocument:
    """A document version as stored: the JSON (with its ``agency``, ``batch`` and ``version`` keys) and objects."""
    record: dict[str, Any]
    pdf: StoredObject
    json: StoredObject


@dataclass
class IndexRows:
    """The rows one document version gives the catalog, all derived from its stored JSON."""
    pages: list[dict[str, Any]]
    fields: list[dict[str, Any]]
    records: list[dict[str, Any]]
    body: str  # what full text search reads


def index_rows(pk: int, record: dict[str, Any]) -> IndexRows:
    pages = [{"document_pk": pk, "index": p["index"], "source_page": p["source_page"], "blank": p["blank"],
              "confidence": p["confidence"], "text": p["text"]} for p in record["pages"]]
    fields = [{"document_pk": pk, "record_index": None, **_field(n, v)} for n, v in _searched_values(record)]
    records = []
    for index, entry in enumerate(record.get("records") or [], 1):
        records.append({"document_pk": pk, "index": index, "data": entry})
        fields += [{"document_pk": pk, "record_index": index, **_field(n, v)} for n, v in _entry_values(entry)]
    return IndexRows(pages, fields, records, search_body(record))


def index_documents(connection: Connection, docs: Sequence[StoredDocument]) -> list[int]:
    """Insert the rows of many document versions at once (bulk statements); their ``documents.pk``s."""
    if not docs:
        return []
    bulk_insert(connection, Document, [document_row(d) for d in docs])
    pks = _pks(connection, [(d.record["id"], d.record["version"]) for d in docs])
    pages, fields, records, objects, bodies = [], [], [], [], []
    for pk, doc in zip(pks, docs, strict=True):
        rows = index_rows(pk, doc.record)
        pages += rows.pages
        fields += rows.fields
        records += rows.records
        objects += [{"key": o.key, "sha256": o.sha256, "size": o.size, "content_type": o.content_type,
                     "batch_id": doc.record["batch"], "document_pk": pk} for o in (doc.pdf, doc.json)]
        bodies.append((pk, rows.body))
    for table, rows_of_table in ((Page, pages), (Field, fields), (Record, records), (ObjectRow, objects)):
        bulk_insert(connection, table, rows_of_table)
    fulltext.index_bodies(connection, bodies)
    _mark_latest(connection, sorted({d.record["id"] for d in docs if d.record["version"] > 1}))
    return pks


def bulk_insert(connection: Connection, table: type[Base], rows: list[dict[str, Any]]) -> None:
    """Many rows of one table: PostgreSQL's COPY (far faster than INSERTs), else one executemany."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    quoted = ", ".join(f'"{c}"' for c in columns)
    driver = connection.connection.driver_connection
    if driver is None:  # only a connection that was closed or invalidated has none
        raise RuntimeError("the catalog connection is closed")
    with driver.cursor() as cursor, \
            cursor.copy(f"COPY {table.__tablename__} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                            for v in (row[c] for c in columns)])


CODES = ("dossier_code", "result_code")  # one-stop identifiers the document JSON carries beside its fields


def _searched_values(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The document's fields and its dossier and result codes, as (name, value) pairs."""
    return [*_scalars(record["fields"]), *_scalars({k: record[k] for k in CODES if record.get(k)})]


def search_body(record: dict[str, Any]) -> str:
    """What full text search reads: field values, codes, register entries and the text of the pages."""
    values = [v for _, v in _searched_values(record)]
    values += [v for entry in record.get("records") or [] for _, v in _entry_values(entry)]
    values += [p["text"] for p in record["pages"] if not p["blank"]]
    return "\n".join(values)


def without_page_texts(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "pages": [{k: v for k, v in p.items() if k != "text"} for p in record["pages"]]}


def document_row(doc: StoredDocument) -> dict[str, Any]:
    r = doc.record
    retention = r.get("retention") or {}  # absent from documents stored before retention classes
    return {"id": r["id"], "version": r["version"], "latest": True, "agency": r["agency"], "batch_id": r["batch"],
            "doc_type": r["doc_type"], "needs_review": r["needs_review"], "source": r["source"], "sha256": r["sha256"],
            "pdf_key": doc.pdf.key, "json_key": doc.json.key, "record": without_page_texts(r),
            "signed_at": utc_text(r["signature"]["signed_at"]),
            "retention_class": retention.get("class"), "retain_until": retention.get("until")}


def utc_text(timestamp: str) -> str:
    """An ISO 8601 time as fixed-width UTC text ("2024-05-04T01:00:00.000000Z"), so that text order is time order."""
    moment = dt.datetime.fromisoformat(timestamp)
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _scalars(values: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for name, value in values.items():
        if value is not None and not isinstance(value, dict | list):
            yield name, str(value)


def _entry_values(entry: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """A register entry's values, without the number of the page it is on (not something to search for)."""
    return ((name, value) for name, value in _scalars(entry) if name != ENTRY_PAGE)


def _field(name: str, value: str) -> dict[str, Any]:
    date = None
    if _ISO_DATE.fullmatch(value):
        with contextlib.suppress(ValueError):  # 2023-02-30: not a date, only text
            date = dt.date.fromisoformat(value)
    return {"name": name, "value": value, "folded": fold(value)[:FOLDED_MAX], "date_value": date}


def _pks(connection: Connection, versions: list[tuple[str, int]]) -> list[int]:
    """documents.pk of each (id, version), in order (one query, not a RETURNING row by row on SQLite)."""
    rows = connection.execute(select(Document.id, Document.version, Document.pk)
                              .where(Document.id.in_(sorted({doc_id for doc_id, _ in versions}))))
    found = {(doc_id, version): pk for doc_id, version, pk in rows}
    return [found[key] for key in versions]


def _mark_latest(connection: Connection, doc_ids: list[str]) -> None:
    """Only the highest version of each document stays ``latest`` (the one search shows). Only documents given a
    version after the first can have an older one: a bulk load of first versions updates nothing, so indexing a
    batch costs the same however large the catalog is. (A rebuild meets a document's versions in key order: v1
    always comes first, and v10 before v2 is harmless, both being later versions.)"""
    if not doc_ids:
        return
    docs = cast(Table, Document.__table__)  # a declarative __table__ is a Table
    newer = docs.alias("newer")
    top = select(func.max(newer.c.version)).where(newer.c.id == docs.c.id).scalar_subquery()
    connection.execute(update(docs).where(docs.c.id.in_(doc_ids), docs.c.latest, docs.c.version < top)
                       .values(latest=False))
