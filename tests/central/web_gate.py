"""A real kiosk gate for the end-to-end test: its registry pulled from the server's feed, the
gate service deciding over it, a relay simulator on a pty, its log pushed back to the server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from drivers.relay.device import RelayDevice
from drivers.relay.simulator import RelaySimulator
from kiosk.core.clock import ManualClock
from kiosk.core.credentials import (
    KeyRing,
    SigningKey,
    TrustedKey,
    issue_campus_pass,
    issue_health_code,
)
from kiosk.core.datasets import DatasetTimes
from kiosk.core.evidence import Reading
from kiosk.core.policy_config import Policy, merge_policy
from kiosk.core.transaction import Gate, GateSetup
from kiosk.runtime import LogSink, RelayTurnstile
from kiosk.service import GateService, TransactionView
from kiosk.store import Store
from kiosk.store.db import open_engine
from kiosk.store.log import DecisionLog
from kiosk.store.outbox import Outbox
from kiosk.store.registry import RegistryWriter, SqlRegistry
from tests.central.feed_client import KioskRegistry


class WebGate:
    """Gate ``name`` enrolled on the server at ``url`` with ``token``; its clock is manual."""

    def __init__(
        self, tmp: Path, url: str, token: str, name: str, campus_key: bytes, now: dt.datetime
    ) -> None:
        self.url, self.token, self.name = url, token, name
        self.path = tmp / f"kiosk-{name}.db"
        self.tz = ZoneInfo("Asia/Shanghai")
        self.campus_key = campus_key
        self.clock = ManualClock(now)
        self.issuer = SigningKey.generate("EdDSA")  # the provincial and school pass issuer
        self.relay_sim = RelaySimulator("modbus-coil", "normal")
        self.relay_sim.start()
        self.relay = RelayDevice(self.relay_sim.port, "modbus-coil", 1, reply_timeout_s=0.3)
        self.relay.initialise()
        self.synced_at: dt.datetime | None = None

    def pull(self) -> None:
        """Fetch every feed page into the kiosk's store."""
        kiosk = KioskRegistry(self.path)
        try:
            while True:
                params = {"cursor": kiosk.cursor} if kiosk.cursor else {}
                page = requests.get(
                    self.url + "/api/v1/feed", params=params, headers=self._auth(), timeout=30
                ).json()
                kiosk.apply(page)
                if page["complete"]:
                    self.synced_at = dt.datetime.fromisoformat(page["server_time"])
                    return
        finally:
            kiosk.close()

    def service(self, policy: Policy) -> tuple[GateService, Store]:
        """The gate service over the pulled registry (the caller stops it)."""
        engine = open_engine(f"sqlite:///{self.path}")
        store = Store(
            engine=engine,
            key_path=self.path.parent / "campus.key",
            _key=self.campus_key,
            registry=SqlRegistry(engine),
            writer=RegistryWriter(engine),
            log=DecisionLog(engine, gate=self.name),
            outbox=Outbox(engine),
            gate=self.name,
            tz=self.tz,
        )
        served = [TrustedKey.from_record(k) for k in store.registry.trust_keys()]
        keyring = KeyRing(
            [*served, self.issuer.trusted_key(issuer="test", prefixes=("HK1", "CP1"))]
        )
        # The gate runs on the visit day, a day after the server's clock: a registry pulled
        # "yesterday" must still count as fresh (R15), as after a night without a sync: every
        # dataset gets the one 48 h limit (no per-dataset limits, no same-day check-ins).
        policy = merge_policy(
            policy, {"freshness": {"registry_max_age_h": 48.0, "max_age_h": {}, "same_day": []}}
        )
        gate = Gate(
            GateSetup(self.name, "in", self.tz, "4101", policy, self.campus_key),
            registry=store.registry,
            keyring=lambda: keyring,
            clock=self.clock,
            sink=LogSink(store),
            data_as_of=lambda: DatasetTimes.uniform(self.synced_at),
        )
        return GateService(gate, turnstile=RelayTurnstile(self.relay, 100)), store

    def health_code(self, name: str, id_number: str, region: str) -> str:
        """A green health code of the visitor, valid today."""
        now = self.clock.now()
        return issue_health_code(
            self.issuer,
            name=name,
            id_number=id_number,
            visited_regions=[region],
            iat=now - dt.timedelta(minutes=5),
            exp=now + dt.timedelta(hours=12),
        )

    def campus_pass(self, person_no: str) -> str:
        """The host's dynamic campus pass."""
        now = self.clock.now()
        return issue_campus_pass(
            self.issuer,
            person_no=person_no,
            role="staff",
            iat=now - dt.timedelta(seconds=5),
            exp=now + dt.timedelta(seconds=55),
        )

    @staticmethod
    def reading(now: dt.datetime) -> Reading:
        """A normal body temperature measured just now."""
        return Reading(body_c=36.6, raw_c=35.1, ambient_c=21.0, frames=5, taken_from=now)

    def push(self, store: Store) -> list[dict[str, Any]]:
        """Send the gate's whole log to the server as one ingest batch; the results."""
        records = [r.as_dict() for r in store.log.records()]
        answer = requests.post(
            self.url + "/api/v1/decisions",
            json={"records": records, "backlog": 0},
            headers=self._auth(),
            timeout=60,
        )
        answer.raise_for_status()
        return list(answer.json()["results"])

    def close(self) -> None:
        self.relay.close()
        self.relay_sim.close()

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def final(service: GateService, tx_id: str | None = None) -> TransactionView:
    """The last transaction the gate decided (after everything settled)."""
    assert service.wait_idle(30)
    snap = service.snapshot()
    view = service.transaction(tx_id) if tx_id else snap.last
    assert view is not None
    return view
