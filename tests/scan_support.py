"""Scans the tests make that no scanner would: a decompression bomb."""
from __future__ import annotations

import struct
import zlib


def bomb_png(side: int = 40_000) -> bytes:
    """A small PNG whose header announces side × side pixels, then one IDAT of a few compressed rows — never enough
    to be a real page, but the header is all a careless reader trusts."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"\x00" + b"\xff" * side, 9) * 4
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))
