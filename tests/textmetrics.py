"""Character error rate for tests (rapidfuzz's Levenshtein distance)."""
from __future__ import annotations

from rapidfuzz.distance import Levenshtein


def cer(truth: str, predicted: str) -> float:
    """Edits over truth length, whitespace runs folded to one space."""
    ref, hyp = " ".join(truth.split()), " ".join(predicted.split())
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))
