"""Retention classes: how long a stored document must be kept, by what kind of record it is.

Civil-registry books are kept permanently (a register page, or anything scanned as a ``registry_book``); other kinds
(``dossier``, ``result``, ``unclassified``) keep the years configured for them in SOHOA_RETENTION_CLASSES
(``dossier=10,result=permanent``), else SOHOA_RETENTION_YEARS, else no set period. Where the object store has object
lock, a period becomes a COMPLIANCE retention and ``permanent`` a legal hold; the catalog keeps both for reports.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

REGISTRY_BOOK = "registry_book"
CLASSES = ("dossier", "result", REGISTRY_BOOK, "unclassified")
PERMANENT = "permanent"
_Day = TypeVar("_Day", dt.date, dt.datetime)


@dataclass(frozen=True)
class Retention:
    """A document's class and until when it must be kept: a date, ``permanent``, or None (no set period)."""
    cls: str
    until: str | None = None  # ISO date or PERMANENT

    @property
    def permanent(self) -> bool:
        return self.until == PERMANENT

    def until_date(self) -> dt.date | None:
        return None if self.until in (None, PERMANENT) else dt.date.fromisoformat(self.until)

    def to_dict(self) -> dict[str, Any]:
        return {"class": self.cls, "until": self.until}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Retention:
        return cls(data["class"], data.get("until"))


@dataclass(frozen=True)
class RetentionPolicy:
    years: dict[str, int | None] = field(default_factory=dict)  # class -> years; None: permanent
    default_years: int = 0  # for a class not in ``years``; 0: no set period

    def __post_init__(self) -> None:
        for name, years in self.years.items():
            if name not in CLASSES:
                raise ValueError(f"unknown retention class {name!r}: expected one of {', '.join(CLASSES)}")
            if name == REGISTRY_BOOK and years is not None:
                raise ValueError("civil-registry books are kept permanently: registry_book cannot be given years")
            if years is not None and years <= 0:
                raise ValueError(f"retention of {name} must be a positive number of years or permanent")

    @property
    def configured(self) -> bool:
        """Whether any period was asked for beyond the registry books' permanence (then object lock is wanted)."""
        return bool(self.years) or self.default_years > 0

    def for_document(self, kind: str | None, doc_type: str, stored: dt.date) -> Retention:
        name = REGISTRY_BOOK if kind == REGISTRY_BOOK or doc_type.endswith("_register_page") else kind or "unclassified"
        if name == REGISTRY_BOOK:
            return Retention(name, PERMANENT)
        years = self.years.get(name, self.default_years)
        if years is None:
            return Retention(name, PERMANENT)
        return Retention(name, add_years(stored, years).isoformat() if years else None)


def parse_classes(text: str) -> dict[str, int | None]:
    """``dossier=10,result=permanent`` → {"dossier": 10, "result": None}."""
    years: dict[str, int | None] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = (s.strip() for s in item.partition("="))
        if not sep or not (value.isdigit() or value.lower() == PERMANENT):
            raise ValueError(f"SOHOA_RETENTION_CLASSES: {item!r} is not CLASS=YEARS or CLASS=permanent")
        years[name] = None if value.lower() == PERMANENT else int(value)
    return years


def add_years(day: _Day, years: int) -> _Day:
    """The same day (or moment) ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
