"""A device on a serial port served by one named worker thread (thermometer, ID card reader).

The worker opens the port, hands it to the device's session until the port fails or the
device is stopped, and opens it again with the shared capped, jittered back-off. It keeps the
device's :class:`DeviceState` and tells the listener on the worker thread; a listener that
raises is logged and the loop goes on.
"""

from __future__ import annotations

import logging
import termios
import threading
from collections.abc import Callable
from typing import Self

import serial

from drivers.device import Backoff, DeviceClock, DeviceListener, DeviceState
from drivers.serial_link.port import open_serial_port

log = logging.getLogger(__name__)

PORT_ERRORS = (serial.SerialException, OSError, termios.error)
"""What a serial port raises when the cable is pulled or the device goes away."""


class SerialPortWorker:
    """Lifecycle, state and reconnect loop shared by the serial devices.

    A subclass implements :meth:`_session` and may override :meth:`_while_down` (work that is
    due while the port is closed) and :meth:`_after_stop`.
    """

    label = "serial device"
    """How logs name the device ("thermometer", "ID card reader")."""
    read_timeout_s = 0.05
    """The port's read timeout."""
    down_tick_s: float | None = None
    """While the port is closed, call :meth:`_while_down` at least this often (None: only
    once per attempt to open it)."""

    def __init__(
        self,
        port: str,
        baud: int,
        listener: DeviceListener,
        *,
        thread_name: str,
        backoff: Backoff | None,
        clock: DeviceClock,
        on_close: Callable[[], None] | None,
    ) -> None:
        self.port = port
        self.baud = baud
        self._listener = listener
        self._thread_name = thread_name
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._on_close = on_close
        self._lock = threading.Lock()
        self._state_changed = threading.Condition(self._lock)
        self._state = DeviceState.STOPPED
        self._detail = "not started"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> Self:
        """Start the worker thread (returns at once; watch ``on_state``)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the worker and close the port (and a simulator behind it, if any)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self._after_stop()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    close = stop

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- observing ------------------------------------------------------------------------
    @property
    def state(self) -> DeviceState:
        """The current state."""
        return self._state

    @property
    def detail(self) -> str:
        """Human-readable detail of the current state."""
        return self._detail

    def wait_for_state(self, *states: DeviceState, timeout_s: float) -> bool:
        """Block until the state is one of ``states``; False on timeout."""
        with self._state_changed:
            return self._state_changed.wait_for(lambda: self._state in states, timeout_s)

    # -- for subclasses -------------------------------------------------------------------
    def _session(self, port: serial.Serial) -> None:
        """Talk to the open ``port`` until it fails (raise) or should be reopened (return)."""
        raise NotImplementedError

    def _while_down(self, now: float) -> None:
        """Work that is due at monotonic time ``now`` while the port is closed."""

    def _after_stop(self) -> None:
        """Called once the worker has ended, before the port's owner is closed."""

    def _emit(self, method: str, *args: object) -> None:
        try:
            getattr(self._listener, method)(*args)
        except Exception:  # a listener bug must not kill the port loop
            log.exception("%s listener %s failed", self.label, method)

    def _set_state(self, state: DeviceState, detail: str) -> None:
        with self._state_changed:
            if (state, detail) == (self._state, self._detail):
                return
            previous = self._state
            self._state, self._detail = state, detail
            self._state_changed.notify_all()
        if state is not previous:
            bad = state in (DeviceState.FAULT, DeviceState.STALE)
            level = logging.WARNING if bad else logging.INFO
            log.log(level, "%s %s: %s", self.label, state.value, detail)
        self._emit("on_state", state, detail)

    # -- the loop -------------------------------------------------------------------------
    def _run(self) -> None:
        clock = self._clock
        next_attempt = clock.monotonic()
        state_while_down = DeviceState.CONNECTING
        while not self._stop.is_set():
            now = clock.monotonic()
            self._while_down(now)
            if now < next_attempt:
                wait = next_attempt - now
                if self.down_tick_s is not None:
                    wait = min(self.down_tick_s, wait)
                clock.wait(self._stop, wait)
                continue
            try:
                port = open_serial_port(self.port, self.baud, self.read_timeout_s)
            except (serial.SerialException, OSError, ValueError) as exc:
                delay = self._backoff.next_delay()
                detail = f"cannot open {self.port}; retry in {delay:.1f} s"
                self._set_state(state_while_down, detail)
                log.debug("cannot open %s: %s", self.port, exc)
                next_attempt = clock.monotonic() + delay
                continue
            try:
                self._session(port)
            except PORT_ERRORS as exc:
                log.warning("%s port %s lost: %s", self.label, self.port, exc)
            finally:
                try:
                    port.close()
                except PORT_ERRORS:
                    pass
            if not self._stop.is_set():
                delay = self._backoff.next_delay()
                state_while_down = DeviceState.RECONNECTING
                self._set_state(state_while_down, f"port lost; reconnecting in {delay:.1f} s")
                next_attempt = clock.monotonic() + delay
        self._set_state(DeviceState.STOPPED, "stopped")
