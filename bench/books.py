"""Register book pages in many layouts (sohoa/sample_books.py), as a batch that score.py reads like corpus.py's.

    python bench/books.py OUTDIR --pages 60 --seed 3 [--bench-dir ../shared/bench] [--clean]

writes OUTDIR/input/book_NNNN.{png,jpg,tif}, one page each, and OUTDIR/truth.json in corpus.py's format (one document
per page, its entries as ``records``) with two more keys per document: ``layout`` (BookLayout.name, the options drawn)
and ``handwritten``. Every value of every layout option comes up in a batch of 60 pages: each option's values are
dealt out in proportion to their weights, at least once each, and shuffled. Pages are degraded like scans with the
shared degrade.py (found in --bench-dir, default $BENCH_DIR, else ../shared/bench), unless --clean or it is missing.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from benchdir import default_bench_dir
from PIL import Image

from sohoa.sample_books import OPTIONS, draw_layout, make_entries, render_book_page

SALT = 0xB00C
Degrader = Callable[[np.ndarray, np.random.Generator, int, str], tuple[np.ndarray, dict[str, Any]]]


def plan(rng: np.random.Generator, pages: int) -> list[dict[str, Any]]:
    """Each page's choice for every option: every value at least once (when there are pages enough), by weight."""
    dealt = {}
    for option, weights in OPTIONS.items():
        values, w = list(weights), np.array(list(weights.values()))
        counts = np.maximum(1, np.floor(pages * w / w.sum()).astype(int))
        pool = [v for v, c in zip(values, counts, strict=True) for _ in range(c)]
        pool += [values[int(i)] for i in rng.choice(len(values), max(0, pages - len(pool)), p=w / w.sum())]
        dealt[option] = [pool[int(i)] for i in rng.permutation(len(pool))][:pages]
    return [{option: dealt[option][i] for option in OPTIONS} for i in range(pages)]


def degrader(bench_dir: Path) -> Degrader:
    """The shared scan degradations, as corpus.py applies them to a document page."""
    sys.path.insert(0, str(bench_dir))
    import degrade  # type: ignore[import-not-found]  # the shared generator lives in the bench dir, known only now
    import layout  # type: ignore[import-not-found]

    def run(img: np.ndarray, rng: np.random.Generator, dpi: int, stamp_text: str) -> tuple[np.ndarray, dict[str, Any]]:
        info = degrade.PageInfo("doc", layout.Kit({"sans": layout.DEJAVU_SANS}, dpi), stamp_text=stamp_text)
        img = degrade.apply_all(img.copy(), rng, degrade.default_degradations(), info)
        return img, {"rotation": info.rotation, "skew_deg": round(info.skew_deg, 2), "degradations": info.done}

    return run


def write_page(path: Path, img: np.ndarray, dpi: int, gray: bool) -> None:
    pic = Image.fromarray(img).convert("L") if gray else Image.fromarray(img)
    options: dict[str, dict[str, Any]] = {"jpg": {"quality": 88}, "tif": {"compression": "tiff_deflate"}}
    pic.save(path, dpi=(dpi, dpi), **options.get(path.suffix[1:], {}))


def make_batch(out: Path, pages: int, seed: int, degrade: Degrader | None) -> list[dict[str, Any]]:
    """Render, degrade and write ``pages`` pages into out/input; their truth documents."""
    (out / "input").mkdir(parents=True, exist_ok=True)
    truth = []
    for i, choices in enumerate(plan(np.random.default_rng([seed, SALT]), pages), 1):
        rng = np.random.default_rng([seed, SALT, i])
        book = draw_layout(rng, **choices)
        count = 40 if rng.random() < 0.8 else int(rng.integers(2, 9))  # a full page, or a book's last
        entries = make_entries(rng, book.book_type, count, int(rng.integers(1, 400)), book.year)
        page = render_book_page(book, entries)
        seal = f"ỦY BAN NHÂN DÂN XÃ {book.commune.upper()}" if book.title == "title" else ""
        img, scan = (page.image, {"rotation": 0, "skew_deg": 0.0, "degradations": {}}) if degrade is None \
            else degrade(page.image, np.random.default_rng([seed, SALT, i, 1]), book.dpi, seal)
        name = f"book_{i:04d}.{['png', 'jpg', 'tif'][int(rng.choice(3, p=[0.5, 0.25, 0.25]))]}"
        write_page(out / "input" / name, img, book.dpi, rng.random() < 0.5)
        truth.append({
            "source": name, "first_page": 1, "last_page": 1, "file_pages": 1, "doc_type": book.book_type,
            "template": "sample_books", "layout": book.name, "handwritten": book.handwritten, "fields": {},
            "records": [{k: _nfc(v) for k, v in r.items()} for r in page.records],
            "pages": [{"source_page": 1, "text": _nfc(page.text), "blank": False, "dpi": book.dpi, **scan}]})
        print(f"{name}  {len(page.records):2d} entries  {book.name}", flush=True)
    return truth


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bench-dir", type=Path, default=default_bench_dir())
    parser.add_argument("--clean", action="store_true", help="no scan degradations (same pages)")
    args = parser.parse_args(argv)
    shared = (args.bench_dir / "degrade.py").is_file()
    if not args.clean and not shared:
        print(f"no degrade.py in {args.bench_dir}: pages left clean", file=sys.stderr)
    truth = make_batch(args.outdir, args.pages, args.seed,
                       degrader(args.bench_dir.resolve()) if shared and not args.clean else None)
    (args.outdir / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(truth)} register pages -> {args.outdir}")


if __name__ == "__main__":
    main()
