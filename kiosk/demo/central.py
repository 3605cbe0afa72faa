"""The demo's central server: the real FastAPI app on loopback, SQLite in the demo directory.

:class:`DemoCentral` runs the server in this process (uvicorn on a thread named "central"), so
its clock can be the demo's scripted clock: a visit filed two days ahead is filed two days
ahead of the demo morning. Everything else goes over HTTP as it would at a campus: the gate is
enrolled with a gate token, the registry is loaded through the admin API (visits filed, then
approved by the host unit and the epidemic-control office), the gate pulls it through the feed
and pushes its decisions back. The console demo (``kiosk/demo/day.py``) and the screen's demo
use it the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

from kiosk.config import KioskConfig
from kiosk.core.registry import RegistrySnapshot
from kiosk.store import records as rec
from kiosk.store.wire import record_row
from kiosk.sync.link import Enrolment, enroll

log = logging.getLogger(__name__)

START_TIMEOUT_S = 20.0
CHUNK = 5000


class DemoCentral:
    """A central server for one demo run; use as a context manager."""

    def __init__(
        self, data_dir: Path, now: Callable[[], dt.datetime], tz: str = "Asia/Shanghai"
    ) -> None:
        self.data_dir = data_dir
        self._now = now
        self._at: dt.datetime | None = None
        self.tz = tz
        self.url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._tokens: dict[str, str] = {}
        self._http = requests.Session()
        self._http.trust_env = False

    def now(self) -> dt.datetime:
        """The server's clock: the demo's, unless :meth:`at` holds it at a moment."""
        return self._at or self._now()

    @contextlib.contextmanager
    def at(self, moment: dt.datetime) -> Iterator[None]:
        """Run the block with the server's clock at ``moment`` (a filing made days ahead)."""
        self._at = moment
        try:
            yield
        finally:
            self._at = None

    # ------------------------------------------------------------- lifecycle
    def __enter__(self) -> DemoCentral:
        import uvicorn

        from central import admin
        from central.api.app import create_app
        from central.context import open_central

        central = open_central(self.data_dir, None, self.tz)
        central.clock = self.now
        admin.ensure_issuer(central)
        run = time.time_ns()
        for who in ("office", "host"):  # two people: a visit needs two different approvers
            self._tokens[who] = admin.add_admin(central, f"demo-{who}-{run}", "demo")
        port = _free_port()
        config = uvicorn.Config(
            create_app(central, "reference"),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            ws="none",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="central", daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the demo's central server did not start")
            time.sleep(0.02)
        log.info("demo central server at %s", self.url)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._http.close()

    # ------------------------------------------------------------ admin API
    def admin(
        self, method: str, path: str, body: Any = None, *, who: str = "office", **params: Any
    ) -> Any:
        """One admin API request as ``who`` (the office, or the host unit's staff)."""
        response = self._http.request(
            method,
            f"{self.url}/api/v1/admin{path}",
            json=body,
            params=params or None,
            headers={"Authorization": f"Bearer {self._tokens[who]}"},
            timeout=120,
        )
        if not response.ok:
            raise RuntimeError(f"demo central {method} {path}: {response.text[:300]}")
        return response.json() if response.content else None

    def enroll(self, config: KioskConfig) -> Enrolment:
        """Enrol the demo gate: a gate token from the server, then ``kiosk sync enroll``."""
        name = config.settings.gate.id
        known = {g.get("gate", g.get("name")) for g in self.admin("GET", "/gates")}
        if name in known:  # a kept demo directory: the gate gets a new token
            token = str(self.admin("POST", f"/gates/{name}/token")["token"])
        else:
            token = str(self.admin("POST", "/gates", {"name": name})["token"])
        return enroll(config, token, url=self.url)

    def load(
        self,
        snapshot: RegistrySnapshot,
        visits: tuple[tuple[str, str, str, str, int], ...],
        visit_day: dt.datetime,
    ) -> int:
        """Put the registry on the server; visits are filed ``days`` before ``visit_day`` and
        approved by the host unit and the office. Returns the records written."""
        written = 0
        for kind in rec.ALL_KINDS:
            if kind.name == "visit_approvals":
                continue
            rows = [record_row(r) for r in getattr(snapshot, kind.name)]
            for i in range(0, len(rows), CHUNK):
                self.admin("POST", f"/records/{kind.name}", {"records": rows[i : i + CHUNK]})
            written += len(rows)
        hosts = {v.approval_no: v for v in snapshot.visit_approvals}
        filed = {v["approval_no"] for v in self.admin("GET", "/visits")}
        for approval_no, name, id_number, origin, days in visits:
            visit = hosts[approval_no]
            if approval_no in filed:  # a kept demo directory
                continue
            with self.at(visit_day - dt.timedelta(days=days)):
                self.admin(
                    "POST",
                    "/visits",
                    {
                        "approval_no": approval_no,
                        "name": name,
                        "id_number": id_number,
                        "origin_region": origin,
                        "host_unit": visit.host_unit,
                        "host_person_no": visit.host_person_no,
                        "visit_date": visit.visit_date.isoformat(),
                        "gates": list(visit.gates),
                    },
                    who="host",
                )
            with self.at(visit_day - dt.timedelta(days=days) + dt.timedelta(hours=2)):
                self.admin("POST", f"/visits/{approval_no}/host-approval", who="host")
                self.admin("POST", f"/visits/{approval_no}/office-approval")
            written += 1
        return written

    def verify(self, gate: str) -> dict[str, Any]:
        """The server's check of its copy of ``gate``'s chain."""
        return dict(self.admin("GET", f"/gates/{gate}/verify"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
