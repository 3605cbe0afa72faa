"""Turnstile relay: switches one channel of an LCUS or Modbus coil board and pulses it.

Contract: :meth:`RelayDevice.pulse` BLOCKS the calling thread for the pulse (``pulse(300)``
takes about 300 ms plus the serial round trips); run it off the UI thread. Methods are
thread-safe: concurrent pulses run one after another. The driver tracks the commanded state
and never pulses unless that state is a known off (READY); any failed command puts it in FAULT
until an explicit off succeeds. After :meth:`RelayDevice.start`, a thread named
``relay-<protocol>`` re-opens and re-initialises a faulty relay with the shared back-off
(RECONNECTING) until it is READY again; a pulse asked for meanwhile fails at once with
:class:`RelayError`, it never waits for the reconnection.
"""

from __future__ import annotations

import logging
import termios
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import serial

from drivers.device import SYSTEM_CLOCK, Backoff, DeviceClock, DeviceListener, DeviceState
from drivers.relay import protocols
from drivers.serial_link import modbus_rtu
from drivers.serial_link.port import open_serial_port

if TYPE_CHECKING:
    from drivers.relay.simulator import RelaySimulator

log = logging.getLogger(__name__)

MIN_PULSE_MS = 100
REPLY_TIMEOUT_S = 0.5


class RelayError(Exception):
    """A relay command failed or was refused; the message can be shown to a person."""


class RelayDevice:
    """One relay channel on a serial port (see the module docstring for the contract).

    States: STOPPED (not initialised or closed), READY (known off), ACTIVE (contact closed for
    a pulse), FAULT (a command failed; nothing retries), RECONNECTING (a command failed and
    the reconnect thread is retrying).
    """

    def __init__(
        self,
        port: str,
        protocol: str = protocols.LCUS,
        channel: int = 1,
        *,
        baud: int = 0,
        slave: int = 1,
        reply_timeout_s: float = REPLY_TIMEOUT_S,
        listener: DeviceListener | None = None,
        clock: DeviceClock = SYSTEM_CLOCK,
        backoff: Backoff | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        if protocol not in protocols.PROTOCOLS:
            raise ValueError(
                f"unknown relay protocol {protocol!r} (known: {', '.join(protocols.PROTOCOLS)})"
            )
        if not 1 <= channel <= 255:
            raise ValueError(f"relay channel must be 1-255, got {channel}")
        self.port = port
        self.protocol = protocol
        self.channel = channel
        self.baud = baud or protocols.DEFAULT_BAUD[protocol]
        self.slave = slave
        self.reply_timeout_s = reply_timeout_s
        self._listener = listener or DeviceListener()
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._on_close = on_close
        self._lock = threading.RLock()
        self._serial: serial.Serial | None = None
        self._state = DeviceState.STOPPED
        self.detail = "not initialised"
        self._state_changed = threading.Condition()
        self._trouble = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.simulator: RelaySimulator | None = None
        """The simulator behind a ``sim:`` port (set by the factory; demos and tests)."""

    @property
    def state(self) -> DeviceState:
        """The device state (READY means the channel is known to be off)."""
        return self._state

    @property
    def reconnecting(self) -> bool:
        """Whether the reconnect thread runs (see :meth:`start`)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> RelayDevice:
        """Start the reconnect thread; a relay not yet READY is initialised on it at once."""
        if self._thread is None:
            self._stop.clear()
            if self._state is not DeviceState.READY:
                self._trouble.set()
            self._thread = threading.Thread(
                target=self._supervise, name=f"relay-{self.protocol}", daemon=True
            )
            self._thread.start()
        return self

    def wait_for_state(self, *states: DeviceState, timeout_s: float) -> bool:
        """Block until the state is one of ``states``; False after ``timeout_s`` seconds."""
        with self._state_changed:
            return self._state_changed.wait_for(lambda: self._state in states, timeout_s)

    def initialise(self) -> None:
        """(Re)open the port and switch the channel off explicitly; READY on success.

        Raises :class:`RelayError` (and stays in FAULT, or RECONNECTING) when that fails.
        """
        with self._lock:
            self._close_port()
            try:
                self._serial = open_serial_port(self.port, self.baud, self.reply_timeout_s)
            except (serial.SerialException, OSError) as exc:
                self._fault(f"cannot open {self.port}: {exc}")
            self._switch(False)
            self._trouble.clear()
            self._backoff.reset()
            self._set_state(DeviceState.READY, "initialised off")

    def pulse(self, ms: int = 300) -> None:
        """Close the contact for ``ms`` milliseconds (at least 100), then open it; blocking.

        Raises :class:`RelayError` at once, without touching the relay, when it is not READY
        (not initialised, faulty or reconnecting), and after a failed command (the device is
        then in FAULT, or RECONNECTING when the reconnect thread runs).
        """
        if ms < MIN_PULSE_MS:
            raise ValueError(f"pulse must be at least {MIN_PULSE_MS} ms, got {ms}")
        self._refuse_unless_ready()
        with self._lock:
            self._refuse_unless_ready()
            try:
                self._switch(True)
            except RelayError:
                self._switch_off_after_failure()
                raise
            self._set_state(DeviceState.ACTIVE, f"pulse {ms} ms")
            self._clock.sleep(ms / 1000)
            self._switch(False)
            self._set_state(DeviceState.READY, "pulse done")

    def close(self) -> None:
        """Stop the reconnect thread, leave the relay off if possible, close the port (and a
        simulator)."""
        self._stop.set()
        self._trouble.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        with self._lock:
            if self._serial is not None and self._state is DeviceState.ACTIVE:
                try:
                    self._switch(False)
                except RelayError:
                    pass
            self._close_port()
            self._set_state(DeviceState.STOPPED, "closed")
            if self._on_close is not None:
                self._on_close()
                self._on_close = None

    def __enter__(self) -> RelayDevice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------
    def _refuse_unless_ready(self) -> None:
        state = self._state
        if state is not DeviceState.READY:
            raise RelayError(
                f"relay {state.value} ({self.detail}): refusing to pulse; "
                "it needs an explicit off first"
            )

    def _set_state(self, state: DeviceState, detail: str) -> None:
        with self._state_changed:
            if (state, detail) == (self._state, self.detail):
                return
            self._state, self.detail = state, detail
            self._state_changed.notify_all()
        try:
            self._listener.on_state(state, detail)
        except Exception:  # a listener bug must not leave the relay half-switched
            log.exception("relay listener failed")

    def _fault(self, detail: str) -> None:
        log.error("relay fault: %s", detail)
        if self.reconnecting and not self._stop.is_set():
            self._set_state(DeviceState.RECONNECTING, detail)
            self._trouble.set()
        else:
            self._set_state(DeviceState.FAULT, detail)
        raise RelayError(f"relay fault: {detail}")

    def _supervise(self) -> None:
        """Re-initialise a faulty relay with back-off until it is READY; runs until close."""
        clock = self._clock
        first = True
        while not self._stop.is_set():
            if not self._trouble.wait(1.0) or self._stop.is_set():
                continue
            if not first:
                delay = self._backoff.next_delay()
                reason = self.detail.split("; retry in")[0]
                self._set_state(DeviceState.RECONNECTING, f"{reason}; retry in {delay:.1f} s")
                if clock.wait(self._stop, delay):
                    break
            first = False
            try:
                self.initialise()
            except RelayError as exc:
                log.debug("relay re-initialisation failed: %s", exc)
            else:
                log.info("relay on %s ready again", self.port)

    def _switch_off_after_failure(self) -> None:
        detail = self.detail
        if self._serial is None:
            return
        try:
            self._switch(False)
        except RelayError:
            return
        self._fault(f"{detail} (switched off again)")

    def _switch(self, on: bool) -> None:
        """Send one command; on failure go to FAULT and raise."""
        port = self._serial
        what = "on" if on else "off"
        if port is None:
            self._fault("port not open")
            return
        try:
            if self.protocol == protocols.LCUS:
                port.write(protocols.lcus_command(self.channel, on))
                port.flush()
            else:
                self._modbus_switch(port, on)
        except (serial.SerialException, OSError, termios.error) as exc:
            self._close_port()
            self._fault(f"switching {what} failed, port lost: {exc}")
        except ValueError as exc:
            self._fault(f"switching {what} failed: {exc}")

    def _modbus_switch(self, port: serial.Serial, on: bool) -> None:
        coil = self.channel - 1
        request = modbus_rtu.write_coil_request(self.slave, coil, on)
        protocols.check_echo(request, self._transact(port, request, len(request)))
        read = protocols.read_coils_request(self.slave, coil, 1)
        reply = self._transact(port, read, 6)
        (state,) = protocols.parse_read_coils_reply(reply, self.slave, 1)
        if state != on:
            raise ValueError(f"coil {coil} reads {'on' if state else 'off'} after switching")

    def _transact(self, port: serial.Serial, request: bytes, reply_len: int) -> bytes:
        port.reset_input_buffer()
        port.write(request)
        reply = b""
        deadline = time.monotonic() + self.reply_timeout_s
        while len(reply) < reply_len and time.monotonic() < deadline:
            reply += port.read(reply_len - len(reply))
            if len(reply) >= 5 and reply[1] & modbus_rtu.EXCEPTION_FLAG:
                break
        return reply

    def _close_port(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except (serial.SerialException, OSError, termios.error):
                pass
            self._serial = None
