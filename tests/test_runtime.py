"""Runtime adapters: the log sink closes a returning student's leave; the trust list follows
the registry; thermometer results become engine readings."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from drivers.device import DeviceState
from drivers.thermometer.device import ThermometerDevice
from drivers.thermometer.measurement import Measurement, MeasurementError
from drivers.thermometer.protocols import make_protocol
from kiosk.config import load_kiosk_config
from kiosk.core.clock import ManualClock
from kiosk.core.credentials.keys import SigningKey
from kiosk.core.evidence import Reading
from kiosk.core.registry import LeaveApproval, RegistrySnapshot, TrustKey
from kiosk.runtime import LogSink, ThermometerReadings, TrustList, reading_from
from kiosk.store import Store, open_store

NOW = dt.datetime(2022, 1, 20, 9, 0, tzinfo=dt.UTC)


def _store(tmp_path: Path) -> Store:
    config = load_kiosk_config()
    paths = dataclasses.replace(config.settings.paths, data_dir=str(tmp_path), database_url="")
    return open_store(
        dataclasses.replace(config, settings=dataclasses.replace(config.settings, paths=paths))
    )


def _trust(key: SigningKey) -> TrustKey:
    t = key.trusted_key("school", ("CP1",))
    return TrustKey(t.kid, t.alg, t.public_key_der, "school", None, None, ("CP1",))


def test_admitted_return_closes_the_leave_and_is_logged(tmp_path: Path) -> None:
    store = _store(tmp_path)
    leave = LeaveApproval(
        "L1",
        "S1",
        "campus_exit",
        NOW - dt.timedelta(hours=5),
        NOW - dt.timedelta(hours=1),
        "410105",
        "approved",
    )
    store.writer.replace(RegistrySnapshot("v1", NOW, leave_approvals=[leave]))
    sink = LogSink(store)
    sink.record(
        "decision",
        NOW,
        {"outcome": "reject", "close_leave_id": None, "subject": {"person_no": "S1"}},
    )
    assert store.registry.leave_approvals("S1")[0].returned_at is None
    sink.record(
        "decision",
        NOW,
        {"outcome": "admit", "close_leave_id": "L1", "subject": {"person_no": "S1"}},
    )
    assert store.registry.leave_approvals("S1")[0].returned_at == NOW
    assert [r.person_no for r in store.log.records()] == ["S1", "S1"]
    assert store.log.verify().ok
    # The next full sync delivers the leave as the central server knows it (not yet returned):
    # the return this gate saw still closes it.
    store.writer.replace(
        RegistrySnapshot("v2", NOW + dt.timedelta(hours=1), leave_approvals=[leave])
    )
    assert store.registry.leave_approvals("S1")[0].returned_at == NOW
    store.close()


def test_a_return_is_recorded_only_with_its_decision(tmp_path: Path) -> None:
    store = _store(tmp_path)
    leave = LeaveApproval(
        "L1", "S1", "campus_exit", NOW - dt.timedelta(hours=5), NOW, "410105", "approved"
    )
    store.writer.replace(RegistrySnapshot("v1", NOW, leave_approvals=[leave]))
    with pytest.raises(ValueError):  # the log refuses the record (a naive time)
        LogSink(store).record(
            "decision",
            NOW.replace(tzinfo=None),
            {"outcome": "admit", "close_leave_id": "L1", "subject": {"person_no": "S1"}},
        )
    assert store.registry.leave_approvals("S1")[0].returned_at is None
    assert store.log.count() == 0
    store.close()


def test_trust_list_is_rebuilt_when_the_registry_changes(tmp_path: Path) -> None:
    store = _store(tmp_path)
    first, second = SigningKey.generate("EdDSA"), SigningKey.generate("ES256")
    store.writer.replace(RegistrySnapshot("v1", NOW, trust_keys=[_trust(first)]))
    trust = TrustList(store)
    assert [k.kid for k in trust()] == [first.kid]
    store.writer.replace(RegistrySnapshot("v2", NOW, trust_keys=[_trust(second)]))
    assert [k.kid for k in trust()] == [second.kid], "a removed key stops verifying"
    store.close()


def test_thermometer_results_become_readings() -> None:
    m = Measurement(
        body_c=36.6,
        object_c=35.7,
        ambient_c=22.0,
        frames=9,
        valid=True,
        mode="surface",
        offset_c=0.9,
    )
    r = reading_from(m)
    assert r is not None and (r.body_c, r.raw_c, r.ambient_c, r.frames) == (36.6, 35.7, 22.0, 9)
    fault = reading_from(MeasurementError("port lost", DeviceState.CONNECTING))
    assert fault is not None and fault.body_c is None and fault.fault == "port lost"
    assert reading_from(None) is None


def test_measurements_are_tagged_with_their_transaction_in_request_order() -> None:
    clock = ManualClock(NOW)
    adapter = ThermometerReadings(clock, window_s=0.5, min_frames=3)
    got: list[tuple[str, Reading]] = []
    adapter.start_measurement("tx-0", lambda tx, r: got.append((tx, r)))
    assert got[0][1].fault == "no thermometer", "unattached: a fault reading at once"
    protocol = make_protocol("gy-mcu90614", {})
    # Never started: the device answers every request at once, through its listener.
    device = ThermometerDevice(
        "/nonexistent/tty", protocol, plausible_c=(34.0, 42.0), listener=adapter
    )
    adapter.attach(device)
    adapter.start_measurement("tx-a", lambda tx, r: got.append((tx, r)))
    clock.advance(dt.timedelta(seconds=2))
    adapter.start_measurement("tx-b", lambda tx, r: got.append((tx, r)))
    assert [tx for tx, _ in got] == ["tx-0", "tx-a", "tx-b"]
    a, b = got[1][1], got[2][1]
    assert a.body_c is None and a.fault == "thermometer not running"
    assert a.taken_from == NOW and b.taken_from == NOW + dt.timedelta(seconds=2)
    adapter.close()
    adapter.start_measurement("tx-c", lambda tx, r: got.append((tx, r)))
    assert got[-1][1].fault == "no thermometer", "a closed adapter measures no more"
