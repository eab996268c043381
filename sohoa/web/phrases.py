"""What the domain packages write in English (a page to scan again, a review reason, a broken audit chain), said in
the page's language: a phrasebook of patterns, each with the message its named groups fill.

The domain's sentences are the contract's (``summary.json``, ``review_reasons``); the pages translate the ones they
know and show any other as it was written.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from sohoa.web.i18n import gettext as _

Words = Callable[[str, str], str]  # (a group's name, its value) → how the page says it


class Phrasebook:
    def __init__(self, phrases: Iterable[tuple[str, str]]) -> None:
        """``phrases``: (a regular expression matching a whole sentence, the message, marked with ``N_``)."""
        self.phrases = [(re.compile(pattern), message) for pattern, message in phrases]

    def say(self, sentence: str, words: Words | None = None, **values: object) -> str | None:
        """The sentence in the page's language, each group said by ``words`` and ``values`` added; None when no
        pattern matches it."""
        for pattern, message in self.phrases:
            found = pattern.fullmatch(sentence.strip())
            if found:
                groups = {name: words(name, value) if words else value for name, value in found.groupdict().items()}
                return _(message, **groups, **values) if groups or values else _(message)
        return None
