"""The real central server as a process on a free loopback port, with its own data directory.

```python
server = CentralServer(tmp_path / "central", db_url=None).start()   # SQLite in the data dir
token = server.add_gate("north")            # a gate token, as `central gate add` prints it
requests.get(server.url + "/api/v1/feed", headers=server.auth(token))
server.kill(); server.start()               # SIGKILL and restart on the same port and data
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

START_TIMEOUT_S = 120.0


class ServerDidNotStart(RuntimeError):
    """The server process exited or never answered its health check."""


class CentralServer:
    """Start, stop, kill and restart ``central serve``; admin helpers on its database."""

    def __init__(
        self, data_dir: Path, db_url: str | None = None, *, workers: int = 1, port: int = 0
    ) -> None:
        self.data_dir = data_dir
        self.db_url = db_url
        self.workers = workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = data_dir.parent / f"{data_dir.name}-server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._central: Central | None = None
        self._admin_token: str | None = None

    def command(self) -> list[str]:
        """The command line that runs the server."""
        cmd = [sys.executable, "-m", "central.cli", "--data-dir", str(self.data_dir)]
        if self.db_url:
            cmd += ["--db", self.db_url]
        return cmd + ["serve", "--port", str(self.port), "--workers", str(self.workers)]

    def start(self) -> CentralServer:
        """Start the process and wait until ``/api/v1/health`` answers."""
        log = self.log_file.open("ab")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            self.command(), stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerDidNotStart(
                    f"central serve exited ({self.process.returncode}): {self.log_tail()}"
                )
            try:
                if requests.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.kill()
        raise ServerDidNotStart(
            f"no health answer within {START_TIMEOUT_S:.0f} s: {self.log_tail()}"
        )

    def log_tail(self, lines: int = 20) -> str:
        """The end of the server's output."""
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no output)"

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the server (and its workers) and wait for it."""
        self._signal(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """SIGKILL the server and its workers at once (a crash)."""
        self._signal(signal.SIGKILL, 15)

    def _signal(self, sig: signal.Signals, timeout: float) -> None:
        if self.process is None or self.process.poll() is not None:
            self.process = None
            return
        try:
            os.killpg(self.process.pid, sig)  # the server's own session: it and its workers
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)
        self.process = None

    @property
    def central(self) -> Central:
        """The server's database and secrets, opened in this process."""
        if self._central is None:
            self._central = open_central(self.data_dir, self.db_url)
            admin.ensure_issuer(self._central)
        return self._central

    def add_gate(self, name: str) -> str:
        """Enrol a gate; its token."""
        return admin.add_gate(self.central, name, "test")

    @property
    def admin_token(self) -> str:
        """An admin token (made on first use)."""
        if self._admin_token is None:
            self._admin_token = admin.add_admin(self.central, "tester", "test")
        return self._admin_token

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        """The Authorization header for a token."""
        return {"Authorization": f"Bearer {token}"}

    def admin(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """An admin API call (``path`` after ``/api/v1/admin``)."""
        headers = {**self.auth(self.admin_token), **kwargs.pop("headers", {})}
        return requests.request(
            method, f"{self.url}/api/v1/admin{path}", headers=headers, timeout=30, **kwargs
        )

    def close(self) -> None:
        """Stop the server and release this process's database connections."""
        self.stop()
        if self._central is not None:
            self._central.engine.dispose()
            self._central = None
