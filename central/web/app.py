"""Mounting the web pages on the central server's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from central.context import Central
from central.web import approvals, dashboard, visitor


def add_web(app: FastAPI, central: Central) -> None:
    """Serve the visitor, staff and admin pages of ``central`` from ``app``."""
    app.include_router(visitor.router(central))
    app.include_router(approvals.router(central))
    app.include_router(dashboard.router(central))
