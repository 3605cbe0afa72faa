"""The HTTP API (FastAPI): gate endpoints, admin endpoints, errors (docs/sync-api.md)."""
