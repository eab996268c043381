"""The process server this machine's page readers are forked from (multiprocessing's "forkserver"; a plain fork would
inherit OpenCV's thread pool broken). It imports the page-reading modules once, so that each reader starts ready
instead of importing them itself, and it can be started early, to load them while the command loads the rest.

This module imports nothing heavy: the ``sohoa`` launcher calls :func:`warm_up` before it imports anything else."""
from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver
from multiprocessing.context import ForkServerContext

PRELOAD = ["workers.stages"]  # what every page and document job runs


def context() -> ForkServerContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def warm_up() -> None:
    """Start the process server now; it loads :data:`PRELOAD` in the background."""
    context()
    forkserver.ensure_running()
