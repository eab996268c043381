"""What a document's signature shows, by its kind (CONTRACT §6): a small picklable value sent with each document."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

KINDS = ("dossier", "result", "registry_book")
VIETNAM = dt.timezone(dt.timedelta(hours=7))  # Vietnam's time zone, with no daylight saving time


@dataclass(frozen=True)
class SignRequest:
    kind: str | None = None  # dossier | result | registry_book; None: an invisible signature and no QR code
    agency_name: str | None = None  # on the agency's signature (result, registry_book)
    operator: str | None = None  # the digitizing officer, on a dossier's signature
    scanned_at: dt.datetime | None = None  # shown on a dossier's signature
    dossier_code: str | None = None  # the rest goes into a result's QR code
    procedure_code: str | None = None
    personal_id: str | None = None
    doc_type: str | None = None
    result_code: str | None = None  # a result's own `<dossier code>-KQ<n>`: its QR code's verification link names it

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"unknown document kind {self.kind!r}: expected one of {', '.join(KINDS)}")
