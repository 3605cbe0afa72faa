"""docs/openapi.json is the document the code generates."""

from __future__ import annotations

import json
from pathlib import Path

from central.api.app import openapi_document, openapi_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_openapi_document_matches_the_code() -> None:
    assert DOC.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json is out of date: run `central openapi --out docs/openapi.json`"
    )


def test_every_gate_and_admin_endpoint_is_documented_with_bearer_auth() -> None:
    document = openapi_document()
    paths = document["paths"]
    for path in ("/api/v1/feed", "/api/v1/decisions", "/api/v1/verify/health-code"):
        (operation,) = paths[path].values()
        assert operation["security"] == [{"HTTPBearer": []}], path
    assert "security" not in paths["/api/v1/health"]["get"]
    assert json.loads(DOC.read_text())["info"]["title"] == document["info"]["title"]
