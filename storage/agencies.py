"""The agencies the service knows: those of its batches and those its users are given, each with the name its
batches' manifests last gave (``agency_name``, CONTRACT §6)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from pydantic import BaseModel
from sqlalchemy import func, select

from storage.catalog import Catalog
from storage.schema import Batch, User


class Agency(BaseModel):
    code: str
    name: str | None  # None when no manifest named it
    batches: int
    users: int  # users given this agency (not those who see every agency)


def known_agencies(catalog: Catalog, only: Collection[str] | None = None) -> list[Agency]:
    """Every agency known, by code (``only``: just these, known or not)."""
    name = Batch.manifest["agency_name"].as_string()
    named = (select(Batch.agency, name, func.max(Batch.created_at)).where(name.is_not(None))
             .group_by(Batch.agency, name))
    with catalog.engine.connect() as connection:
        batches = dict(connection.execute(select(Batch.agency, func.count()).group_by(Batch.agency)).all())
        names = {agency: agency_name for agency, agency_name, _ in
                 sorted(connection.execute(named).all(), key=lambda row: (row[0], row[2]))}  # the latest wins
        users = Counter(code for agencies in connection.scalars(select(User.agencies)) for code in agencies or ())
    codes = set(batches) | set(users) if only is None else set(only)
    return [Agency(code=code, name=names.get(code), batches=batches.get(code, 0), users=users[code])
            for code in sorted(codes)]
