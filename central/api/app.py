"""The FastAPI application factory."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from central import admin
from central.api import admin_routes, errors, gate_routes
from central.context import DEFAULT_TZ, Central, CentralError, open_central
from central.verify import BACKENDS
from central.web.app import add_web

TITLE = "Campus gate central server"
VERSION = "1"


def create_app(central: Central, verifier: str = "reference", max_concurrent: int = 64) -> FastAPI:
    """The API for ``central`` with the named health-code backend."""
    if verifier not in BACKENDS:
        raise CentralError(
            f"--verifier: unknown backend {verifier!r} (one of {', '.join(BACKENDS)})"
        )
    app = _routes()
    app.state.central = central
    app.state.verifier = BACKENDS[verifier](central.engine)
    errors.install(app)
    add_web(app, central)
    app.add_middleware(errors.Guard, max_concurrent=max_concurrent)
    return app


def _routes() -> FastAPI:
    app = FastAPI(
        title=TITLE,
        version=VERSION,
        description="The wire contract between gates and the central server (docs/sync-api.md).",
    )
    app.include_router(gate_routes.router)
    app.include_router(admin_routes.router)
    return app


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the API (what ``docs/openapi.json`` holds)."""
    return _routes().openapi()


def openapi_text() -> str:
    """The OpenAPI document as ``docs/openapi.json`` stores it."""
    return json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n"


ENV_DATA_DIR = "CENTRAL_DATA_DIR"
ENV_DB = "CENTRAL_DB"
ENV_TZ = "CENTRAL_TZ"
ENV_VERIFIER = "CENTRAL_VERIFIER"


def app_from_environment() -> FastAPI:
    """The app for a uvicorn worker process, configured by ``central serve`` through the
    environment (``CENTRAL_DATA_DIR``, ``CENTRAL_DB``, ``CENTRAL_TZ``, ``CENTRAL_VERIFIER``)."""
    central = open_central(
        Path(os.environ[ENV_DATA_DIR]),
        os.environ.get(ENV_DB) or None,
        os.environ.get(ENV_TZ, DEFAULT_TZ),
    )
    admin.ensure_issuer(central)
    return create_app(central, os.environ.get(ENV_VERIFIER, "reference"))
