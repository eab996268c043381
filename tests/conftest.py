"""Shared fixtures: one real run of the pipeline over the project's own sample batch, reused by many tests."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ingest.manifest import Manifest
from ocr.engine import OcrConfig
from signing.devca import ensure_dev_keys
from signing.signer import SignerConfig
from sohoa.sample import SampleFile, write_sample_batch
from workers.embedded import BatchConfig, process_batch
from workers.summary import Summary

if TYPE_CHECKING:
    from service_support import Service

pytest_plugins = ["storage_backends", "web_support"]  # object stores and catalogs; the web interface


@dataclass
class Run:
    scans: Path
    truth: list[SampleFile]
    out: Path
    data_dir: Path
    config: BatchConfig
    summary: Summary

    def documents(self) -> list[dict]:
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.out.glob("*.json"))
                if p.name != "summary.json"]

    def by_source(self, suffix: str) -> dict:
        return next(d for d in self.documents() if d["source"].endswith(suffix))


def batch_config(out: Path, data_dir: Path, jobs: int = 2) -> BatchConfig:
    keys = ensure_dev_keys(data_dir / "keys")
    return BatchConfig(out_dir=out, data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'catalog.db'}",
                       agency="TEST", ocr=OcrConfig(), signer=SignerConfig(keys.signer_p12), manifest=Manifest(),
                       jobs=jobs)


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("sample-run")
    scans = root / "scans"
    truth = write_sample_batch(scans)
    config = batch_config(root / "out", root / "data")
    summary = process_batch([str(scans)], config)
    return Run(scans, truth, root / "out", root / "data", config, summary)


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Service]:
    """A throwaway Redis, settings pointing at it and a catalog; `sohoa worker`s are started by the test."""
    from service_support import running_service  # after pytest took storage_backends as a plugin

    with running_service(tmp_path, monkeypatch) as running:
        yield running
