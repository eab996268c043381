"""A reviewer's corrections to what was read: ``FIELD=VALUE`` typed by a person, checked and put in contract form.

Targets are a document field (``full_name``), a register entry's field (``records.3.full_name``, entries counted
from 1) or the document type (``doc_type``). An empty value removes the field. A register page's entries may also be
given whole (a person keying in a page OCR could not read). What a person typed is kept as typed (names are not
"repaired" the way OCR output is); only the form is normalized: ISO dates, ``Nam``/``Nữ``, digits.

A reviewer may also confirm a value that was right but in doubt (read with low confidence, a personal ID of an unknown
province …): the doubt about that target no longer flags the document, in this version and the next, until the value
is changed.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from ocr.doctypes import DOC_TYPES, FIELDS, RECORD_FIELDS
from ocr.normalize import nfc, parse_area, parse_date, parse_gender
from ocr.understand import ENTRY_PAGE
from ocr.validate import Doubt, field_doubts, record_doubts

_RECORD_TARGET = re.compile(r"records\.(\d+)\.(\w+)")
_PARSED: dict[str, tuple[Callable[[str], str | None], str]] = {
    "gender": (parse_gender, "neither Nam nor Nữ"), "area_m2": (parse_area, "not an area in square metres")}


class BadCorrection(ValueError):
    pass


@dataclass(frozen=True)
class Change:
    target: str  # full_name, records.3.full_name or doc_type
    old: str | None
    new: str | None  # None: removed


@dataclass
class Corrected:
    doc_type: str
    fields: dict[str, str]
    records: list[dict[str, Any]]
    changes: list[Change] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)  # targets confirmed now
    doubts: list[Doubt] = field(default_factory=list)  # what the checks still find, less what was confirmed

    @property
    def review_reasons(self) -> list[str]:
        return [d.reason for d in self.doubts]


def parse_assignment(text: str) -> tuple[str, str]:
    """``FIELD=VALUE`` → (FIELD, VALUE)."""
    target, sep, value = text.partition("=")
    if not sep or not target.strip():
        raise BadCorrection(f"{text!r}: expected FIELD=VALUE")
    return target.strip(), value.strip()


def typed_value(name: str, text: str) -> str | None:
    """A typed value in the form the contract gives that field; None for an empty value (the field is removed)."""
    text = " ".join(nfc(text).split())
    if not text:
        return None
    if name.endswith("date") or name.startswith("date_of") or name.endswith("date_of_birth"):
        value = parse_date(text)
        if value is None or not _is_date(value):
            raise BadCorrection(f"{name}: {text!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
        return value
    if name in _PARSED:
        parse, problem = _PARSED[name]
        value = parse(text)
        if value is None:
            raise BadCorrection(f"{name}: {text!r} is {problem}")
        return value
    if name.endswith("personal_id") or name == "phone":
        digits = re.sub(r"[\s.\-]", "", text)
        if not digits.isdigit() or (name != "phone" and len(digits) != 12):
            raise BadCorrection(f"{name}: {text!r} is not {'12 digits' if name != 'phone' else 'a phone number'}")
        return digits
    return text


def apply_corrections(doc_type: str, fields: dict[str, str], records: list[dict[str, Any]],
                      assignments: list[tuple[str, str]], *, confirm: Collection[str] = (),
                      entries: list[dict[str, Any]] | None = None, doubted: Collection[str] = (),
                      confirmed_before: Collection[str] = (), today: dt.date | None = None) -> Corrected:
    """The document with the assignments applied in order (after ``entries``, which replace the register entries
    when given), ``confirm`` targets among those ``doubted``, and what its checks say now.

    A new document type drops the fields the new type does not have (listed as changes). Targets confirmed before
    stay confirmed unless their value changes now."""
    result = Corrected(doc_type, dict(fields), copy.deepcopy(records))
    if entries is not None:
        _set_entries(result, entries)
    for target, text in assignments:
        if target == "doc_type":
            _set_type(result, text)
        elif match := _RECORD_TARGET.fullmatch(target):
            _set_entry_field(result, int(match[1]), match[2], text)
        else:
            _set_field(result, target, text)
    for target in confirm:
        if target not in doubted:
            raise BadCorrection(f"{target}: nothing to confirm, it is not in doubt")
    result.confirmed = list(dict.fromkeys(confirm))
    if not result.changes and not result.confirmed:
        raise BadCorrection("the corrections change nothing")
    changed = {c.target for c in result.changes}
    kept = {t for t in confirmed_before if t not in changed and not (entries is not None and t.startswith("records"))}
    accepted = kept | set(result.confirmed)
    doubts = field_doubts(result.doc_type, result.fields, {}, today)
    if result.doc_type in RECORD_FIELDS:
        doubts += record_doubts(result.records, today)
    result.doubts = [d for d in doubts if d.target not in accepted]
    return result


def confirmed_targets(corrections: list[tuple[list[str], list[str]]]) -> set[str]:
    """What stands confirmed after a document's corrections, each given as (targets changed, targets confirmed), in
    order: a confirmation holds until its target is changed."""
    confirmed: set[str] = set()
    for changed, confirmed_now in corrections:
        confirmed = (confirmed - set(changed)) | set(confirmed_now)
    return confirmed


def _set_entries(result: Corrected, entries: list[dict[str, Any]]) -> None:
    """A register page's entries, given whole (as keyed in a grid): each typed value checked; empty rows dropped."""
    if result.doc_type not in RECORD_FIELDS:
        raise BadCorrection(f"records: a {result.doc_type} has no register entries")
    allowed = RECORD_FIELDS[result.doc_type]
    rows = [_keyed_entry(number, entry, result.doc_type, allowed) for number, entry in enumerate(entries, 1)]
    keyed = [row for row in rows if any(name != ENTRY_PAGE for name in row)]
    result.changes += _entry_changes(result.records, keyed, allowed)
    result.records = keyed


def _keyed_entry(number: int, entry: dict[str, Any], doc_type: str, allowed: list[str]) -> dict[str, Any]:
    """One keyed entry (the ``number``th, from 1), its page number and typed values checked."""
    row: dict[str, Any] = {}
    for name, text in entry.items():
        if name == ENTRY_PAGE:
            if not isinstance(text, int) or text < 1:
                raise BadCorrection(f"records.{number}.page: {text!r} is not a page number")
            row[name] = text
        elif name not in allowed:
            raise BadCorrection(f"records.{number}: {name!r} is not a field of a {doc_type} entry "
                                f"(fields: {', '.join(allowed)})")
        else:
            try:
                value = typed_value(name, str(text))
            except BadCorrection as exc:  # its message starts with the field's name
                raise BadCorrection(f"records.{number}.{exc}") from None
            if value is not None:
                row[name] = value
    return row


def _entry_changes(before: list[dict[str, Any]], after: list[dict[str, Any]], allowed: list[str]) -> list[Change]:
    """What changed, entry by entry and field by field, when the entries ``before`` are replaced by ``after``."""
    changes = []
    for number in range(1, max(len(after), len(before)) + 1):
        old = before[number - 1] if number <= len(before) else {}
        new = after[number - 1] if number <= len(after) else {}
        changes += [Change(f"records.{number}.{name}", old.get(name), new.get(name)) for name in allowed
                    if old.get(name) != new.get(name)]
    return changes


def _set_type(result: Corrected, text: str) -> None:
    doc_type = text.strip()
    if doc_type not in DOC_TYPES:
        raise BadCorrection(f"doc_type: {doc_type!r} is not a document type ({', '.join(DOC_TYPES)})")
    if doc_type == result.doc_type:
        return
    result.changes.append(Change("doc_type", result.doc_type, doc_type))
    result.doc_type = doc_type
    for name in [n for n in result.fields if n not in FIELDS.get(doc_type, [])]:
        result.changes.append(Change(name, result.fields.pop(name), None))
    if doc_type not in RECORD_FIELDS and result.records:
        result.changes.append(Change("records", f"{len(result.records)} entries", None))
        result.records = []


def _set_field(result: Corrected, name: str, text: str) -> None:
    if name not in FIELDS.get(result.doc_type, []):
        allowed = ", ".join(FIELDS.get(result.doc_type, [])) or "none"
        raise BadCorrection(f"{name!r} is not a field of {result.doc_type} (fields: {allowed})")
    _assign(result, result.fields, name, typed_value(name, text), name)


def _set_entry_field(result: Corrected, number: int, name: str, text: str) -> None:
    if result.doc_type not in RECORD_FIELDS:
        raise BadCorrection(f"records.{number}.{name}: a {result.doc_type} has no register entries")
    if name not in RECORD_FIELDS[result.doc_type]:
        raise BadCorrection(f"{name!r} is not a field of a {result.doc_type} entry "
                            f"(fields: {', '.join(RECORD_FIELDS[result.doc_type])})")
    if not 1 <= number <= len(result.records):
        raise BadCorrection(f"records.{number}: the page has {len(result.records)} entries")
    _assign(result, result.records[number - 1], name, typed_value(name, text), f"records.{number}.{name}")


def _assign(result: Corrected, values: dict[str, Any], name: str, value: str | None, target: str) -> None:
    old = values.get(name)
    if old == value:
        return
    if value is None:
        values.pop(name, None)
    else:
        values[name] = value
    result.changes.append(Change(target, old, value))


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True
