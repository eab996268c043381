"""The batch manifest of CONTRACT §6: what a scanning team tells about a batch. Every key is optional."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ingest.codes import dossier_code_problem
from ingest.errors import InputError


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

    @field_validator("dossier_code")
    @classmethod
    def _one_stop_code(cls, code: str | None) -> str | None:
        problem = dossier_code_problem(code) if code else None
        if problem:
            raise ValueError(problem)
        return code


def load_manifest(path: Path) -> Manifest:
    try:
        return Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"manifest {path} cannot be read: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(f"manifest {path} is not valid: {problems}") from exc
