"""A demo gate morning through the real path: camera → cascade → verify → gate service
(thermometer → decide → log → turnstile), on simulated devices (pty thermometer, ID card
reader and relay, synthetic camera) and SQLite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from drivers.camera import CaptureListener, DecodeResult, ScanListener, SimulatedCamera
from drivers.device import DeviceListener, DeviceState
from drivers.idcard import IdCard, IdCardSimulator
from drivers.relay import RelaySimulator
from drivers.thermometer import ThermometerListener, ThermometerSimulator
from kiosk.config import KioskConfig
from kiosk.core.clock import ManualClock
from kiosk.core.credentials.keys import SigningKey
from kiosk.core.evidence import Reading
from kiosk.core.policy_config import load_policy
from kiosk.core.reasons import message
from kiosk.demo.cast import START, VISITS, Issuers, Visit, build_registry, morning
from kiosk.demo.central import DemoCentral
from kiosk.devices import open_gate_devices, scan_worker, start_idcard_reader
from kiosk.idcard import CardGate, CardsToGate, card_identity
from kiosk.runtime import (
    RelayTurnstile,
    ThermometerReadings,
    TrustList,
    build_gate,
    signed_code_verifier,
    start_sync,
)
from kiosk.service import GateService, Refusal, ServiceListener, TransactionView
from kiosk.store import Store, open_store
from kiosk.store.registry import registry_status
from kiosk.sync.worker import SyncWorker

SCAN_TIMEOUT_S = 15.0
SETTLE_TIMEOUT_S = 60.0
DEVICE_READY_S = 15.0
DEMO_CAMERA = "sim:?every=1000000000&show=12&fps=15&seed=7"
"""A synthetic scene that shows only the codes the demo presents."""
OUTCOME_WORDS = {"admit": "放行 admit", "reject": "拒绝 reject", "pending": "等待 pending"}


@dataclass
class Watchers:
    """Observers a screen adds to the demo day (each optional): device states, the scan
    worker's frames (``scans`` wraps the demo's own scan listener) and a hook called after
    each visit, on the demo's thread (the screen's pace and its guard)."""

    camera: CaptureListener | None = None
    thermometer: ThermometerListener | None = None
    relay: DeviceListener | None = None
    idcard: DeviceListener | None = None
    scans: Callable[[ScanListener], ScanListener] | None = None
    after_visit: Callable[[Visit], None] | None = None


class _Codes(ScanListener):
    def __init__(self) -> None:
        self.accepted: queue.Queue[DecodeResult] = queue.Queue()

    def on_code(self, result: DecodeResult) -> None:
        self.accepted.put(result)


class _Printer(ServiceListener):
    def __init__(self, out: TextIO, locale: str) -> None:
        self.out = out
        self.locale = locale
        self.finals: list[str] = []

    def on_decision(self, view: TransactionView) -> None:
        self.finals.append(view.id)

    def on_transaction(self, view: TransactionView) -> None:
        if not view.closed and view.readings and view.needs and view.needs[0] == "retest":
            waits = ", ".join(message(r, self.locale) for r in view.reasons)
            print(f"        pending: {waits}", file=self.out)

    def on_refused(self, refusal: Refusal) -> None:
        if refusal.reason is not None:
            text = message(refusal.reason, self.locale)
            print(f"        refused scan: {text} ({refusal.reason.value})", file=self.out)


class _CardDesk(CardsToGate):
    """The ID card reader's hand-over to the gate, printing each card's masked summary."""

    def __init__(
        self, gate: CardGate, key: bytes, out: TextIO, states: DeviceListener | None = None
    ) -> None:
        super().__init__(gate, key, states)
        self.out = out
        self.read = threading.Event()

    def on_card(self, card: IdCard) -> None:
        ident = card_identity(card, key=None)
        print(f"        ID card: {ident.name_masked} {ident.id_masked}", file=self.out)
        super().on_card(card)
        self.read.set()


class _Forehead:
    """The person under the thermometer: before each measurement the simulator is set to the
    visitor's next forehead temperature; each tagged reading is printed on its way back."""

    def __init__(self, readings: ThermometerReadings, sim: ThermometerSimulator, out: TextIO):
        self.readings = readings
        self.sim = sim
        self.out = out
        self.skins: list[float] = []

    def start_measurement(self, tx_id: str, report: Callable[[str, Reading], None]) -> None:
        if self.skins:
            skin = self.skins.pop(0) if len(self.skins) > 1 else self.skins[0]
            self.sim.profile = dataclasses.replace(self.sim.profile, object_c=skin)

        def printed(tx: str, reading: Reading) -> None:
            body = "fault" if reading.body_c is None else f"{reading.body_c:.1f} °C"
            note = "" if reading.valid else " (implausible: retest)"
            print(f"        thermometer: {body}{note}", file=self.out)
            report(tx, reading)

        self.readings.start_measurement(tx_id, printed)


class DemoDay:
    """Owns the simulated devices and the store of one demo run."""

    def __init__(
        self,
        config: KioskConfig,
        data_dir: Path,
        out: TextIO,
        filler: int,
        watch: Watchers | None = None,
    ) -> None:
        self.out = out
        self.watch = watch = watch or Watchers()
        s = config.settings
        self.config = dataclasses.replace(
            config,
            settings=dataclasses.replace(
                s,
                paths=dataclasses.replace(s.paths, data_dir=str(data_dir), database_url=""),
                camera=dataclasses.replace(s.camera, source=DEMO_CAMERA),
                thermometer=dataclasses.replace(s.thermometer, port="sim:normal"),
                relay=dataclasses.replace(s.relay, port="sim:"),
                idcard=dataclasses.replace(s.idcard, enabled=True, port="sim:manual"),
            ),
        )
        # A demo campus: a central server on loopback (SQLite) enrols the gate, which gets
        # the campus key from it; the registry goes onto the server and comes back by sync.
        self.clock = ManualClock(START)
        self.central = DemoCentral(data_dir / "central", self.clock.now, s.gate.time_zone)
        self.central.__enter__()
        self.config = with_server(self.config, self.central.url)
        self.central.enroll(self.config)
        self.store: Store = open_store(self.config)
        self.issuers = Issuers(SigningKey.generate("EdDSA"), SigningKey.generate("ES256"))
        registry = build_registry(self.issuers, self.store.id_key, filler=filler)
        self.loaded = self.central.load(registry, VISITS, START)
        s = self.config.settings
        self.printer = _Printer(out, "en" if s.gate.locale.startswith("en") else "zh_CN")
        # Simulated devices on ptys speaking the configured protocols' bytes, and a synthetic
        # camera scene in which each credential is rendered as a phone screen.
        policy = load_policy(self.config.policy_file)
        self.readings = ThermometerReadings.of(self.config, self.clock, watch.thermometer)
        self.devices = open_gate_devices(
            self.config,
            policy,
            camera_listener=watch.camera,
            thermometer_listener=self.readings,
            relay_listener=watch.relay,
        )
        self.thermometer = self.devices.thermometer
        self.readings.attach(self.thermometer)
        self.relay = self.devices.relay
        self.capture = self.devices.capture
        assert isinstance(self.capture.source, SimulatedCamera)
        assert isinstance(self.thermometer.simulator, ThermometerSimulator)
        assert isinstance(self.relay.simulator, RelaySimulator)
        self.camera: SimulatedCamera = self.capture.source
        self.thermo_sim: ThermometerSimulator = self.thermometer.simulator
        self.codes = _Codes()
        trust = TrustList(self.store)
        self.worker = scan_worker(
            s.camera,
            self.capture,
            watch.scans(self.codes) if watch.scans else self.codes,
            verifier=signed_code_verifier(trust, self.clock),
        )
        self.forehead = _Forehead(self.readings, self.thermo_sim, out)
        self.service = GateService(
            build_gate(self.config, policy, self.store, clock=self.clock),
            turnstile=RelayTurnstile(self.relay, s.relay.pulse_ms),
            thermometer=self.forehead,
        )
        self.service.add_listener(self.printer)
        sync = start_sync(self.config, self.store, self.service)
        assert sync is not None
        self.sync: SyncWorker = sync
        # ID card reader: a simulated SAM module on a pty; cards reach the gate as HMACs.
        self.cards = _CardDesk(self.service, self.store.id_key, out, watch.idcard)
        self.card_reader = start_idcard_reader(s.idcard, listener=self.cards)
        assert isinstance(self.card_reader.simulator, IdCardSimulator)
        self.card_sim: IdCardSimulator = self.card_reader.simulator
        self._last_seen: dict[str, float] = {}

    def close(self) -> None:
        """Stop devices and the sync, release the database, stop the central server."""
        self.sync.stop()
        self.service.stop()
        self.card_reader.stop()
        self.worker.stop()
        self.devices.close()
        self.store.close()
        self.central.__exit__(None, None, None)

    # ------------------------------------------------------------------ run
    def run(self) -> int:
        """Play the morning and print each decision; returns the process exit status."""
        self.service.start()
        self.capture.start()
        self.worker.start()
        for name, device in (
            ("relay", self.relay),
            ("thermometer", self.thermometer),
            ("ID card reader", self.card_reader),
        ):
            if not device.wait_for_state(DeviceState.READY, timeout_s=DEVICE_READY_S):
                print(f"{name} not ready: {device.state.value} ({device.detail})", file=self.out)
                return 1
        first = self.sync.run_once()
        counts = registry_status(self.store.engine).counts
        print(
            f"central server {self.central.url} (SQLite): {self.loaded} registry records put,"
            f" visits filed and approved; synced to the gate: {counts['people']} people,"
            f" {counts['visit_approvals']} visit approvals"
            + (f" ({first.error})" if first.error else ""),
            file=self.out,
        )
        t = self.config.settings.thermometer
        snap = self.service.snapshot()
        print(
            f"Gate {self.config.settings.gate.id} ({snap.direction}), "
            f"{START:%Y-%m-%d}, thermometer {t.protocol} on {self.thermo_sim.port}, "
            f"relay {self.config.settings.relay.protocol} (simulated), "
            f"database {self.config.database_url}",
            file=self.out,
        )
        previous: list[str] = []
        for visit in morning():
            self.clock.set(visit.at)
            self.service.tick()
            self._settle()
            texts = visit.show(self.issuers, visit.at)
            texts = previous if texts == ["<repeat>"] else texts
            previous = texts
            print(f"{visit.at:%H:%M:%S}  {visit.who:9} {visit.story}", file=self.out)
            self.forehead.skins = list(visit.skin_c)
            if visit.id_card is not None:
                self._show_card(visit.id_card)
            for text in texts:
                self._scan(text)
                self._settle()
                if self.service.snapshot().current is None:
                    break
            if self.watch.after_visit is not None:
                self.watch.after_visit(visit)
        self.clock.advance(dt.timedelta(minutes=15))
        self.service.tick()
        self._settle()
        return self._summary()

    def _settle(self) -> None:
        """Wait until the service has done everything asked of it, then print decisions."""
        if not self.service.wait_idle(SETTLE_TIMEOUT_S):
            print("        gate service still busy", file=self.out)
        self._print_finals()

    def _show_card(self, text_block: bytes) -> None:
        """Put the card on the reader until it has been read, then take it off."""
        self.cards.read.clear()
        self.card_sim.put_card(text_block)
        if not self.cards.read.wait(SCAN_TIMEOUT_S):
            print("        ID card: not read", file=self.out)
        self.card_sim.take_card()
        self._settle()

    def _scan(self, text: str) -> None:
        since = time.monotonic() - self._last_seen.get(text, -1e9)
        holdoff = self.config.settings.camera.holdoff_s
        if since < holdoff:  # the same code again: the acceptor holds it off, as at the gate
            time.sleep(holdoff - since + 0.1)
        self.camera.present(text)
        try:
            result = self.codes.accepted.get(timeout=SCAN_TIMEOUT_S)
        except queue.Empty:
            print("        camera: no code read", file=self.out)
            return
        self._last_seen[text] = time.monotonic()
        print(
            f"        camera: {result.display_text[:16]}… read by {result.stage} in "
            f"{result.ms:.1f} ms",
            file=self.out,
        )
        self.service.scan(result.raw, "camera")

    def _print_finals(self) -> None:
        for tx_id in self.printer.finals:
            v = self.service.transaction(tx_id)
            if v is None:
                continue
            who = v.subject.person_no or v.subject.name_masked or "-"
            line = f"        => {OUTCOME_WORDS[v.outcome]:14} {who}"
            if v.reasons:
                line += "  " + "; ".join(
                    f"{message(r, self.printer.locale)} ({r.value})" for r in v.reasons
                )
            if v.warnings:
                line += "  warnings: " + ", ".join(r.value for r in v.warnings)
            if v.outcome == "admit":
                line += f"  [turnstile {v.relay}]"
            print(line, file=self.out)
        self.printer.finals.clear()

    def _summary(self) -> int:
        records = list(self.store.log.records())
        decisions = [r for r in records if r.kind == "decision"]
        admitted = sum(1 for r in decisions if r.outcome == "admit")
        report = self.store.log.verify()
        print(file=self.out)
        print(
            f"{len(decisions)} decisions logged: {admitted} admitted, "
            f"{len(decisions) - admitted} refused",
            file=self.out,
        )
        print(
            f"log chain: {'intact' if report.ok else 'BROKEN'} ({report.checked} records checked)",
            file=self.out,
        )
        last = self.sync.run_once(now_due=True)
        waiting = last.status.backlog
        print(
            f"outbox: {waiting} records waiting for the central server"
            + (f" ({last.error})" if last.error else ""),
            file=self.out,
        )
        server = self.central.verify(self.store.gate)
        print(
            f"central server's copy: {server['checked']} records of gate {self.store.gate}, "
            f"chain {'intact' if server['ok'] else 'BROKEN'}",
            file=self.out,
        )
        synced = report.ok and server["ok"] and waiting == 0
        return 0 if synced and decisions and server["checked"] == len(records) else 1


def with_server(config: KioskConfig, url: str) -> KioskConfig:
    """``config`` syncing with the server at ``url``."""
    s = config.settings
    return dataclasses.replace(
        config, settings=dataclasses.replace(s, server=dataclasses.replace(s.server, url=url))
    )


def run_demo(config: KioskConfig, data_dir: Path, out: TextIO, *, keep: bool, filler: int) -> int:
    """Run the demo morning in ``data_dir`` (emptied first unless ``keep``)."""
    if data_dir.exists() and not keep:
        shutil.rmtree(data_dir)
    day = DemoDay(config, data_dir, out, filler)
    try:
        return day.run()
    finally:
        day.close()
