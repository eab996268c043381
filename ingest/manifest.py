"""The batch manifest of CONTRACT §6: what a scanning team tells about a batch. Every key is optional."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ingest.codes import dossier_code_problem
from ingest.errors import InputError

AGENCY_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # it names a folder of the object store


class Book(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["birth", "marriage", "death"] | None = None
    year: int | None = None
    volume: str | None = None


class Manifest(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: Literal["dossier", "result", "registry_book"] | None = None
    agency: str | None = None
    agency_name: str | None = None
    dossier_code: str | None = None
    procedure_code: str | None = None
    book: Book | None = None
    operator: str | None = None

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
    try:
        return Manifest.model_validate(json.loads(text))
    except json.JSONDecodeError as exc:
        raise InputError(f"{name} is not JSON: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" if e["loc"] else e["msg"]
                             for e in exc.errors())
        raise InputError(f"{name} is not valid: {problems}") from exc
