"""Tesseract, the one OCR engine, behind one interface (as OCRmyPDF's ``OcrEngine``): its version and languages
checked up front, a time limit on every reading, and typed errors whose message says what happened in words.

Tesseract runs as libtesseract through tesserocr (its wheel brings its own libtesseract; the language data is the
system's, e.g. Debian's ``tesseract-ocr-vie``) in a resident helper process (``ocr.tesseract_server``), one per
worker process and language, started on first use and kept: a language is loaded once, not once per reading as the
``tesseract`` command does. Being a process of its own, the helper can be stopped at the time limit wherever
Tesseract hangs (page layout analysis included, which tesserocr's own deadline does not reach), and a crash in
Tesseract fails one reading, not the worker; the next reading starts a new helper.
"""
from __future__ import annotations

import atexit
import glob
import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

MIN_VERSION = (4, 1)  # LSTM models, as the language data of Debian and of tessdata_fast/best are
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/*/tessdata", "/usr/share/tessdata", "/usr/local/share/tessdata")
START_TIMEOUT = 60.0  # seconds a helper has to load its language
SERVER = Path(__file__).with_name("tesseract_server.py")  # the helper's program

RawWord = tuple[str, int, int, int, int, float, tuple[int, int, int]]
"""A word as Tesseract gives it: text, left, top, right, bottom, confidence 0-100, (block, paragraph, line)."""


class OcrError(Exception):
    """Tesseract could not read; ``str(error)`` says why, in words."""


class EngineMissing(OcrError):
    """tesserocr, or any Tesseract language data, is not installed (or the Tesseract is too old)."""


class LanguageMissing(OcrError):
    """A language asked for has no language data."""


class PageTimeout(OcrError):
    """A reading took longer than its time limit: Tesseract was stopped."""


class EngineFailed(OcrError):
    """Tesseract stopped (crashed) or refused the image."""


@dataclass(frozen=True)
class OcrConfig:
    """How pages are read."""

    lang: str = "vie"  # Tesseract languages, joined by '+': vie, vie+eng
    timeout: float = 120.0  # seconds one reading of a page (or of its table cells) may take


def tessdata() -> str:
    """The folder of Tesseract's language data: $TESSDATA_PREFIX (Tesseract's own variable) when it is set, else the
    first system folder that holds any."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    folders = [prefix] if prefix else [folder for pattern in TESSDATA_DIRS for folder in sorted(glob.glob(pattern))]
    for folder in folders:
        if glob.glob(os.path.join(folder, "*.traineddata")):
            return os.path.join(folder, "")
    where = f"TESSDATA_PREFIX ({prefix})" if prefix else ", ".join(TESSDATA_DIRS)
    raise EngineMissing(f"Tesseract has no language data: no *.traineddata in {where} "
                        "(Debian: apt-get install tesseract-ocr-vie)")


def version() -> str:
    """Tesseract's version, e.g. ``5.5.4``."""
    return str(_tesserocr().tesseract_version().split()[1])


def languages() -> set[str]:
    """The languages Tesseract can read here (``osd`` is no language of text)."""
    return set(_tesserocr().get_languages(tessdata())[1]) - {"osd"}


def _tesserocr() -> ModuleType:
    """tesserocr, asked here only for its version and languages (the helper process does the reading);
    :class:`EngineMissing` when it is not installed."""
    try:
        import tesserocr
    except ImportError:
        raise EngineMissing("tesserocr is not installed: reading pages needs it (pip install tesserocr)") from None
    return tesserocr


def check(lang: str) -> str:
    """What reads ``lang`` (``Tesseract 5.5.4``), checked before any page: :class:`EngineMissing` or
    :class:`LanguageMissing` naming what is wrong."""
    found = version()
    if tuple(int(n) for n in re.findall(r"\d+", found)[:2]) < MIN_VERSION:
        raise EngineMissing(f"Tesseract {found} is too old: {'.'.join(map(str, MIN_VERSION))} or newer is needed")
    available = languages()
    missing = [name for name in lang.split("+") if name not in available]
    if missing:
        raise LanguageMissing(f"Tesseract has no {', '.join(missing)} (it has {', '.join(sorted(available)) or 'none'}"
                              f" in {tessdata()}; Debian: apt-get install tesseract-ocr-<lang>)")
    return f"Tesseract {found}"


def read(image: np.ndarray, dpi: float, config: OcrConfig, psm: int) -> list[RawWord]:
    """The words of an 8-bit grey image in Tesseract's order, with page segmentation mode ``psm``; :class:`PageTimeout`
    past ``config.timeout`` seconds, :class:`EngineFailed` when Tesseract stops or refuses the image."""
    with _lock:
        helper = _helpers.get(config.lang)
        if helper is None or not helper.usable():
            helper = _helpers[config.lang] = _Helper(config.lang)
        return helper.read(image, dpi, psm, config.timeout)


class _Helper:
    """A resident ``ocr.tesseract_server`` process with one language loaded, and the pipes to talk to it."""

    def __init__(self, lang: str) -> None:
        request_out, request_in = os.pipe()
        reply_out, reply_in = os.pipe()
        command = [sys.executable, "-P", str(SERVER), tessdata(), lang]  # -P: nothing imported from the cwd
        self.process = subprocess.Popen(command, stdin=request_out, stdout=reply_in, stderr=subprocess.DEVNULL)
        os.close(request_out)
        os.close(reply_in)
        self.owner = os.getpid()  # a forked child must not talk to its parent's helper
        self.requests = Connection(request_in, readable=False)
        self.replies = Connection(reply_out, writable=False)
        try:
            self._reply(START_TIMEOUT, EngineFailed(f"Tesseract did not load {lang} within {START_TIMEOUT:g} s"))
        except OcrError:
            self._stop()
            raise

    def usable(self) -> bool:
        return self.owner == os.getpid() and self.process.poll() is None

    def read(self, image: np.ndarray, dpi: float, psm: int, timeout: float) -> list[RawWord]:
        height, width = image.shape[:2]
        try:
            self.requests.send((width, height, round(dpi), psm, np.ascontiguousarray(image, np.uint8).tobytes()))
        except OSError:  # the helper is gone
            raise self._failed() from None
        words: list[RawWord] = self._reply(timeout, PageTimeout(f"Tesseract gave up after {timeout:g} s"))
        return words

    def _reply(self, timeout: float, late: OcrError) -> Any:
        """The helper's answer within ``timeout`` seconds; else it is stopped and ``late`` raised."""
        if not self.replies.poll(timeout):
            self._stop()
            raise late
        try:
            ok, value = self.replies.recv()
        except (EOFError, OSError):
            raise self._failed() from None
        if not ok:
            raise EngineFailed(f"Tesseract {value}")
        return value

    def _failed(self) -> EngineFailed:
        """The helper ended while reading: it is cleared away, and the error says how it ended."""
        code = self._stop()
        how = (signal.strsignal(-code) or f"signal {-code}") if code < 0 else f"exit status {code}"
        return EngineFailed(f"Tesseract stopped on this image ({how})")

    def _stop(self) -> int:
        """Kill the helper (the next reading starts another); its exit status."""
        self.process.kill()
        code = self.process.wait()
        self.requests.close()
        self.replies.close()
        return code

    def close(self) -> None:
        """Let the helper end (it ends when its requests pipe closes)."""
        self.requests.close()
        self.replies.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_helpers: dict[str, _Helper] = {}
_lock = threading.Lock()  # one reading at a time per process: a helper serves one request at a time


@atexit.register
def _close_helpers() -> None:
    for helper in _helpers.values():
        if helper.usable():
            helper.close()
