"""Configuration from the environment (CONTRACT §4); every variable is optional."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from signing.devca import dev_keys, ensure_dev_keys
from signing.signer import SignerConfig


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    agency: str
    ocr_lang: str
    signing_p12: Path | None
    signing_p12_password: str | None
    trust_roots: list[Path]

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("SOHOA_DATA_DIR", ".sohoa")).absolute()
        roots = [Path(p) for p in os.environ.get("SOHOA_TRUST_ROOTS", "").split(os.pathsep) if p]
        p12 = os.environ.get("SOHOA_SIGNING_P12")
        return cls(
            data_dir=data_dir,
            database_url=os.environ.get("SOHOA_DATABASE_URL", f"sqlite:///{data_dir / 'catalog.db'}"),
            agency=os.environ.get("SOHOA_AGENCY", "LOCAL"),
            ocr_lang=os.environ.get("SOHOA_OCR_LANG", "vie"),
            signing_p12=Path(p12) if p12 else None,
            signing_p12_password=os.environ.get("SOHOA_SIGNING_P12_PASSWORD"),
            trust_roots=roots or [dev_keys(data_dir / "keys").ca_cert],
        )

    @property
    def objects_dir(self) -> Path:
        return self.data_dir / "objects"

    def signer_config(self) -> SignerConfig:
        """The agency's PKCS#12 key when configured, else the development key (created on first use)."""
        if self.signing_p12:
            return SignerConfig(self.signing_p12, self.signing_p12_password)
        return SignerConfig(ensure_dev_keys(self.data_dir / "keys").signer_p12)
