"""One search box: what a query typed into it is — a personal ID, a number, or words — and the search it makes.

Officers type what the citizen hands them: the 12 digits of a personal ID (spaces or dots between groups are
allowed), a document's number ("123/QĐ-UBND", "25/1990", a dossier or result code, a certificate serial such as
"BĐ 123456"), or a name, with or without diacritics, or any words. A personal ID becomes the ``personal_id`` filter,
a number the ``number`` filter (exact, case and diacritics folded), anything else full text, which also finds names.
A date ("15/03/1990") is read as words: it is printed in the page texts. The person may overrule the reading.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from storage.search import SearchQuery

ReadAs = Literal["personal_id", "number", "text"]
READINGS: tuple[ReadAs, ...] = ("personal_id", "number", "text")  # the page offers each
_PERSONAL_ID = re.compile(r"\d{12}")
_ID_SEPARATORS = re.compile(r"[\s.]")
_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
_SERIAL = re.compile(r"[^\W\d_]{1,4}\s+\d{4,}")  # a certificate serial: letters, a space, digits


@dataclass(frozen=True)
class Lookup:
    """How a query was read (``None`` when there is no query) and the value searched for."""
    read_as: ReadAs | None
    value: str

    def query(self, *, doc_type: str | None = None, batch: str | None = None, date_from: dt.date | None = None,
              date_to: dt.date | None = None, needs_review: bool | None = None) -> SearchQuery:
        """The search this lookup makes with the other filters; the review queue (``needs_review``) oldest first, as
        ``GET /api/documents?needs_review=true`` gives it."""
        return SearchQuery(text=self.value if self.read_as == "text" else None,
                           personal_id=self.value if self.read_as == "personal_id" else None,
                           number=self.value if self.read_as == "number" else None,
                           doc_type=doc_type or None, batch=batch or None, date_from=date_from, date_to=date_to,
                           needs_review=needs_review, oldest_first=bool(needs_review))


def read_lookup(text: str | None, read_as: ReadAs | None = None) -> Lookup:
    """What ``text`` is; ``read_as`` overrules the guess (a personal ID then keeps only its digits)."""
    value = " ".join((text or "").split())
    if not value:
        return Lookup(None, "")
    compact = _ID_SEPARATORS.sub("", value)
    guess = read_as or _guess(value, compact)
    return Lookup(guess, compact if guess == "personal_id" and compact.isdigit() else value)


def _guess(value: str, compact: str) -> ReadAs:
    if _PERSONAL_ID.fullmatch(compact):
        return "personal_id"
    if _DATE.fullmatch(value):
        return "text"
    if (" " not in value and any(c.isdigit() for c in value)) or _SERIAL.fullmatch(value):
        return "number"
    return "text"
