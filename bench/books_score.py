"""Per-layout scores of sohoa on a bench/books.py batch: which register book layouts the reader gets right.

    python bench/books_score.py OUTDIR SOHOA_OUT [--bench-dir ../shared/bench]

SOHOA_OUT is what ``sohoa process OUTDIR/input --out SOHOA_OUT`` wrote. Documents are matched and records counted
with score.py's own functions (a truth record counts when one predicted record of the document agrees on all its
fields), so the figures compare with score.py's. Pages sohoa was not run on are left out, and counted.

Prints a row per document (its layout name), then a row per layout option value (the tokens of the names): documents,
doc-type accuracy, record precision / recall / F1, and on handwritten pages how many had invented records (predicted
records matching no entry) and how many were flagged for review (``needs_review``).
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from benchdir import default_bench_dir


@dataclass
class Tally:
    docs: int = 0
    typed: int = 0  # doc type right
    tp: int = 0
    fp: int = 0
    fn: int = 0
    hand: int = 0  # handwritten pages
    invented: int = 0  # ... with a predicted record matching no entry
    review: int = 0  # ... flagged for review

    def add(self, other: Tally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def row(self, label: str, prf: Any) -> str:
        m = prf(self.tp, self.fp, self.fn)
        hand = f"{self.hand:4d} {self.invented:8d} {self.review:6d}" if self.hand else f"{'':4} {'':8} {'':6}"
        return (f"{label:<14} {self.docs:4d} {self.typed / max(1, self.docs):6.0%} {m['precision']:6.0%} "
                f"{m['recall']:6.0%} {m['f1']:6.0%} {self.tp:4d} {self.fp:4d} {self.fn:4d}  {hand}")


HEAD = (f"{'':14} {'docs':>4} {'type':>6} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"
        "  hand invented review")


def tally(truth: dict[str, Any], pred: dict[str, Any] | None, score: Any) -> Tally:
    """One document's counts; no prediction misses every entry."""
    tp, fp, fn = score.record_counts(truth["records"], (pred or {}).get("records"))
    hand = bool(truth.get("handwritten"))
    flagged = bool(pred and pred.get("needs_review"))
    typed = pred is not None and pred.get("doc_type") == truth["doc_type"]
    return Tally(1, typed, tp, fp, fn,
                 hand, hand and fp > 0, hand and flagged)


def option(token: str) -> str:
    """A name token as an option value: the column count dropped ('wide14' -> 'wide')."""
    return re.sub(r"^(cols|wide)\d+$", r"\1", token)


def report(truth_dir: Path, out_dir: Path, score: Any) -> str:
    truth = score.load_truth(truth_dir)
    file_pages = {d["source"]: d["file_pages"] for d in truth}
    by_key: dict[tuple[str, int, int], dict[str, Any]] = {}
    for doc in score.load_outputs(out_dir):
        by_key.setdefault(score.output_key(doc, file_pages), doc)
    run = {name for name, _, _ in by_key}
    total = Tally()
    options: dict[tuple[int, str], Tally] = {}
    lines = ["per document", HEAD]
    for doc in (d for d in truth if d["source"] in run):
        t = tally(doc, by_key.get(score.truth_key(doc)), score)
        lines.append(t.row(doc["source"], score.prf) + f"  {doc['layout']}")
        total.add(t)
        for position, token in enumerate(doc["layout"].split("-")):
            options.setdefault((position, option(token)), Tally()).add(t)
    lines += ["", "per option", HEAD, total.row("all", score.prf)]
    lines += [t.row(token, score.prf) for (_, token), t in sorted(options.items())]
    skipped = len(truth) - total.docs
    return "\n".join(lines + ([f"\n{skipped} of {len(truth)} pages not run (no output for their file)"]
                              if skipped else []))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("truth_dir", type=Path, help="the books.py batch (holding truth.json)")
    parser.add_argument("out_dir", type=Path, help="sohoa process --out folder")
    parser.add_argument("--bench-dir", type=Path, default=default_bench_dir())
    args = parser.parse_args(argv)
    if not (args.bench_dir / "score.py").is_file():
        sys.exit(f"no score.py in {args.bench_dir} (give --bench-dir or BENCH_DIR)")
    sys.path.insert(0, str(args.bench_dir.resolve()))
    import score  # type: ignore[import-not-found]  # the scorer lives in the bench dir, known only now

    print(report(args.truth_dir, args.out_dir, score))


if __name__ == "__main__":
    main()
