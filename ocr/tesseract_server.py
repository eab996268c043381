"""The resident Tesseract of :mod:`ocr.engine`: ``python -P tesseract_server.py TESSDATA LANG`` loads LANG once, then
reads one image per request from its stdin and answers on its stdout, until stdin closes. It imports nothing of
sohoa's.

Requests are ``(width, height, dpi, psm, 8-bit grey pixels)``; answers ``(True, words)`` with each word as
:data:`ocr.engine.RawWord`, or ``(False, what went wrong)`` in words that follow "Tesseract". The first answer,
``(True, version)``, says the language is loaded.
"""
from __future__ import annotations

import os
import sys
from multiprocessing.connection import Connection

from tesserocr import RIL, PyTessBaseAPI, tesseract_version


def serve(tessdata: str, lang: str) -> None:
    requests = Connection(0, writable=False)
    replies = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # whatever Tesseract prints goes to stderr, never into the answers
    try:
        api = PyTessBaseAPI(path=tessdata, lang=lang)
    except RuntimeError as exc:
        replies.send((False, f"cannot load {lang} from {tessdata} ({exc})"))
        return
    # A line read poorly is read again inverted (white on black) by default: registers and forms print none, and on a
    # degraded scan that second reading of every poor line costs time for nothing.
    api.SetVariable("tessedit_do_invert", "0")
    replies.send((True, tesseract_version()))
    while True:
        try:
            width, height, dpi, psm, pixels = requests.recv()
        except EOFError:  # the worker that started this process is done
            return
        try:
            replies.send((True, words(api, pixels, width, height, dpi, psm)))
        except RuntimeError as exc:
            replies.send((False, f"could not read the image ({exc})"))


def words(api: PyTessBaseAPI, pixels: bytes, width: int, height: int, dpi: int,
          psm: int) -> list[tuple[str, int, int, int, int, float, tuple[int, int, int]]]:
    """The words of the image in Tesseract's order, numbered by block, paragraph and line as its TSV output is."""
    api.SetPageSegMode(psm)
    api.SetImageBytes(pixels, width, height, 1, width)
    api.SetSourceResolution(dpi)
    api.Recognize()
    found = []
    block = paragraph = line = 0
    it = api.GetIterator()
    while it is not None and not it.Empty(RIL.BLOCK):
        if not it.Empty(RIL.WORD):
            if it.IsAtBeginningOf(RIL.BLOCK):
                block, paragraph, line = block + 1, 0, 0
            if it.IsAtBeginningOf(RIL.PARA):
                paragraph, line = paragraph + 1, 0
            if it.IsAtBeginningOf(RIL.TEXTLINE):
                line += 1
            left, top, right, bottom = it.BoundingBox(RIL.WORD)
            found.append((it.GetUTF8Text(RIL.WORD), left, top, right, bottom, it.Confidence(RIL.WORD),
                          (block, paragraph, line)))
        if not it.Next(RIL.WORD):
            break
    return found


if __name__ == "__main__":
    serve(*sys.argv[1:3])
