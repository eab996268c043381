"""Whether a word is spelled as a Vietnamese syllable can be: an initial consonant, a vowel group, a final consonant,
at most one tone mark. Text whose words mostly are such syllables reads as Vietnamese; text decoded with the wrong
font encoding or in another language mostly does not."""
from __future__ import annotations

import re
import unicodedata

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_ONSET = r"(ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdđghklmnpqrstvx])?"
MAX_SYLLABLE = 7  # letters: 'nghiêng', 'khuyên'
_SYLLABLE = re.compile(_ONSET + r"[aăâeêioôơuưy]{1,3}(ch|ng|nh|[cmnpt])?")


def is_syllable(word: str) -> bool:
    """``word`` (letters only, any case) is spelled as a Vietnamese syllable."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(ch in _TONES for ch in decomposed)
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return tones <= 1 and _SYLLABLE.fullmatch(bare) is not None


def split_syllables(word: str) -> list[str] | None:
    """A word read without its spaces ('LƯƠNGĐÌNHSƠN', 'HOTENNGUOIME') cut into the fewest Vietnamese syllables it
    can be spelled as, or None when it cannot be."""
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - MAX_SYLLABLE), end):
            before = best[start]
            if before is not None and is_syllable(word[start:end]) and (
                    best[end] is None or len(before) + 1 < len(best[end] or [])):
                best[end] = [*before, word[start:end]]
    return best[-1]
