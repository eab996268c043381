"""Turning command-line inputs (files and folders) into the list of scan files of a batch."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ingest.errors import Cause, InputError
from ingest.hashing import sha256_file
from ingest.limits import Limits
from ingest.pages import page_count
from ingest.sniff import Kind, sniff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InputFile:
    path: Path
    source: str  # the path as the user gave it (CONTRACT §1)
    sha256: str
    kind: Kind
    pages: int


@dataclass(frozen=True)
class Problem:
    source: str
    reason: str  # in words, for the scanning team
    cause: Cause | Literal["duplicate"]  # the kind of problem, for counting


@dataclass
class Intake:
    files: list[InputFile] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)


def expand(inputs: list[str], base: Path | None = None) -> list[tuple[Path, str]]:
    """(path, source) for every file named or found below a named folder, hidden files left out; inputs are
    relative to ``base`` when given (their sources stay as given).

    ``FileNotFoundError`` names an input that does not exist: that is bad usage, not a bad scan.
    """
    found = []
    for given in inputs:
        path = base / given if base else Path(given)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        full = Path(root) / name
                        found.append((full, os.path.join(given, full.relative_to(path).as_posix())))
        elif path.exists():
            found.append((path, given))
        else:
            raise FileNotFoundError(given)
    return found


def collect(inputs: list[str], limits: Limits, base: Path | None = None) -> Intake:
    """Sniff, hash and count every input; unreadable ones go to ``failed``, byte-identical repeats to ``skipped``."""
    intake = Intake()
    first_seen: dict[str, str] = {}
    for path, source in expand(inputs, base):
        try:
            digest = sha256_file(path)
            if digest in first_seen:
                _skip(intake, Problem(source, f"duplicate of {first_seen[digest]} (identical bytes)", "duplicate"))
                continue
            first_seen[digest] = source
            kind = sniff(path)
            intake.files.append(InputFile(path, source, digest, kind, page_count(path, kind, limits)))
        except InputError as exc:
            _refuse(intake, Problem(source, str(exc), exc.cause))
        except OSError as exc:
            _refuse(intake, Problem(source, f"the file cannot be read: {exc.strerror or exc}", "damaged"))
    return intake


def _skip(intake: Intake, problem: Problem) -> None:
    log.info("%s skipped: %s", problem.source, problem.reason, extra={"file": problem.source})
    intake.skipped.append(problem)


def _refuse(intake: Intake, problem: Problem) -> None:
    log.warning("%s refused: %s", problem.source, problem.reason, extra={"file": problem.source})
    intake.failed.append(problem)
