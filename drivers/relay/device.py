"""Turnstile relay: switches one channel of an LCUS or Modbus coil board and pulses it.

Contract: every method BLOCKS the calling thread (``pulse(300)`` takes about 300 ms plus the
serial round trips); run it off the UI thread. Methods are thread-safe: concurrent pulses run
one after another. The driver tracks the commanded state and never pulses unless that state is
a known OFF; any failed command puts it in FAULT until :meth:`RelayDevice.initialise` succeeds
with an explicit off.
"""

from __future__ import annotations

import enum
import logging
import termios
import threading
import time
from collections.abc import Callable

import serial

from drivers.relay import protocols
from drivers.serial_link import modbus_rtu
from drivers.serial_link.port import open_serial_port

log = logging.getLogger(__name__)

MIN_PULSE_MS = 100
REPLY_TIMEOUT_S = 0.5


class RelayState(enum.Enum):
    """Commanded state of the relay channel as the driver knows it."""

    UNKNOWN = "unknown"
    """Not initialised yet."""
    OFF = "off"
    ON = "on"
    FAULT = "fault"
    """A command failed or the port died; re-initialise with an explicit off."""


class RelayError(Exception):
    """A relay command failed; the message can be shown to a person."""


class RelayListener:
    """Callbacks on the thread that drives the relay; methods do nothing by default."""

    def on_state(self, state: RelayState, detail: str) -> None:
        """The commanded state changed."""


class RelayDevice:
    """One relay channel on a serial port (see the module docstring for the contract)."""

    def __init__(
        self,
        port: str,
        protocol: str = protocols.LCUS,
        channel: int = 1,
        *,
        baud: int = 0,
        slave: int = 1,
        reply_timeout_s: float = REPLY_TIMEOUT_S,
        listener: RelayListener | None = None,
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
        self._listener = listener or RelayListener()
        self._on_close = on_close
        self._lock = threading.RLock()
        self._serial: serial.Serial | None = None
        self._state = RelayState.UNKNOWN
        self.detail = "not initialised"

    @property
    def state(self) -> RelayState:
        """The commanded state."""
        return self._state

    def initialise(self) -> None:
        """(Re)open the port and switch the channel off explicitly; clears FAULT on success.

        Raises :class:`RelayError` (and stays in FAULT) when that fails.
        """
        with self._lock:
            self._close_port()
            try:
                self._serial = open_serial_port(self.port, self.baud, self.reply_timeout_s)
            except (serial.SerialException, OSError) as exc:
                self._fault(f"cannot open {self.port}: {exc}")
            self._switch(False)
            self._set_state(RelayState.OFF, "initialised off")

    def pulse(self, ms: int = 300) -> None:
        """Close the contact for ``ms`` milliseconds (at least 100), then open it; blocking.

        Raises :class:`RelayError` without touching the relay when it is not in a known OFF
        state, and after a failed command (the device is then in FAULT).
        """
        if ms < MIN_PULSE_MS:
            raise ValueError(f"pulse must be at least {MIN_PULSE_MS} ms, got {ms}")
        with self._lock:
            if self._state is not RelayState.OFF:
                raise RelayError(
                    f"relay {self._state.value} ({self.detail}): refusing to pulse; "
                    "re-initialise it with an explicit off"
                )
            try:
                self._switch(True)
            except RelayError:
                self._switch_off_after_failure()
                raise
            self._set_state(RelayState.ON, f"pulse {ms} ms")
            time.sleep(ms / 1000)
            self._switch(False)
            self._set_state(RelayState.OFF, "pulse done")

    def close(self) -> None:
        """Leave the relay off if possible and close the port (and a simulator)."""
        with self._lock:
            if self._serial is not None and self._state is RelayState.ON:
                try:
                    self._switch(False)
                except RelayError:
                    pass
            self._close_port()
            if self._on_close is not None:
                self._on_close()
                self._on_close = None

    def __enter__(self) -> RelayDevice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------
    def _set_state(self, state: RelayState, detail: str) -> None:
        self._state, self.detail = state, detail
        try:
            self._listener.on_state(state, detail)
        except Exception:  # a listener bug must not leave the relay half-switched
            log.exception("relay listener failed")

    def _fault(self, detail: str) -> None:
        log.error("relay fault: %s", detail)
        self._set_state(RelayState.FAULT, detail)
        raise RelayError(f"relay fault: {detail}")

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
