"""Base class of the simulated serial devices: a pseudo-terminal whose master side is the device.

The driver opens :attr:`PtyDevice.port` (a symlink to the pty's slave side) exactly as it would
open ``/dev/ttyUSB0``. The simulator thread speaks the device's bytes on the master side:

* the slave is put in raw mode so every byte passes unchanged (no echo, no CR/LF mapping);
* the simulator only writes while a host has the port open (the master polls ``POLLHUP`` while
  nobody holds the slave); unsolicited output (streams) starts a short settle time after the
  open, because pyserial flushes its input right after opening, while replies go out at once;
* ``os.read`` on the master raises ``OSError`` (EIO) after the host closes the slave: that just
  means "host gone";
* :meth:`unplug` closes the master and removes the symlink: the host's port dies as if the USB
  cable were pulled, and reopening fails until :meth:`replug`.
"""

from __future__ import annotations

import logging
import os
import select
import tempfile
import threading
import time
import tty
from pathlib import Path
from typing import Self

from drivers.device import SYSTEM_CLOCK, DeviceClock

log = logging.getLogger(__name__)

TICK_S = 0.01
SETTLE_S = 0.05


class PtyDevice:
    """A simulated device on a pty; subclasses override :meth:`on_input` and :meth:`on_tick`."""

    def __init__(self, name: str, clock: DeviceClock = SYSTEM_CLOCK) -> None:
        self.name = name
        self.clock = clock
        self._dir = Path(tempfile.mkdtemp(prefix="kiosk-sim-"))
        self._link = self._dir / "tty"
        self._master: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._host_since: float | None = None
        self.host_opened = threading.Event()
        self._open_pty()

    # -- for subclasses -------------------------------------------------------------------
    def on_input(self, data: bytes, now: float) -> bytes:
        """Bytes the host sent; return the reply (default: none)."""
        return b""

    def on_tick(self, now: float) -> bytes:
        """Called every few ms while a host has the port open; return bytes to send."""
        return b""

    def on_host_open(self, now: float) -> None:
        """A host opened the port (after the settle time). Default: nothing."""

    # -- public ---------------------------------------------------------------------------
    @property
    def port(self) -> str:
        """Path the driver opens (stable across :meth:`replug`)."""
        return str(self._link)

    def start(self) -> Self:
        """Run the simulator on a named daemon thread."""
        self._thread = threading.Thread(target=self._run, name=f"sim-{self.name}", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the thread, close the pty and remove the temporary directory."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._close_master()
        self._dir.rmdir()

    def unplug(self) -> None:
        """Pull the cable: close the master and remove the port path."""
        log.info("%s: unplugged", self.name)
        self._close_master()

    def replug(self) -> None:
        """Plug a fresh device in at the same path."""
        with self._lock:
            if self._master is None:
                self._open_pty_locked()
        log.info("%s: plugged in again", self.name)

    def write(self, data: bytes) -> bool:
        """Send bytes to the host now; False when no host is connected or the pty is gone."""
        with self._lock:
            if self._master is None or not data:
                return False
            try:
                _, ready, _ = select.select([], [self._master], [], 0.2)
                if not ready:
                    return False
                os.write(self._master, data)
                return True
            except OSError:
                return False

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------
    def _open_pty(self) -> None:
        with self._lock:
            self._open_pty_locked()

    def _open_pty_locked(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        slave_path = os.ttyname(slave)
        os.close(slave)  # from now on POLLHUP on the master means "no host"
        self._master = master
        self._host_since = None
        self.host_opened.clear()
        tmp = self._dir / "tty.new"
        os.symlink(slave_path, tmp)
        os.replace(tmp, self._link)

    def _close_master(self) -> None:
        with self._lock:
            if self._master is not None:
                os.close(self._master)
                self._master = None
            self._host_since = None
            self._link.unlink(missing_ok=True)

    def _run(self) -> None:
        poller_fd: int | None = None
        poller = select.poll()
        while not self._stop.is_set():
            with self._lock:
                master = self._master
            if master is None:
                time.sleep(TICK_S)
                continue
            if master != poller_fd:
                poller = select.poll()
                poller.register(master, select.POLLIN)
                poller_fd = master
            try:
                events = poller.poll(TICK_S * 1000)
            except OSError:
                events = []
            now = self.clock.monotonic()
            real_now = time.monotonic()
            hung_up = any(ev & select.POLLHUP for _, ev in events)
            if hung_up:
                if self._host_since is not None:
                    log.debug("%s: host closed the port", self.name)
                self._host_since = None
                self.host_opened.clear()
                time.sleep(TICK_S)
                continue
            if self._host_since is None:
                self._host_since = real_now
            if any(ev & select.POLLIN for _, ev in events):
                # Commands arrive only after the host's open (and its input flush) completed,
                # so they are answered at once; the host may not have flushed before that.
                try:
                    data = os.read(master, 4096)
                except OSError:  # EIO: the host closed the slave, or we were unplugged
                    data = b""
                if data:
                    self.write(self.on_input(data, now))
            since = self._host_since  # None if on_input() just unplugged the device
            if since is None or real_now - since < SETTLE_S:
                continue  # unsolicited output waits until pyserial's open-time flush is over
            if not self.host_opened.is_set():
                self.host_opened.set()
                self.on_host_open(now)
            self.write(self.on_tick(now))
