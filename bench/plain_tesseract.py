"""Plain Tesseract on the pages sohoa reads, as a speed yardstick: ``tesseract IMG - -l vie``, one process per core.

    python bench/plain_tesseract.py INPUT_DIR [--jobs 2] [--work DIR] [--out FILE.json]

Every page of every input file is first made into an image Tesseract can open, at the resolution sohoa reads it
(``ingest.pages``), untimed:

- a one-frame image file (PNG, JPEG, TIFF) is given to Tesseract as it is, at its own dpi;
- a frame of a multi-page TIFF is saved alone as PNG (same pixels, same dpi);
- a PDF page is rendered by ``pdftoppm`` at the resolution sohoa uses for it: the embedded scan's own resolution
  when the page is one full-page image (sohoa takes that image as it is), else 300 dpi; in grey when sohoa's page is
  grey.

Then, timed, ``tesseract IMG - -l vie`` runs over all of them (separator sheets and blank pages included, as sohoa
gets them) in a pool of ``--jobs`` processes, one page per task, with ``OMP_THREAD_LIMIT=1``. Pages per minute are
input pages × 60 / that wall time. The text is thrown away: this measures speed only (bench/pipeline.py scores).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from ingest.limits import Limits
from ingest.pages import page_count, read_page
from ingest.sniff import sniff

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


def page_images(inputs: Path, work: Path) -> list[Path]:
    """One image file per input page, at the resolution sohoa reads it (see the module's docstring)."""
    limits, images = Limits(), []
    for path in sorted(p for p in inputs.iterdir() if p.suffix.lower() in (*IMAGE_SUFFIXES, ".pdf")):
        kind = sniff(path)
        count = page_count(path, kind, limits)
        if kind != "pdf" and count == 1:
            images.append(path)
            continue
        for number in range(1, count + 1):
            page = read_page(path, kind, number, limits)
            out = work / f"{path.stem}-{number:03d}"
            if kind != "pdf":
                page.image.save(f"{out}.png", dpi=(page.dpi, page.dpi) if page.dpi else None)
            else:
                grey = ["-gray"] if page.image.mode == "L" else []
                subprocess.run(["pdftoppm", "-r", f"{page.dpi:g}", "-f", str(number), "-l", str(number), *grey,
                                "-png", "-singlefile", str(path), str(out)], check=True)
            images.append(Path(f"{out}.png"))
    return images


def tesseract(image: Path) -> float:
    """Seconds ``tesseract IMAGE - -l vie`` took."""
    started = time.monotonic()
    subprocess.run(["tesseract", str(image), "-", "-l", "vie"], capture_output=True, check=True,
                   env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("inputs", type=Path, help="a folder of scans, e.g. a corpus batch's input/")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--work", type=Path, help="where the page images go, kept for the next run with the same "
                                                  "--work [default: a temporary folder]")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        listing = work / "pages.txt"  # page images made by an earlier run into the same --work folder
        started = time.monotonic()
        if args.work and listing.is_file():
            images = [Path(line) for line in listing.read_text(encoding="utf-8").splitlines()]
        else:
            images = page_images(args.inputs, work)
            listing.write_text("".join(f"{p}\n" for p in images), encoding="utf-8")
        prepared = time.monotonic() - started
        sizes = [Image.open(p).size for p in images]
        # threads suffice to run ``jobs`` Tesseract processes at once: each thread only waits for its child
        started = time.monotonic()
        with ThreadPoolExecutor(args.jobs) as pool:
            per_page = list(pool.map(tesseract, images))
        seconds = time.monotonic() - started
    figures = {"pages": len(images), "jobs": args.jobs, "seconds": round(seconds, 2),
               "pages_per_minute": round(len(images) * 60 / seconds, 2),
               "page_seconds_mean": round(sum(per_page) / len(per_page), 3),
               "megapixels_mean": round(sum(w * h for w, h in sizes) / len(sizes) / 1e6, 2),
               "preparation_seconds": round(prepared, 2)}
    print(json.dumps(figures))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
