"""Splitting a file's pages into documents at separator sheets."""
from __future__ import annotations

from dataclasses import dataclass, field

from ingest.separator import Separator
from workers.stages import PageOutcome


@dataclass
class DocPlan:
    pages: list[PageOutcome] = field(default_factory=list)  # every page of the document, blank ones included
    separator: Separator | None = None  # the sheet that announced it

    @property
    def first(self) -> int:
        return self.pages[0].number

    @property
    def last(self) -> int:
        return self.pages[-1].number

    def source(self, file_source: str, several: bool) -> str:
        """CONTRACT §1: the file's path, plus ``#p<first>-<last>`` when the file holds more than one document."""
        return f"{file_source}#p{self.first}-{self.last}" if several else file_source

    def count_mismatch(self) -> str | None:
        """Why the page count differs from the one the separator announced, if it does."""
        announced = self.separator.pages if self.separator else None
        if announced is None:
            return None
        counts = {len(self.pages), sum(not p.blank for p in self.pages)}
        if announced in counts:
            return None
        return f"the separator sheet announced {announced} pages, the document has {len(self.pages)}"


def split_documents(pages: list[PageOutcome]) -> list[DocPlan]:
    """Runs of pages between separator sheets; the sheets themselves belong to no document."""
    plans: list[DocPlan] = []
    current = DocPlan()
    for page in pages:
        if page.separator:
            if current.pages:
                plans.append(current)
            current = DocPlan(separator=page.separator)
        else:
            current.pages.append(page)
    if current.pages:
        plans.append(current)
    return plans
