"""Checks that decide whether a reviewer must look at a document, each with a reason a reviewer understands."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ocr.doctypes import REQUIRED
from ocr.domain import looks_like_name, province_codes

LOW_FIELD_CONFIDENCE = 0.60
# Fourth digit of a personal ID: century of birth and gender (Circular 59/2021/TT-BCA).
_CENTURY_GENDER = {0: (1900, "Nam"), 1: (1900, "Nữ"), 2: (2000, "Nam"), 3: (2000, "Nữ"), 4: (2100, "Nam"),
                   5: (2100, "Nữ"), 6: (2200, "Nam"), 7: (2200, "Nữ"), 8: (1800, "Nam"), 9: (1800, "Nữ")}


def personal_id_problems(pid: str, gender: str | None = None, born: str | None = None) -> list[str]:
    """What is wrong with a personal ID by itself and against the holder's gender and birth date."""
    if len(pid) != 12 or not pid.isdigit():
        return [f"personal ID {pid} is not 12 digits"]
    problems = []
    if pid[:3] not in province_codes():
        problems.append(f"personal ID {pid} starts with {pid[:3]}, which is no province's code")
    century, id_gender = _CENTURY_GENDER[int(pid[3])]
    if gender and gender != id_gender:
        problems.append(f"personal ID {pid} is a {id_gender} person's (digit 4 is {pid[3]}) but the gender is {gender}")
    if born:
        year = int(born[:4])
        if year // 100 * 100 != century or year % 100 != int(pid[4:6]):
            problems.append(f"personal ID {pid} says born in {century + int(pid[4:6])} but the date of birth is {born}")
    return problems


@dataclass(frozen=True)
class Doubt:
    """Why a reviewer must look, and at what: a field (``personal_id``), a register entry's field
    (``records.3.registration_date``), the entries (``records``), the type (``doc_type``) or a page (``pages.2``)."""
    target: str
    reason: str


def field_doubts(doc_type: str, fields: dict[str, str], confidences: dict[str, float],
                 today: dt.date | None = None) -> list[Doubt]:
    """Doubts about the extracted fields: IDs, impossible dates, unsure readings, missing fields."""
    today = today or dt.date.today()
    doubts = []
    for prefix in ("", "husband_", "wife_"):
        pid = fields.get(f"{prefix}personal_id")
        if pid:
            gender = fields.get("gender") or {"husband_": "Nam", "wife_": "Nữ"}.get(prefix)
            doubts += [Doubt(f"{prefix}personal_id", problem)
                       for problem in personal_id_problems(pid, gender, fields.get(f"{prefix}date_of_birth"))]
    doubts += [Doubt(name, problem) for name, problem in _date_problems(fields, today)]
    for name, confidence in confidences.items():
        if name in fields and confidence < LOW_FIELD_CONFIDENCE:
            doubts.append(Doubt(name, f"{name}: read with low confidence ({confidence:.0%}): {fields[name]!r}"))
    doubts += [Doubt(name, f"required field not found: {name}") for name in REQUIRED.get(doc_type, [])
               if name not in fields]
    return doubts


def _date_problems(fields: dict[str, str], today: dt.date) -> list[tuple[str, str]]:
    """(the field that looks wrong, what is wrong with it)."""
    problems = []
    for name, value in fields.items():
        if (name.endswith("date") or "date_of" in name) and name != "expiry_date" and value > today.isoformat():
            problems.append((name, f"{name} {value} is in the future"))
    born = fields.get("date_of_birth")
    for name in ("registration_date", "date_of_death", "issue_date"):
        if born and fields.get(name) and fields[name] < born:
            problems.append((name, f"{name} {fields[name]} is before the date of birth {born}"))
    if fields.get("issue_date") and fields.get("expiry_date") and fields["expiry_date"] < fields["issue_date"]:
        problems.append(("expiry_date", f"expiry_date {fields['expiry_date']} is before issue_date "
                                        f"{fields['issue_date']}"))
    return problems


def record_doubts(records: list[dict[str, str]], today: dt.date | None = None) -> list[Doubt]:
    """Doubts about a register page's entries (numbered from 1)."""
    today = today or dt.date.today()
    doubts = []
    for i, record in enumerate(records, 1):
        for name, problem in _date_problems(record, today):
            doubts.append(Doubt(f"records.{i}.{name}", f"entry {i} ({record.get('registration_number', '?')}): "
                                                        f"{problem}"))
        if "registration_number" not in record:
            doubts.append(Doubt(f"records.{i}.registration_number", f"entry {i}: no registration number read"))
    return doubts + _out_of_order(records) + _names_misread(records) + _other_year(records)


def _names_misread(records: list[dict[str, str]]) -> list[Doubt]:
    """A person's name (a ``*_name`` field) in an entry that is no surname followed by name syllables was misread."""
    return [Doubt(f"records.{i}.{name}", f"entry {i} ({record.get('registration_number', '?')}): {name} "
                                         f"{value!r} does not read as a name")
            for i, record in enumerate(records, 1) for name, value in record.items()
            if name.endswith("_name") and value and not looks_like_name(value.split())]


def _other_year(records: list[dict[str, str]]) -> list[Doubt]:
    """A page's entries are registered within a year or so of each other: a registration date years away from the
    others' was misread."""
    years = sorted(int(r["registration_date"][:4]) for r in records if r.get("registration_date"))
    if len(years) < 3:
        return []
    usual = years[len(years) // 2]
    return [Doubt(f"records.{i}.registration_date", f"entry {i} ({record.get('registration_number', '?')}): "
                                                    f"registered {record['registration_date']}, years from the "
                                                    f"page's other entries ({usual})")
            for i, record in enumerate(records, 1)
            if record.get("registration_date") and abs(int(record["registration_date"][:4]) - usual) > 1]


def _out_of_order(records: list[dict[str, str]]) -> list[Doubt]:
    """Entries are registered in their order: a registration date earlier than the one before it and the one after
    it, or later than both, was misread (or the entry is)."""
    dates = [r.get("registration_date") for r in records]
    doubts = []
    for i in range(len(records)):
        date = dates[i]
        before = next((d for d in reversed(dates[:i]) if d), None)
        after = next((d for d in dates[i + 1:] if d), None)
        if date and before and after and before <= after and not before <= date <= after:
            doubts.append(Doubt(f"records.{i + 1}.registration_date",
                                f"entry {i + 1} ({records[i].get('registration_number', '?')}): registration date "
                                f"{date} is out of order between {before} and {after}"))
    return doubts
