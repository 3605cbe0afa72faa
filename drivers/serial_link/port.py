"""Opening serial ports and the reconnect delay shared by the device loops."""

from __future__ import annotations

import serial


def open_serial_port(
    path: str, baud: int, timeout_s: float, *, write_timeout_s: float = 1.0
) -> serial.Serial:
    """Open ``path`` 8N1 with DTR and RTS held low from the start (relay coils stay quiet).

    Raises :class:`serial.SerialException` when the port cannot be opened.
    """
    port = serial.Serial()
    port.port = path
    port.baudrate = baud
    port.timeout = timeout_s
    port.write_timeout = write_timeout_s
    port.dtr = False
    port.rts = False
    port.open()
    return port


class Backoff:
    """Doubling reconnect delay with a cap: 0.5, 1, 2, 4, 8, 8, … seconds by default."""

    def __init__(self, initial_s: float = 0.5, cap_s: float = 8.0) -> None:
        self.initial_s = initial_s
        self.cap_s = cap_s
        self._next = initial_s

    def next_delay(self) -> float:
        """The delay to wait now; the following one doubles up to the cap."""
        delay = self._next
        self._next = min(self._next * 2, self.cap_s)
        return delay

    def reset(self) -> None:
        """Start again from the initial delay (after a healthy connection)."""
        self._next = self.initial_s
