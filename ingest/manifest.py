"""The batch manifest of CONTRACT §6: what a scanning team tells about a batch. Every key is optional."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ingest.codes import dossier_code_problem
from ingest.errors import InputError

AGENCY_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # it names a folder of the object store
MAX_BYTES = 64 * 1024  # a manifest is a few lines; anything much larger is a mistake or an attack
MAX_DEPTH = 8  # how deeply keys of one's own may nest
BatchKind = Literal["dossier", "result", "registry_book"]  # CONTRACT §6: decides the visible signature
BATCH_KINDS: tuple[BatchKind, ...] = get_args(BatchKind)
FIRST_YEAR = 1800  # the oldest civil-registry books kept
VOLUME = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,31}")


class Book(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["birth", "marriage", "death"] | None = None
    year: int | None = Field(default=None, ge=FIRST_YEAR)
    volume: str | None = None

    @property
    def register_type(self) -> str | None:
        """The document type of this book's pages (CONTRACT §3), when the manifest names the book's type."""
        return f"{self.type}_register_page" if self.type else None

    @field_validator("year")
    @classmethod
    def _not_later_than_next_year(cls, year: int | None) -> int | None:
        if year is not None and year > dt.date.today().year + 1:
            raise ValueError(f"a register book's year is {FIRST_YEAR} to {dt.date.today().year + 1}")
        return year

    @field_validator("volume")
    @classmethod
    def _volume(cls, volume: str | None) -> str | None:
        """A part of the book's id ``<agency>/<type>/<year>/<volume>``: no slash, no "..", bounded."""
        if volume is not None and (not VOLUME.fullmatch(volume) or ".." in volume):
            raise ValueError("a volume is 1 to 32 letters, digits, '.', '_' or '-' (no '/' and no '..'), "
                             "starting with a letter or digit")
        return volume


class Manifest(BaseModel):
    model_config = ConfigDict(extra="allow", str_max_length=256)
    kind: BatchKind | None = None
    agency: str | None = None
    agency_name: str | None = None
    dossier_code: str | None = None
    procedure_code: str | None = Field(default=None, max_length=32)
    book: Book | None = None
    operator: str | None = Field(default=None, max_length=128)

    @field_validator("agency")
    @classmethod
    def _agency_code(cls, code: str | None) -> str | None:
        if code is not None and not AGENCY_CODE.fullmatch(code):
            raise ValueError("an agency code is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter "
                             "or digit")
        return code

    @field_validator("dossier_code")
    @classmethod
    def _one_stop_code(cls, code: str | None) -> str | None:
        problem = dossier_code_problem(code) if code else None
        if problem:
            raise ValueError(problem)
        return code


def load_manifest(path: Path) -> Manifest:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"manifest {path} cannot be read: {exc}") from exc
    return parse_manifest(text, f"manifest {path}")


def parse_manifest(text: str | bytes, name: str = "the manifest") -> Manifest:
    """A manifest from its JSON; InputError naming every problem."""
    if len(text) > MAX_BYTES:
        raise InputError(f"{name} is too long: {len(text):,} bytes, at most {MAX_BYTES:,}")
    try:
        data = json.loads(text)
        too_deep = _depth(data) > MAX_DEPTH
    except json.JSONDecodeError as exc:
        raise InputError(f"{name} is not JSON: {exc}") from exc
    except RecursionError:
        too_deep = True
    if too_deep:
        raise InputError(f"{name} nests too deeply (at most {MAX_DEPTH} levels)")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" if e["loc"] else e["msg"]
                             for e in exc.errors())
        raise InputError(f"{name} is not valid: {problems}") from exc


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0
