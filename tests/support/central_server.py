"""The real central server as a process on loopback, for the central and sync tests and the
benchmarks (``tests/support/sync_checks.py`` compares a gate with it).

:class:`CentralServer` runs ``central serve`` (uvicorn) from this checkout's ``.venv`` in a data
directory of its own (SQLite by default, or any ``--db`` URL), makes an admin token, and can
be stopped, SIGKILLed and restarted on the same port and data.

```python
with CentralServer(tmp_path / "central") as server:          # SQLite in the data directory
    token = server.add_gate("north")                          # as `central gate add` prints it
    requests.get(server.url + "/api/v1/feed", headers=server.auth(token))
    server.kill(); server.start()                             # a crash and a restart
```
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from central import admin
from central.context import Central, open_central
from tests.support.postgres import free_port

CENTRAL = Path(sys.executable).with_name("central")
START_TIMEOUT_S = 120.0  # two worker processes importing FastAPI on a loaded 2-core machine


class ServerDidNotStart(RuntimeError):
    """The server process exited or never answered its health check."""


class CentralServer:
    """``central serve`` in ``data_dir``; call :meth:`start`, :meth:`stop` (or ``with``)."""

    def __init__(
        self, data_dir: Path, db_url: str | None = None, *, workers: int = 1, tz: str = "UTC"
    ) -> None:
        self.data_dir = data_dir
        self.db_url = db_url
        self.workers = workers
        self.tz = tz
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.admin_token = ""
        self._log = data_dir.parent / f"{data_dir.name}-server.log"
        self._central: Central | None = None

    def _base(self) -> list[str]:
        args = [str(CENTRAL), "--data-dir", str(self.data_dir), "--tz", self.tz]
        if self.db_url:
            args += ["--db", self.db_url]
        return args

    def start(self) -> CentralServer:
        """Start the process and wait until it answers its health check."""
        if not self.admin_token:  # in this process: two `central` runs would cost seconds
            self.admin_token = admin.add_admin(self.central, "tests", "tests")
        log = self._log.open("ab")
        self.process = subprocess.Popen(
            [*self._base(), "serve", "--port", str(self.port), "--workers", str(self.workers)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise ServerDidNotStart(f"central serve exited ({code}): {self.log_tail()}")
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.kill()
        raise ServerDidNotStart(f"no health answer in {START_TIMEOUT_S:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        """The end of the server's output."""
        try:
            return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no output)"

    def kill(self) -> None:
        """SIGKILL the server and its workers at once (a crash)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(15)
        self.process = None

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM), or kill it after 15 s."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def close(self) -> None:
        """Stop the server and release this process's database connections."""
        self.stop()
        if self._central is not None:
            self._central.engine.dispose()
            self._central = None

    def __enter__(self) -> CentralServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ the database, in-process
    @property
    def central(self) -> Central:
        """The server's database and secrets, opened in this process."""
        if self._central is None:
            self._central = open_central(self.data_dir, self.db_url, self.tz)
            admin.ensure_issuer(self._central)
        return self._central

    # ------------------------------------------------------------ admin API
    @staticmethod
    def auth(token: str) -> dict[str, str]:
        """The Authorization header for a token."""
        return {"Authorization": f"Bearer {token}"}

    def admin(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One admin API request (``path`` after ``/api/v1/admin``; ``requests`` keyword
        arguments); the raw response (``tests/support/sync_checks.py`` has JSON helpers)."""
        headers = {**self.auth(self.admin_token), **kwargs.pop("headers", {})}
        return requests.request(
            method, f"{self.url}/api/v1/admin{path}", headers=headers, timeout=120, **kwargs
        )

    def add_gate(self, name: str) -> str:
        """Enrol a gate through the admin API; its token."""
        answer = self.admin("POST", "/gates", json={"name": name})
        answer.raise_for_status()
        return str(answer.json()["token"])
