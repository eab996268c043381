"""File type from the first bytes, never from the extension."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from ingest.errors import InputError, Unsupported

Kind = Literal["png", "jpeg", "tiff", "pdf"]

_MAGIC: list[tuple[bytes, Kind]] = [
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"%PDF-", "pdf"),
]
_KNOWN_OTHERS = {
    b"PK\x03\x04": "a ZIP archive or an Office document",
    b"GIF8": "a GIF image",
    b"BM": "a BMP image",
    b"RIFF": "a RIFF file (WebP, AVI or WAV)",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
}


def sniff(path: Path) -> Kind:
    """The kind of scan in ``path``; ``Unsupported`` for another kind of file, ``InputError`` for an empty one."""
    with path.open("rb") as f:
        head = f.read(1024)
    if not head:
        raise InputError("the file is empty")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if b"%PDF-" in head:  # PDF allows junk before the header
        return "pdf"
    for magic, what in _KNOWN_OTHERS.items():
        if head.startswith(magic):
            raise Unsupported(f"unsupported file type: {what}; send PNG, JPEG, TIFF or PDF scans")
    raise Unsupported("unsupported file type: not a PNG, JPEG, TIFF or PDF file")
