"""The menu: each page a role may open."""
from __future__ import annotations

from dataclasses import dataclass

from sohoa.web.i18n import N_
from storage.users import Caller


@dataclass(frozen=True)
class MenuItem:
    path: str
    label: str  # a message, translated when shown
    roles: tuple[str, ...]  # who sees it; () for everyone, signed in or not
    under: tuple[str, ...] = ()  # other pages reached from it, shown as being in it
    every_agency: bool = False  # only for people who see every agency

    def covers(self, here: str) -> bool:
        """Whether the page at ``here`` is this item's (or one reached from it)."""
        return any(here == p or here.startswith(p + "/") for p in (self.path, *self.under))


MENU = (
    MenuItem("/tai-len", N_("Upload"), ("scanner",)),
    MenuItem("/lo-quet", N_("Batches"), ("scanner", "archivist")),
    MenuItem("/tra-cuu", N_("Search"), ("officer", "reviewer", "archivist"), ("/tai-lieu", "/cong-dan")),
    MenuItem("/duyet", N_("Review"), ("reviewer",)),
    MenuItem("/bao-cao", N_("Dashboard"), ("archivist",)),
    MenuItem("/nhat-ky", N_("Audit log"), ("archivist",), every_agency=True),
    MenuItem("/kiem-tra", N_("Fixity"), ("archivist",)),
    MenuItem("/quan-tri/nguoi-dung", N_("Users"), ("admin",)),
    MenuItem("/quan-tri/ky-so", N_("Signer"), ("admin",)),
    MenuItem("/xac-thuc", N_("Verify a result"), ()),
)


def menu(caller: Caller | None) -> list[MenuItem]:
    """What the menu shows this visitor: only the pages its role may open (the pages check again)."""
    return [item for item in MENU if not item.roles or (
        caller is not None and caller.may(*item.roles) and not (item.every_agency and caller.agencies is not None))]


def home(caller: Caller) -> str:
    """Where a person lands after signing in: the first page of the menu meant for its role."""
    return next((item.path for item in MENU if caller.role in item.roles), "/xac-thuc")
