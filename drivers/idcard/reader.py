"""The ID card reader's port loop: owns the serial port on a named worker thread.

The worker opens the port (reconnecting with the shared capped, jittered back-off), checks
the SAM module, then polls "find card" at ``poll_hz``. When a card is found it selects and
reads it, parses the text block and reports the card once; the card must be taken off (two
"no card" answers in a row) before the next card is read, so a card left on the reader is
never read as the next person.

Nothing but a read reply with a good checksum, consistent lengths and a valid text block (ID
check character, birth date agreeing with the number) becomes a card: garbage, a card taken
off mid-read or a pulled cable cost a retry, never a wrong identity. Listener callbacks run on
the worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import serial

from drivers.device import SYSTEM_CLOCK, Backoff, DeviceClock, DeviceListener, DeviceState
from drivers.idcard.card import CardDataError, CardError, IdCard, parse_text_block
from drivers.idcard.frames import (
    CARD_FOUND,
    NO_CARD,
    OK,
    SAM_FAULTS,
    PacketParser,
    Reply,
    describe_status,
)
from drivers.idcard.protocols import (
    FIND_CARD,
    SAM_RESET,
    SAM_STATUS,
    SELECT_CARD,
    SamProtocol,
    answers,
    succeeded,
)
from drivers.serial_link.worker import SerialPortWorker

if TYPE_CHECKING:
    from drivers.idcard.simulator import IdCardSimulator

log = logging.getLogger(__name__)

READ_TIMEOUT_S = 0.02
COMMAND_TIMEOUT_S = 0.5
"""Seconds to wait for the answer to a status, find or select command."""
CARD_READ_TIMEOUT_S = 2.0
"""Seconds to wait for a card read (the module reads the card, then sends ~1.3 kB)."""
SAM_RETRY_S = 2.0
STALE_AFTER_MISSES = 3
"""Unanswered commands in a row before the reader counts as STALE."""
REOPEN_AFTER_MISSES = 10
"""Unanswered commands in a row before the port is closed and opened again."""
FAULT_AFTER_BAD_FRAMES = 5
"""Bad-checksum frames in a row (no good reply between them) before FAULT."""
REMOVED_AFTER = 2
"""'No card' answers in a row after which a card that was read counts as taken off."""
DATA_RETRIES = 2
"""Reads of a card whose text block is malformed before the error is reported."""
MAX_POLL_HZ = 10.0


class IdCardListener(DeviceListener):
    """Callbacks from the worker thread; every method does nothing by default."""

    def on_card(self, card: IdCard) -> None:
        """A card was read (once per placement)."""

    def on_card_error(self, message: str) -> None:
        """A card was read but identifies nobody (unsupported document, malformed data)."""

    def on_card_removed(self) -> None:
        """The card that was read has been taken off the reader."""


class _Link:
    """Command/answer exchange on an open port."""

    def __init__(self, port: serial.Serial, stop: threading.Event, clock: DeviceClock) -> None:
        self.port = port
        self.parser = PacketParser()
        self.stop = stop
        self.clock = clock

    def transact(self, command: bytes, timeout_s: float) -> Reply | None:
        """Send ``command``; its answer, or None when none came within ``timeout_s``."""
        self.parser.clear()
        self.port.reset_input_buffer()
        self.port.write(command)
        deadline = self.clock.monotonic() + timeout_s
        while self.clock.monotonic() < deadline and not self.stop.is_set():
            bad_before = self.parser.bad_frames
            data = self.port.read(max(1, self.port.in_waiting))
            for payload in self.parser.feed(data):
                reply = Reply.from_payload(payload)
                if reply is not None and answers(command, reply):
                    return reply
                log.debug("ignored a reply that does not answer %s: %r", command.hex(), reply)
            if self.parser.bad_frames > bad_before and not self.parser.buffered:
                return None  # the answer came with a bad checksum: no need to wait any longer
        return None


class IdCardReader(SerialPortWorker):
    """A resident ID card reader on a serial port; start it and listen for cards."""

    label = "ID card reader"
    read_timeout_s = READ_TIMEOUT_S

    def __init__(
        self,
        port: str,
        protocol: SamProtocol,
        baud: int = 0,
        *,
        poll_hz: float = 4.0,
        listener: IdCardListener | None = None,
        backoff: Backoff | None = None,
        clock: DeviceClock = SYSTEM_CLOCK,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        if not 0 < poll_hz <= MAX_POLL_HZ:
            raise ValueError(f"poll_hz must be more than 0 and at most {MAX_POLL_HZ:g}")
        self.protocol = protocol
        self._listener: IdCardListener = listener or IdCardListener()
        super().__init__(
            port,
            baud or protocol.default_baud,
            self._listener,
            thread_name=f"idcard-{protocol.name}",
            backoff=backoff,
            clock=clock,
            on_close=on_close,
        )
        self.poll_interval_s = 1.0 / poll_hz
        self.cards_read = 0
        """Cards reported through ``on_card`` so far."""
        self.bad_frames = 0
        """Frames rejected by their checksum so far (all connections)."""
        self.simulator: IdCardSimulator | None = None
        """The simulator behind a ``sim:`` port (set by the factory; demos and tests)."""

    def _session(self, port: serial.Serial) -> None:
        """Poll the reader until the port fails, stops answering, or the reader is stopped."""
        self._set_state(DeviceState.CONNECTING, "port open, checking the SAM module")
        session = _Session(self, _Link(port, self._stop, self._clock))
        clock = self._clock
        next_poll = clock.monotonic()
        while not self._stop.is_set():
            wait = next_poll - clock.monotonic()
            if wait > 0:
                clock.wait(self._stop, wait)
                continue
            next_poll = clock.monotonic() + self.poll_interval_s
            if not session.poll():
                return


class _Session:
    """One connection's polling state: SAM checked, card awaiting removal, misses in a row."""

    def __init__(self, reader: IdCardReader, link: _Link) -> None:
        self.reader = reader
        self.link = link
        self.protocol = reader.protocol
        self.sam_ok = False
        self.sam_retry_at = 0.0
        self.awaiting_removal = False
        self.no_card_in_row = 0
        self.data_errors = 0
        self.misses = 0
        self.bad_seen = 0
        self.bad_in_row = 0

    def poll(self) -> bool:
        """One polling step; False when the port should be reopened."""
        if not self.sam_ok:
            return self._check_sam()
        reply = self._ask(FIND_CARD, COMMAND_TIMEOUT_S)
        if reply is None:
            return self.misses < REOPEN_AFTER_MISSES
        if reply.status in SAM_FAULTS:
            self._sam_fault(reply)
        elif reply.status == NO_CARD:
            self.no_card_in_row += 1
            if self.awaiting_removal and self.no_card_in_row >= REMOVED_AFTER:
                self.awaiting_removal = False
                self.data_errors = 0
                self.reader._emit("on_card_removed")
        elif reply.status == CARD_FOUND:
            self.no_card_in_row = 0
            if not self.awaiting_removal:
                self._read_card()
        return True

    def _check_sam(self) -> bool:
        if self.link.clock.monotonic() < self.sam_retry_at:
            return True
        if self.protocol.reset_on_open:
            self._ask(SAM_RESET, COMMAND_TIMEOUT_S)
        reply = self._ask(SAM_STATUS, COMMAND_TIMEOUT_S)
        if reply is None:
            return self.misses < REOPEN_AFTER_MISSES
        if reply.status == OK:
            self.sam_ok = True
            self.reader._backoff.reset()
            self.reader._set_state(DeviceState.READY, "ready")
        else:
            self._sam_fault(reply)
        return True

    def _sam_fault(self, reply: Reply) -> None:
        self.sam_ok = False
        self.sam_retry_at = self.link.clock.monotonic() + SAM_RETRY_S
        self.reader._set_state(DeviceState.FAULT, f"SAM module: {describe_status(reply.status)}")

    def _ask(self, command: bytes, timeout_s: float) -> Reply | None:
        """Exchange one command, keeping the health counters and the state up to date."""
        reply = self.link.transact(command, timeout_s)
        bad = self.link.parser.bad_frames - self.bad_seen
        self.bad_seen = self.link.parser.bad_frames
        self.reader.bad_frames += bad
        if reply is None:
            self.misses += 1
            self.bad_in_row += bad
            if self.bad_in_row >= FAULT_AFTER_BAD_FRAMES:
                self.reader._set_state(
                    DeviceState.FAULT,
                    f"{FAULT_AFTER_BAD_FRAMES} or more frames with a bad checksum in a row",
                )
            elif self.misses >= STALE_AFTER_MISSES:
                self.reader._set_state(
                    DeviceState.STALE,
                    f"no answer to {STALE_AFTER_MISSES} or more commands in a row",
                )
            return None
        self.misses = 0
        self.bad_in_row = 0
        if self.sam_ok and self.reader.state is not DeviceState.READY:
            self.reader._set_state(DeviceState.READY, "ready")
        return reply

    def _read_card(self) -> None:
        selected = self._ask(SELECT_CARD, COMMAND_TIMEOUT_S)
        if selected is None or not succeeded(SELECT_CARD, selected):
            return  # taken off already, or a bad moment: the next poll tries again
        command = self.protocol.read_command
        reply = self._ask(command, CARD_READ_TIMEOUT_S)
        if reply is None or not succeeded(command, reply):
            status = "no answer" if reply is None else describe_status(reply.status)
            log.info("card read failed (%s); trying again", status)
            return
        try:
            card = parse_text_block(self.protocol.text_block(reply.data))
        except CardDataError as exc:
            self.data_errors += 1
            if self.data_errors <= DATA_RETRIES:
                log.info("card data malformed (%s); reading again", exc)
                return
            self._card_error(str(exc))
        except CardError as exc:
            self._card_error(str(exc))
        else:
            self.awaiting_removal = True
            self.reader.cards_read += 1
            log.info("card read: %r", card)
            self.reader._emit("on_card", card)

    def _card_error(self, message: str) -> None:
        self.awaiting_removal = True
        log.info("card refused: %s", message)
        self.reader._emit("on_card_error", message)
