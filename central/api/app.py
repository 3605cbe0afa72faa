"""The FastAPI application factory."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from central import admin
from central.api import admin_routes, errors, gate_routes
from central.context import DEFAULT_TZ, Central, CentralError, open_central
from central.verify import BACKENDS

TITLE = "Campus gate central server"
VERSION = "1"


def create_app(central: Central, verifier: str = "reference", max_concurrent: int = 64) -> FastAPI:
    """The API for ``central`` with the named health-code backend."""
    if verifier not in BACKENDS:
        raise CentralError(
            f"--verifier: unknown backend {verifier!r} (one of {', '.join(BACKENDS)})"
        )
    app = FastAPI(title=TITLE, version=VERSION, description="docs/sync-api.md in words.")
    app.state.central = central
    app.state.verifier = BACKENDS[verifier](central.engine)
    errors.install(app)
    app.include_router(gate_routes.router)
    app.include_router(admin_routes.router)
    app.add_middleware(errors.Guard, max_concurrent=max_concurrent)
    return app


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
