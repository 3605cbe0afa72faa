"""The real central server as a process on loopback, for the sync tests and `scripts/bench sync`.

:class:`CentralServer` runs ``central serve`` (uvicorn) from this checkout's ``.venv`` in a data
directory of its own (SQLite by default, or any ``--db`` URL), makes an admin token with the
``central`` command, and can be killed and restarted on the same port and data.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from kiosk.store import Store
from kiosk.store import records as rec
from kiosk.store.chain import canonical_json
from kiosk.store.wire import record_row

CENTRAL = Path(sys.executable).with_name("central")
START_TIMEOUT_S = 30.0


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CentralServer:
    """``central serve`` in ``data_dir``; call :meth:`start`, :meth:`stop` (or ``with``)."""

    def __init__(
        self, data_dir: Path, *, db_url: str | None = None, workers: int = 1, tz: str = "UTC"
    ) -> None:
        self.data_dir = data_dir
        self.db_url = db_url
        self.workers = workers
        self.tz = tz
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.admin_token = ""
        self._log = data_dir / "server.log"

    def _base(self) -> list[str]:
        args = [str(CENTRAL), "--data-dir", str(self.data_dir), "--tz", self.tz]
        if self.db_url:
            args += ["--db", self.db_url]
        return args

    def cli(self, *args: str) -> str:
        """Run one ``central`` command against this server's data; its standard output."""
        done = subprocess.run(
            [*self._base(), *args], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"central {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout.strip()

    def start(self) -> CentralServer:
        """Start the process and wait until it answers its health check."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.admin_token:
            self.cli("init")
            self.admin_token = self.cli("admin", "token", "add", "tests").splitlines()[-1]
        log = self._log.open("ab")
        self.process = subprocess.Popen(
            [*self._base(), "serve", "--port", str(self.port), "--workers", str(self.workers)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"central serve exited: {self._log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("central serve did not answer in time")

    def kill(self) -> None:
        """SIGKILL the server (and its workers)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM), or kill it after 10 s."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def __enter__(self) -> CentralServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ admin API
    def admin(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """One admin API request; the JSON answer (raises on an error status)."""
        response = requests.request(
            method,
            f"{self.url}/api/v1/admin{path}",
            json=body,
            params=params or None,
            headers={"Authorization": f"Bearer {self.admin_token}"},
            timeout=120,
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def add_gate(self, name: str) -> str:
        """Enrol a gate; its token."""
        return str(self.admin("POST", "/gates", {"name": name})["token"])

    def put(self, kind: str, records: list[Any], chunk: int = 5000) -> None:
        """Add or replace registry records of ``kind`` on the server."""
        rows = [record_row(r) for r in records]
        for i in range(0, len(rows), chunk):
            self.admin("POST", f"/records/{kind}", {"records": rows[i : i + chunk]})

    def registry(self) -> dict[str, list[str]]:
        """Every registry record the server holds, per kind, as sorted canonical JSON."""
        return {
            kind.name: sorted(canonical_json(r) for r in self.admin("GET", f"/records/{kind.name}"))
            for kind in rec.ALL_KINDS
        }


def kiosk_registry(store: Store) -> dict[str, list[str]]:
    """Every registry record the kiosk holds, in the same form as :meth:`CentralServer.registry`."""
    out: dict[str, list[str]] = {}
    with store.engine.connect() as conn:
        for kind in rec.ALL_KINDS:
            rows = conn.execute(select(kind.table)).mappings().all()
            out[kind.name] = sorted(
                canonical_json(record_row(kind.from_row(dict(r)))) for r in rows
            )
    return out
