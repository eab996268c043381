"""The ``sohoa`` console script. Each page reader re-runs the main module when it starts (multiprocessing's main-module
fix-up), so the main module is this small one rather than :mod:`sohoa.cli`, which loads every command's libraries.
A command that reads pages starts the readers' process server first, so that it loads the OCR modules on another
core while this process loads the rest."""
from __future__ import annotations

import sys

READS_PAGES = {"process", "serve", "worker"}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in READS_PAGES:
        from workers.forkserver import warm_up
        warm_up()
    from sohoa.cli import main as run
    run()
