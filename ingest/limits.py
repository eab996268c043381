"""Limits on what one input file may hold, so that a hostile or broken file cannot exhaust a worker."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """The defaults; the application's settings (SOHOA_MAX_FILE_BYTES, SOHOA_MAX_PAGES, SOHOA_MAX_PAGE_PIXELS,
    SOHOA_MAX_UPLOAD_BYTES) give others."""

    max_file_bytes: int = 2 * 1024**3
    max_pages: int = 5000
    max_page_pixels: int = 120_000_000  # an A0 sheet at 300 dpi is about 140 M; an A3 at 600 dpi about 70 M
    max_upload_bytes: int = 4 * 1024**3  # one upload of a batch over HTTP, all its files together
