"""The ID card at the gate, end to end: simulated reader on a pty → driver → kiosk boundary →
gate service → hash-chained log in a real SQLite file, turnstile behind a relay simulator."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.idcard import IdCardSimulator, get_protocol
from drivers.idcard.card import encode_text_block
from drivers.idcard.simulator import FOREIGNER
from drivers.relay.factory import open_relay
from kiosk.config import load_kiosk_config
from kiosk.core.clock import ManualClock
from kiosk.core.evidence import Reading
from kiosk.core.identity import id_hmac, mask_id, mask_name
from kiosk.core.policy_config import load_policy
from kiosk.core.reasons import Reason
from kiosk.core.registry import Checkin, Person, RegistrySnapshot
from kiosk.runtime import RelayTurnstile, build_service, idcard_to_gate
from kiosk.service import GateService, Refusal, ServiceListener, TransactionView
from kiosk.store import Store, open_store
from kiosk.store.secrets import KEY_BYTES, install_campus_key
from kiosk.store.store import campus_key_path

NOW = dt.datetime(2022, 1, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
LI_MING = "410105198001011239"
ZHAO_LEI = "410102198705113381"
WAIT_S = 15.0


def card(id_number: str, name: str, valid_to: str = "20350101") -> bytes:
    return encode_text_block(name=name, id_number=id_number, valid_from="20150101",
                             valid_to=valid_to)


class Decisions(ServiceListener):
    def __init__(self) -> None:
        self.final: list[TransactionView] = []
        self.refusals: list[Refusal] = []
        self.changed = threading.Condition()

    def on_decision(self, view: TransactionView) -> None:
        with self.changed:
            self.final.append(view)
            self.changed.notify_all()

    def on_refused(self, refusal: Refusal) -> None:
        with self.changed:
            self.refusals.append(refusal)
            self.changed.notify_all()

    def wait(self, predicate: Callable[[], bool]) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, WAIT_S)


@dataclasses.dataclass
class Gate:
    service: GateService
    store: Store
    sim: IdCardSimulator
    decisions: Decisions

    def current(self) -> TransactionView | None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            view = self.service.snapshot().current
            if view is not None:
                return view
            time.sleep(0.02)
        return None


@pytest.fixture
def gate(tmp_path: Path) -> Iterator[Gate]:
    base = load_kiosk_config()
    settings = dataclasses.replace(
        base.settings,
        paths=dataclasses.replace(base.settings.paths, data_dir=str(tmp_path), database_url=""),
        idcard=dataclasses.replace(base.settings.idcard, enabled=True, port="unused",
                                   poll_hz=10.0),
    )
    config = dataclasses.replace(base, settings=settings)
    install_campus_key(campus_key_path(config), os.urandom(KEY_BYTES))
    store = open_store(config)
    key = store.id_key
    person = Person("T1001", "staff", "李*", id_hmac(key, LI_MING), mask_id(LI_MING),
                    "计算机学院", True)
    store.writer.replace(
        RegistrySnapshot("v1", NOW, people=[person],
                         checkins=[Checkin("T1001", NOW.date(), "normal")])
    )
    relay = open_relay("sim:", "lcus")
    service = build_service(config, load_policy(config.policy_file), store,
                            clock=ManualClock(NOW), turnstile=RelayTurnstile(relay, 100))
    decisions = Decisions()
    service.add_listener(decisions)
    sim = IdCardSimulator(get_protocol("sam")).start()
    pty_config = dataclasses.replace(
        config, settings=dataclasses.replace(
            settings, idcard=dataclasses.replace(settings.idcard, port=sim.port))
    )
    with service:
        reader = idcard_to_gate(pty_config, service, key)
        assert reader is not None
        try:
            yield Gate(service, store, sim, decisions)
        finally:
            reader.stop()
            sim.close()
    relay.close()
    store.close()


def test_a_card_identifies_the_person_and_the_log_keeps_only_hmac_and_masks(gate: Gate):
    gate.sim.put_card(card(LI_MING, "李明"))
    view = gate.current()
    assert view is not None and view.identified_by == ("idcard",)
    assert view.subject.person_no == "T1001" and "temperature" in view.needs
    assert view.id_card is not None and view.id_card.name_masked == "李*"
    assert view.id_card.id_masked.endswith("1239") and LI_MING not in view.id_card.id_masked
    gate.service.reading(view.id, Reading(body_c=36.4, frames=3))
    assert gate.decisions.wait(lambda: len(gate.decisions.final) == 1)
    final = gate.decisions.final[0]
    assert final.outcome == "admit" and final.id == view.id
    assert gate.service.wait_idle(WAIT_S)
    (record,) = [r for r in gate.store.log.records() if r.kind == "decision"]
    payload = json.dumps(record.payload, ensure_ascii=False)
    assert record.payload["identified_by"] == ["idcard"]
    assert "IDCARD" in record.payload["credentials"]
    assert LI_MING not in payload and "李明" not in payload
    assert gate.store.log.verify().ok


def test_a_card_of_someone_else_is_a_holder_mismatch_not_the_next_person(gate: Gate):
    gate.service.enter_identity(id_number=LI_MING, source="guard")
    first = gate.current()
    assert first is not None
    gate.sim.put_card(card(ZHAO_LEI, "赵磊"))
    assert gate.decisions.wait(lambda: len(gate.decisions.final) == 1)
    final = gate.decisions.final[0]
    assert final.id == first.id and final.outcome == "reject"
    assert final.reasons == (Reason.ID_CARD_HOLDER_MISMATCH,)
    assert final.identified_by == ("guard", "idcard")
    assert gate.service.wait_idle(WAIT_S)
    assert gate.service.snapshot().current is None  # no transaction was started for 赵磊


def test_an_expired_card_is_refused(gate: Gate):
    gate.sim.put_card(card(LI_MING, "李明", valid_to="20220119"))
    assert gate.decisions.wait(lambda: len(gate.decisions.final) == 1)
    final = gate.decisions.final[0]
    assert final.outcome == "reject" and final.reasons == (Reason.ID_CARD_EXPIRED,)
    assert final.subject.name_masked == mask_name("李明")


def test_a_foreigners_card_is_refused_with_its_message_and_starts_nothing(gate: Gate):
    gate.sim.put_card(FOREIGNER)
    assert gate.decisions.wait(lambda: len(gate.decisions.refusals) == 1)
    refusal = gate.decisions.refusals[0]
    assert refusal.action == "idcard" and refusal.tx_id is None
    assert "foreigner's permanent residence card" in refusal.detail
    assert gate.service.wait_idle(WAIT_S)
    assert gate.service.snapshot().current is None and gate.decisions.final == []
