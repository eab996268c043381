"""Where the shared benchmark tools (corpus.py, score.py, baseline.py) are: they are not part of sohoa.

$BENCH_DIR when set, else the `shared/bench` folder beside the repository, where the development machines keep it.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def default_bench_dir() -> Path:
    return Path(os.environ.get("BENCH_DIR") or REPO.parent / "shared" / "bench")
