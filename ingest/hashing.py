"""SHA-256 of files and of decoded pages (a page's identity does not depend on its container)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_page(image: Image.Image) -> str:
    """Hash of the decoded pixels with their size and mode: the same scan in PNG or TIFF hashes the same."""
    digest = hashlib.sha256(f"{image.mode}:{image.width}x{image.height}:".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()
