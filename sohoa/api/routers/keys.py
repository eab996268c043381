"""The development CA's certificate and CRL, public by nature: what its certificates' CRL address points at."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response

from signing.devca import CRL_CONTENT_TYPE, DEV_CRL_PATH, DevKeys, dev_crl, dev_keys
from sohoa.api.deps import SettingsDep

PEM_CONTENT_TYPE = "application/x-pem-file"
router = APIRouter(tags=["keys"])


def _existing_dev_keys(settings: SettingsDep) -> DevKeys:
    keys = dev_keys(settings.data_dir / "keys")
    if not (keys.ca_cert.exists() and keys.ca_key.exists()):
        raise HTTPException(404, "this service has no development CA (`sohoa keys init-dev` makes one)")
    return keys


DevKeysDep = Annotated[DevKeys, Depends(_existing_dev_keys)]


@router.get(DEV_CRL_PATH, response_class=Response, responses={200: {"content": {CRL_CONTENT_TYPE: {}}}})
def dev_ca_crl(keys: DevKeysDep) -> Response:
    """The development CA's current CRL (DER), re-issued when it is a day old."""
    return Response(dev_crl(keys), media_type=CRL_CONTENT_TYPE)


@router.get("/keys/dev-ca.pem", response_class=Response, responses={200: {"content": {PEM_CONTENT_TYPE: {}}}})
def dev_ca_certificate(keys: DevKeysDep) -> Response:
    """The development CA's certificate (PEM)."""
    return Response(keys.ca_cert.read_bytes(), media_type=PEM_CONTENT_TYPE)
