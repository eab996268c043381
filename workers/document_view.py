"""What an officer sees of one stored document: its data, whether its signature holds, its versions; and the line a
list shows for a document (who it is about, its number).

The signature is checked on the stored signed PDF itself (read back against the SHA-256 the catalog recorded) with
the service's trust roots and CRLs, as ``POST /api/verify`` checks an uploaded copy.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import x509

from signing.verify import VerifyReport, verify_pdf
from storage.catalog import Catalog
from storage.objects import ObjectStore, read_object
from storage.retrieval import audit_read, find_document, read_record
from storage.schema import Document
from workers.history import Version, document_versions

NAME_FIELDS = ("full_name", "husband_name", "wife_name", "owner_name", "applicant_name")
NUMBER_FIELDS = ("registration_number", "document_number", "certificate_number", "license_number", "record_number",
                 "result_code", "dossier_code")
SHOWN_ENTRY_NAMES = 3


@dataclass(frozen=True)
class Trust:
    """What a signature is checked against: the configured CA certificates and CRLs (DER)."""
    roots: list[x509.Certificate]
    crls: list[bytes] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentView:
    record: dict[str, Any]  # the version's CONTRACT §2 JSON with page texts, as stored
    signature: VerifyReport  # of the version's stored signed PDF
    versions: list[Version]  # every version, oldest first


@dataclass(frozen=True)
class Headline:
    """Who a document is about and its number, for a line in a list."""
    names: list[str]  # a register page: the first entries' names
    more_names: int  # entries not named
    number_field: str | None
    number: str | None
    subject: str | None  # a decision's or letter's


def view_document(catalog: Catalog, store: ObjectStore, doc_id: str, trust: Trust, *, actor: str,
                  version: int | None = None, agencies: Collection[str] | None = None) -> DocumentView:
    """A version (the latest unless ``version``) with its signature checked and its history; one "view" audit event.
    Raises DocumentNotFound (also for an agency not in ``agencies``), ObjectMissing, ObjectChanged."""
    doc = find_document(catalog, doc_id, version, agencies)
    record = read_record(catalog, store, doc_id, actor=actor, version=doc.version, agencies=agencies)
    return DocumentView(record, _verify(store, doc, trust), document_versions(catalog, doc_id, agencies))


def check_signature(catalog: Catalog, store: ObjectStore, doc_id: str, trust: Trust, *, actor: str,
                    version: int | None = None, agencies: Collection[str] | None = None) -> VerifyReport:
    """The verification report of a version's stored signed PDF; a "view" audit event saying whether it held."""
    doc = find_document(catalog, doc_id, version, agencies)
    report = _verify(store, doc, trust)
    audit_read(catalog, actor, "view", doc, doc.pdf_key, doc.sha256, verified=report.valid)
    return report


def version_history(catalog: Catalog, doc_id: str, *, actor: str,
                    agencies: Collection[str] | None = None) -> list[Version]:
    """Every version of a document, oldest first, with the corrections that made them; a "view" audit event."""
    versions = document_versions(catalog, doc_id, agencies)
    catalog.note_read(actor, "view", doc_id, {"versions": [v.version for v in versions]})
    return versions


def headline(record: dict[str, Any]) -> Headline:
    """The names a document is about (a register page: its entries'), its number and its subject."""
    fields = record.get("fields") or {}
    entries = record.get("records") or []
    if entries:
        names = [name for entry in entries if (name := _names(entry))]
        shown = names[:SHOWN_ENTRY_NAMES]
        more = len(entries) - len(shown)
    else:
        shown, more = ([n] if (n := _names(fields)) else []), 0
    number_field = next((f for f in NUMBER_FIELDS if fields.get(f)), None)
    return Headline(shown, more, number_field, fields.get(number_field) if number_field else None,
                    fields.get("subject"))


def _names(values: dict[str, Any]) -> str:
    """A document's or an entry's person (a marriage: husband and wife)."""
    return " – ".join(str(values[f]) for f in NAME_FIELDS if values.get(f))


def _verify(store: ObjectStore, doc: Document, trust: Trust) -> VerifyReport:
    data = read_object(store, doc.pdf_key, doc.sha256)
    return verify_pdf(data, trust.roots, f"{doc.id}-v{doc.version}.pdf", trust.crls)
