"""Search keys: text folded to lower case without diacritics, so "nguyen van an" finds "NGUYỄN VĂN AN"."""
from __future__ import annotations

import re

from ocr.normalize import fold as fold_marks

_TOKEN = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case, no diacritics, đ → d, runs of white space as one space."""
    return " ".join(fold_marks(text).casefold().split())


def tokens(text: str) -> list[str]:
    """The folded words of a text (what full-text search matches)."""
    return _TOKEN.findall(fold(text))
