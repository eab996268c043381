"""A reviewer's corrections to what was read: ``FIELD=VALUE`` typed by a person, checked and put in contract form.

Targets are a document field (``full_name``), a register entry's field (``records.3.full_name``, entries counted
from 1) or the document type (``doc_type``). An empty value removes the field. What a person typed is kept as typed
(names are not "repaired" the way OCR output is); only the form is normalized: ISO dates, ``Nam``/``Nữ``, digits.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ocr.doctypes import DOC_TYPES, FIELDS, RECORD_FIELDS
from ocr.normalize import nfc, parse_area, parse_date, parse_gender
from ocr.validate import record_reasons, review_reasons

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
    review_reasons: list[str] = field(default_factory=list)  # what the checks still find after the correction


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
                      assignments: list[tuple[str, str]], today: dt.date | None = None) -> Corrected:
    """The document with the assignments applied in order, and what its checks say now.

    A new document type drops the fields the new type does not have (listed as changes)."""
    result = Corrected(doc_type, dict(fields), copy.deepcopy(records))
    for target, text in assignments:
        if target == "doc_type":
            _set_type(result, text)
        elif match := _RECORD_TARGET.fullmatch(target):
            _set_entry_field(result, int(match[1]), match[2], text)
        else:
            _set_field(result, target, text)
    if not result.changes:
        raise BadCorrection("the corrections change nothing")
    result.review_reasons = review_reasons(result.doc_type, result.fields, {}, today)
    if result.doc_type in RECORD_FIELDS:
        result.review_reasons += record_reasons(result.records, today)
    return result


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
