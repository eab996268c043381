"""Ghostscript, the one tool that rewrites an arbitrary PDF page as PDF/A-2b: fonts embedded, colours in RGB."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 120  # seconds for one page


class GhostscriptError(Exception):
    """The page could not be rewritten; the message says why."""


def pdfa_page(source: Path, number: int) -> bytes:
    """Page ``number`` (1-based) of ``source`` as a one-page PDF/A-2b, its vectors and text kept."""
    with tempfile.TemporaryDirectory(prefix="sohoa-gs-") as tmp:
        out = Path(tmp) / "page.pdf"
        args = ["gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-dCompatibilityLevel=1.7", "-sDEVICE=pdfwrite",
                "-dAutoRotatePages=/None", "-sColorConversionStrategy=RGB", "-dPDFA=2", "-dPDFACompatibilityPolicy=1",
                "-dPDFSTOPONERROR", f"-dFirstPage={number}", f"-dLastPage={number}", "-o", str(out), str(source)]
        try:
            done = subprocess.run(args, capture_output=True, text=True, errors="replace", timeout=TIMEOUT, check=False)
        except FileNotFoundError:
            raise GhostscriptError("ghostscript (gs) is not installed") from None
        except subprocess.TimeoutExpired:
            raise GhostscriptError(f"ghostscript gave up on page {number} after {TIMEOUT} s") from None
        if done.returncode != 0 or not out.is_file():
            said = (done.stderr or done.stdout).strip().splitlines()
            raise GhostscriptError(f"ghostscript could not rewrite page {number}: {said[-1] if said else 'no reason'}")
        return out.read_bytes()
