"""The OpenAPI description the API gives of itself: every call the pages make is there, typed, with the answers a
caller must expect (401 without a token, 403 for another role, 404 for what it may not see, 413 for a body too
large)."""
from __future__ import annotations

from pathlib import Path

import pytest
from api_support import env_settings

from sohoa.api.app import create_app

PUBLIC = {"/healthz", "/keys/dev-ca.crl", "/keys/dev-ca.pem", "/api/public/verify", "/metrics"}
UPLOADS = {("post", "/api/batches"), ("post", "/api/verify")}
NOTHING_TO_MISS = {"/api/documents/reuse/{personal_id}"}  # a person with no document is an empty answer


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return create_app(env_settings(tmp_path_factory.mktemp("openapi"), monkeypatch)).openapi()


def _operations(openapi: dict) -> list[tuple[str, str, dict]]:
    return [(method, path, operation) for path, item in openapi["paths"].items()
            for method, operation in item.items()]


def test_the_pages_calls_are_described(openapi: dict) -> None:
    paths = set(openapi["paths"])
    assert {"/api/batches", "/api/batches/{batch_id}", "/api/documents", "/api/documents/{doc_id}",
            "/api/documents/{doc_id}/pdf", "/api/documents/{doc_id}/pages/{index}.png",
            "/api/documents/{doc_id}/corrections", "/api/audit", "/api/users", "/api/verify",
            "/api/public/verify", "/api/reports/progress"} <= paths
    assert not any(path.startswith(("/tra-cuu", "/duyet", "/dang-nhap")) for path in paths)  # pages are not the API


def test_every_protected_call_documents_its_refusals(openapi: dict) -> None:
    for method, path, operation in _operations(openapi):
        if path in PUBLIC:
            continue
        answers = set(operation["responses"])
        assert {"401", "403"} <= answers, f"{method.upper()} {path}: {sorted(answers)}"
        if "{" in path and method == "get" and path not in NOTHING_TO_MISS:
            assert "404" in answers, f"{method.upper()} {path}"
        if (method, path) in UPLOADS:
            assert "413" in answers, f"{method.upper()} {path}"


def test_answers_are_typed(openapi: dict) -> None:
    for method, path, operation in _operations(openapi):
        if not path.startswith("/api/"):
            continue
        success = next((a for code, a in operation["responses"].items() if code.startswith("2")), None)
        assert success is not None, f"{method.upper()} {path}"
        content = success.get("content") or {}
        if "application/json" in content:
            schema = content["application/json"].get("schema") or {}
            assert schema.get("$ref") or schema.get("type") == "array" or schema.get("anyOf"), \
                f"{method.upper()} {path}: an untyped JSON answer {schema}"


def test_the_documentation_pages_use_the_packaged_assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    with TestClient(create_app(env_settings(tmp_path, monkeypatch))) as client:
        for page in ("/docs", "/redoc"):
            html = client.get(page).text
            assert "cdn." not in html and "googleapis" not in html, page
        assert client.get("/static/api-docs/swagger-ui-bundle.js").status_code == 200
        assert client.get("/static/api-docs/redoc.standalone.js").status_code == 200
