"""Opening serial ports the way every device loop needs them."""

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

