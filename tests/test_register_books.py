"""Register book pages of other layouts than the ones the reader was first written for, read by real Tesseract:
a fully ruled book with group titles and a row of column numbers, an unruled one, one ruled between entries only in
faint grey, a page from the middle of a book without its title, and a handwritten one."""
from __future__ import annotations

import numpy as np
import pytest
from understanding_support import understand_scan

from ocr.understand import ENTRY_PAGE, Understanding
from sohoa.sample_books import BookPage, draw_layout, make_entries, render_book_page

ENTRIES = 5


def _book_page(seed: int, **options: object) -> tuple[BookPage, Understanding]:
    rng = np.random.default_rng(seed)
    layout = draw_layout(rng, spread=False, paper="a4", **options)
    page = render_book_page(layout, make_entries(rng, layout.book_type, ENTRIES, 40, layout.year))
    return page, understand_scan(page.image, layout.dpi)


def _right(page: BookPage, found: Understanding) -> int:
    """How many of the page's entries were read exactly."""
    read = [{k: v for k, v in r.items() if k != ENTRY_PAGE} for r in found.records]
    return sum(truth in read for truth in page.records)


@pytest.mark.parametrize(("seed", "options"), [
    (5, {"book_type": "birth_register_page", "rules": "grid", "spanning": True, "numbered": "colnum", "dpi": 200,
     "handwritten": False, "title": "title"}),
    (5, {"book_type": "death_register_page", "rules": "norules", "spanning": False, "numbered": "nocolnum", "dpi": 200,
     "handwritten": False, "title": "runhead"}),
    (6, {"book_type": "marriage_register_page", "rules": "faint", "spanning": False, "numbered": "colnumplain",
     "dpi": 200, "handwritten": False, "title": "notitle"}),
], ids=["grid-groups-numbered", "unruled", "faint-untitled"])
def test_book_layouts_are_read_entry_by_entry(seed: int, options: dict[str, object]) -> None:
    page, found = _book_page(seed, **options)
    assert found.doc_type == options["book_type"]
    assert len(found.records) == len(page.records) and _right(page, found) >= len(page.records) - 1


def test_a_handwritten_page_gets_no_invented_entries_and_is_flagged() -> None:
    page, found = _book_page(3, book_type="death_register_page", rules="grid", handwritten=True, dpi=200,
                             title="title")
    assert page.records and found.records == []
    assert found.needs_review and any(reason.startswith("handwritten") for reason in found.review_reasons)
