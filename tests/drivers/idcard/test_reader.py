"""The reader's port loop against the simulated module over real ptys (no mocks)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from drivers.device import DeviceState
from drivers.idcard import (
    IdCard,
    IdCardListener,
    IdCardReader,
    IdCardSimulator,
    get_protocol,
    open_idcard_reader,
)
from drivers.idcard.protocols import READ_TEXT_PHOTO_FP, SAM_RESET
from drivers.idcard.simulator import (
    FOREIGNER,
    WANG_FANG,
    ZHANG_WEI,
    Profile,
)

WAIT_S = 15.0  # generous: a loaded 2-core machine
ZHANG_ID, WANG_ID = "410105198803152316", "410102199207204525"


class Recorder(IdCardListener):
    def __init__(self) -> None:
        self.cards: list[IdCard] = []
        self.errors: list[str] = []
        self.removed = 0
        self.states: list[DeviceState] = []
        self._changed = threading.Condition()

    def _note(self, fn: Callable[[], None]) -> None:
        with self._changed:
            fn()
            self._changed.notify_all()

    def on_card(self, card: IdCard) -> None:
        self._note(lambda: self.cards.append(card))

    def on_card_error(self, message: str) -> None:
        self._note(lambda: self.errors.append(message))

    def on_card_removed(self) -> None:
        def bump() -> None:
            self.removed += 1

        self._note(bump)

    def on_state(self, state: DeviceState, detail: str) -> None:
        self._note(lambda: self.states.append(state))

    def wait(self, predicate: Callable[[], bool], timeout_s: float = WAIT_S) -> bool:
        with self._changed:
            return self._changed.wait_for(predicate, timeout_s)


def polled(predicate: Callable[[], bool], timeout_s: float = WAIT_S) -> bool:
    """Wait for something no listener announces (e.g. commands the simulator received)."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def manual() -> Iterator[tuple[IdCardSimulator, IdCardReader, Recorder]]:
    """A simulator whose card a test puts on and takes off, and a reader on it."""
    sim = IdCardSimulator(get_protocol("sam")).start()
    rec = Recorder()
    reader = IdCardReader(sim.port, get_protocol("sam"), poll_hz=10, listener=rec).start()
    assert reader.wait_for_state(DeviceState.READY, timeout_s=WAIT_S), reader.detail
    yield sim, reader, rec
    reader.stop()
    sim.close()


def test_a_card_is_read_once_per_placement(manual) -> None:
    sim, reader, rec = manual
    sim.put_card(ZHANG_WEI)
    assert rec.wait(lambda: len(rec.cards) == 1)
    assert rec.cards[0].id_number == ZHANG_ID and rec.cards[0].name == "张伟"
    polls = len(sim.commands)
    assert polled(lambda: len(sim.commands) >= polls + 10)  # the card stays on: ten polls
    assert len(rec.cards) == 1  # ... and no second read of the same person
    sim.take_card()
    assert rec.wait(lambda: rec.removed == 1)
    sim.put_card(ZHANG_WEI)
    assert rec.wait(lambda: len(rec.cards) == 2)


def test_two_people_in_a_row(manual) -> None:
    sim, _, rec = manual
    sim.put_card(ZHANG_WEI)
    assert rec.wait(lambda: len(rec.cards) == 1)
    sim.take_card()
    assert rec.wait(lambda: rec.removed == 1)
    sim.put_card(WANG_FANG)
    assert rec.wait(lambda: len(rec.cards) == 2)
    assert [c.id_number for c in rec.cards] == [ZHANG_ID, WANG_ID]


def test_a_card_swapped_without_a_gap_is_not_read_as_the_next_person(manual) -> None:
    """A card must be taken off (a 'no card' answer) before the next one is read."""
    sim, _, rec = manual
    sim.put_card(ZHANG_WEI)
    assert rec.wait(lambda: len(rec.cards) == 1)
    polls = len(sim.commands)
    sim.put_card(WANG_FANG)  # swapped faster than one poll: the reader never saw "no card"
    assert polled(lambda: len(sim.commands) >= polls + 10)
    assert [c.id_number for c in rec.cards] == [ZHANG_ID]
    sim.take_card()
    assert rec.wait(lambda: rec.removed == 1)
    sim.put_card(WANG_FANG)
    assert rec.wait(lambda: len(rec.cards) == 2) and rec.cards[1].id_number == WANG_ID


def test_foreigners_card_is_reported_once_as_unsupported(manual) -> None:
    sim, _, rec = manual
    sim.put_card(FOREIGNER)
    assert rec.wait(lambda: len(rec.errors) == 1)
    assert "foreigner's permanent residence card" in rec.errors[0]
    polls = len(sim.commands)
    assert polled(lambda: len(sim.commands) >= polls + 5)
    assert len(rec.errors) == 1 and rec.cards == []


def test_card_taken_off_mid_read_gives_no_card_then_the_next_placement_reads() -> None:
    rec = Recorder()
    with open_idcard_reader("sim:removed-mid-read", poll_hz=10, listener=rec):
        assert rec.wait(lambda: len(rec.cards) >= 1)
    assert all(c.id_number == ZHANG_ID for c in rec.cards)
    assert rec.errors == []


def test_noisy_line_reads_only_the_real_cards() -> None:
    rec = Recorder()
    with open_idcard_reader("sim:noisy", poll_hz=10, listener=rec) as reader:
        assert rec.wait(lambda: len(rec.cards) >= 2)
    assert reader.bad_frames > 0
    assert {c.id_number for c in rec.cards} <= {ZHANG_ID, WANG_ID}


def test_only_bad_checksums_is_a_fault_and_no_card() -> None:
    rec = Recorder()
    with open_idcard_reader("sim:checksum", listener=rec) as reader:
        assert reader.wait_for_state(DeviceState.FAULT, timeout_s=WAIT_S)
        assert "bad checksum" in reader.detail
    assert rec.cards == [] and rec.errors == []


def test_unplugged_reader_reconnects_and_reads_again() -> None:
    rec = Recorder()
    with open_idcard_reader("sim:unplugged", poll_hz=10, listener=rec) as reader:
        assert rec.wait(lambda: DeviceState.CONNECTING in rec.states[1:])
        assert rec.wait(lambda: rec.states[-1] is DeviceState.READY and len(rec.cards) >= 2)
        assert reader.state is DeviceState.READY
    assert {c.id_number for c in rec.cards} <= {ZHANG_ID, WANG_ID}


def test_sam_self_test_failure_is_a_fault() -> None:
    with open_idcard_reader("sim:sam-fault") as reader:
        assert reader.wait_for_state(DeviceState.FAULT, timeout_s=WAIT_S)
        assert "SAM module self-test failed" in reader.detail


@pytest.mark.parametrize(("protocol", "state"), [("sam-reset", DeviceState.READY),
                                                 ("sam", DeviceState.FAULT)])
def test_sam_reset_variant_resets_a_module_that_needs_it(protocol: str, state) -> None:
    profile = Profile("needs-reset", sam_ready_after_reset=True)
    with IdCardSimulator(get_protocol(protocol), profile) as sim:
        with IdCardReader(sim.port, get_protocol(protocol)) as reader:
            assert reader.wait_for_state(state, timeout_s=WAIT_S), reader.detail
        assert (SAM_RESET[7:-1] in sim.commands) is (protocol == "sam-reset")


def test_fingerprint_variant_reads_and_drops_the_fingerprints() -> None:
    rec = Recorder()
    with open_idcard_reader("sim:normal", "sam-fp", poll_hz=10, listener=rec) as reader:
        assert rec.wait(lambda: len(rec.cards) >= 1)
        assert reader.protocol.read_command == READ_TEXT_PHOTO_FP
    assert rec.cards[0].id_number == ZHANG_ID


def test_a_failing_listener_does_not_stop_the_reader() -> None:
    class Broken(Recorder):
        def on_card(self, card: IdCard) -> None:
            super().on_card(card)
            raise RuntimeError("listener bug")

    rec = Broken()
    with open_idcard_reader("sim:manual", poll_hz=10, listener=rec) as reader:
        assert reader.wait_for_state(DeviceState.READY, timeout_s=WAIT_S)
        sim = reader.simulator
        assert sim is not None
        sim.put_card(ZHANG_WEI)
        assert rec.wait(lambda: len(rec.cards) == 1)  # the listener raised here
        sim.take_card()
        assert rec.wait(lambda: rec.removed == 1)
        sim.put_card(WANG_FANG)
        assert rec.wait(lambda: len(rec.cards) == 2)  # ... and the reader went on

