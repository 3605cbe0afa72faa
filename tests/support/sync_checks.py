"""What sync tests and the sync benchmark ask of the central server, and how they compare a
gate with it: admin calls as JSON, registry records per kind, the log records it holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from kiosk.store import Store
from kiosk.store import records as rec
from kiosk.store.chain import canonical_json
from kiosk.store.wire import record_row
from tests.support.central_server import CentralServer


@contextmanager
def running(server: CentralServer) -> Iterator[CentralServer]:
    """``server`` started for the block, then stopped and closed."""
    try:
        yield server.start()
    finally:
        server.close()


def admin_json(
    server: CentralServer, method: str, path: str, body: Any = None, **params: Any
) -> Any:
    """One admin API call; its JSON answer (an error status raises)."""
    response = server.admin(method, path, json=body, params=params or None)
    response.raise_for_status()
    return response.json() if response.content else None


def put(server: CentralServer, kind: str, records: list[Any], chunk: int = 5000) -> None:
    """Add or replace registry records of ``kind`` on the server through the admin API."""
    rows = [record_row(r) for r in records]
    for i in range(0, len(rows), chunk):
        admin_json(server, "POST", f"/records/{kind}", {"records": rows[i : i + chunk]})


def server_registry(server: CentralServer) -> dict[str, list[str]]:
    """Every registry record the server holds, per kind, as sorted canonical JSON."""
    return {
        kind.name: sorted(
            canonical_json(r) for r in admin_json(server, "GET", f"/records/{kind.name}")
        )
        for kind in rec.ALL_KINDS
    }


def kiosk_registry(store: Store) -> dict[str, list[str]]:
    """Every registry record the kiosk holds, in the form of :func:`server_registry`."""
    out: dict[str, list[str]] = {}
    with store.engine.connect() as conn:
        for kind in rec.ALL_KINDS:
            rows = conn.execute(select(kind.table)).mappings().all()
            out[kind.name] = sorted(
                canonical_json(record_row(kind.from_row(dict(r)))) for r in rows
            )
    return out


def server_log_ids(server: CentralServer, gate: str) -> list[str]:
    """Every record id the server holds for ``gate`` (repeats kept, should it hold any)."""
    rows = admin_json(server, "GET", "/log", gate=gate, limit=100_000)
    return [str(r["record_id"]) for r in rows]


def server_chain(server: CentralServer, gate: str) -> dict[str, Any]:
    """The server's check of its copy of ``gate``'s chain."""
    return dict(admin_json(server, "GET", f"/gates/{gate}/verify"))
