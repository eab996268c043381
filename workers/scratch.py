"""Scratch folders under ``$SOHOA_DATA_DIR/work``, named by the host and the process that made them: the folders of
a process that died without cleaning up (SIGKILL, a power cut) are found and removed by whoever runs next there."""
from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
_SEP = "@"  # <kind>@<host>@<pid>@<random>: host names hold no "@"


def scratch_folder(parent: Path, kind: str) -> Path:
    """A new folder for this process to work in."""
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{kind}{_SEP}{socket.gethostname()}{_SEP}{os.getpid()}{_SEP}", dir=parent))


def remove_orphans(parent: Path) -> list[Path]:
    """Remove the scratch folders of processes of this host that are no longer alive; those removed."""
    if not parent.is_dir():
        return []
    host, removed = socket.gethostname(), []
    for folder in parent.iterdir():
        parts = folder.name.split(_SEP)
        if len(parts) == 4 and parts[1] == host and parts[2].isdigit() and not _alive(int(parts[2])):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
            log.info("removed the scratch folder %s of a process that died", folder.name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
