"""Dependencies the routers share: the settings, and the catalog and object store opened once per application."""
from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from sohoa.settings import Settings
from storage.catalog import Catalog
from storage.objects import ObjectStore


class Resources:
    """The catalog and the object store, each opened on first use (a service that is down then is tried again)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._catalog_lock, self._store_lock = threading.Lock(), threading.Lock()
        self._catalog: Catalog | None = None
        self._store: ObjectStore | None = None

    def catalog(self) -> Catalog:
        with self._catalog_lock:
            if self._catalog is None:
                self._catalog = Catalog(self.settings.database_url)
            return self._catalog

    def object_store(self) -> ObjectStore:
        with self._store_lock:
            if self._store is None:
                self._store = self.settings.object_store()
            return self._store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_resources(request: Request) -> Resources:
    return request.app.state.resources


SettingsDep = Annotated[Settings, Depends(get_settings)]
ResourcesDep = Annotated[Resources, Depends(get_resources)]
