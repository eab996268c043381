"""Reuse: everything the catalog holds about one person, found from a personal ID.

What a lookup returns (latest versions only, in the agencies the caller may see):

- ``documents``: results that print the ID — ``personal_id`` (role ``subject``), ``husband_personal_id`` or
  ``wife_personal_id`` (roles ``husband``, ``wife``). Match ``personal_id``: certain.
- The person's ``names`` and ``dates_of_birth`` as those documents print them for that role.
- ``register_entries``: entries of register pages (which print no IDs) naming the person — ``full_name``,
  ``husband_name`` or ``wife_name`` equal to one of the names once folded. Match ``name_and_date_of_birth``
  when the entry's date of birth is one of the person's; entries with another date of birth are left out;
  entries without one are ``name`` matches, to be confirmed by the officer.
- ``as_parent``: birth certificates and birth register entries whose ``father_name`` or ``mother_name`` is one
  of the person's names (roles ``father``, ``mother``); ``name`` matches, to be confirmed.

The lookup is a ``search`` audit event with its actor.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, select

from storage.catalog import Catalog
from storage.folding import fold
from storage.schema import Document, Field, Record

ID_ROLES = {"personal_id": "subject", "husband_personal_id": "husband", "wife_personal_id": "wife"}
NAMES_OF_ROLE = {"subject": ("full_name", "owner_name", "applicant_name"), "husband": ("husband_name",),
                 "wife": ("wife_name",)}
BIRTH_OF_ROLE = {"subject": "date_of_birth", "husband": "husband_date_of_birth", "wife": "wife_date_of_birth"}
ENTRY_ROLES = {"full_name": "subject", "husband_name": "husband", "wife_name": "wife"}
PARENT_ROLES = {"father_name": "father", "mother_name": "mother"}


@dataclass
class Person:
    personal_id: str
    names: list[str] = field(default_factory=list)
    dates_of_birth: list[str] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    register_entries: list[dict[str, Any]] = field(default_factory=list)
    as_parent: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def find_person(catalog: Catalog, personal_id: str, *, actor: str,
                agencies: Collection[str] | None = None) -> Person:
    person = Person(personal_id)
    key = fold(personal_id)
    with catalog.engine.connect() as connection:
        id_fields = and_(Field.folded == key, Field.name.in_(list(ID_ROLES)), Field.record_index.is_(None))
        for record, id_field in _rows(connection, agencies, (Document.record, Field.name), id_fields):
            role = ID_ROLES[id_field]
            person.documents.append({"role": role, "match": "personal_id", "document": record})
            fields = record["fields"]
            _add_unique(person.names, [fields[n] for n in NAMES_OF_ROLE[role] if fields.get(n)])
            _add_unique(person.dates_of_birth, [fields[BIRTH_OF_ROLE[role]]] if fields.get(BIRTH_OF_ROLE[role]) else [])
        folded_names = sorted({fold(n) for n in person.names})
        if folded_names:
            person.register_entries = _entries(connection, agencies, folded_names, set(person.dates_of_birth))
            person.as_parent = _as_parent(connection, agencies, folded_names)
    catalog.note_read(actor, "search", personal_id, {
        "reuse": True, "documents": len(person.documents), "register_entries": len(person.register_entries),
        "as_parent": len(person.as_parent), "agencies": sorted(agencies) if agencies is not None else None})
    return person


def _rows(connection: Connection, agencies: Collection[str] | None, columns: tuple, condition: Any) -> list:
    """``columns`` of latest documents joined to their fields meeting ``condition``."""
    statement = (select(*columns).join(Field, Field.document_pk == Document.pk).where(Document.latest, condition)
                 .order_by(Document.signed_at.desc(), Document.id, Field.record_index))
    if agencies is not None:
        statement = statement.where(Document.agency.in_(sorted(agencies)))
    return list(connection.execute(statement))


def _entries(connection: Connection, agencies: Collection[str] | None, names: list[str],
             births: set[str]) -> list[dict[str, Any]]:
    condition = and_(Field.folded.in_(names), Field.name.in_(list(ENTRY_ROLES)), Field.record_index.is_not(None))
    found = []
    for pk, record, index, name in _rows(connection, agencies,
                                         (Document.pk, Document.record, Field.record_index, Field.name), condition):
        entry = _entry(connection, pk, index)
        birth = entry.get("date_of_birth")
        if birth and births and birth not in births:
            continue
        found.append({"role": ENTRY_ROLES[name], "match": "name_and_date_of_birth" if birth in births else "name",
                      "document": record, "entry": index, "record": entry})
    return found


def _as_parent(connection: Connection, agencies: Collection[str] | None, names: list[str]) -> list[dict[str, Any]]:
    condition = and_(Field.folded.in_(names), Field.name.in_(list(PARENT_ROLES)))
    found = []
    for pk, record, index, name in _rows(connection, agencies,
                                         (Document.pk, Document.record, Field.record_index, Field.name), condition):
        if index is None and record["doc_type"] != "birth_certificate":
            continue
        found.append({"role": PARENT_ROLES[name], "match": "name", "document": record, "entry": index,
                      "record": _entry(connection, pk, index) if index is not None else None})
    return found


def _entry(connection: Connection, document_pk: int, index: int) -> dict[str, Any]:
    """The register entry a field row points at (indexed with it, so always there)."""
    return connection.execute(select(Record.data).where(Record.document_pk == document_pk, Record.index == index)
                              ).scalar_one()


def _add_unique(values: list[str], new: list[str]) -> None:
    values += [v for v in new if v not in values]
