"""``open_idcard_reader``: a started :class:`IdCardReader` for a port or ``sim:PROFILE``."""

from __future__ import annotations

from drivers.device import SYSTEM_CLOCK, DeviceClock
from drivers.idcard.protocols import get_protocol
from drivers.idcard.reader import IdCardListener, IdCardReader
from drivers.idcard.simulator import get_profile, start_simulator

SIM_PREFIX = "sim:"


def open_idcard_reader(
    port: str,
    protocol: str = "sam",
    baud: int = 0,
    *,
    poll_hz: float = 4.0,
    listener: IdCardListener | None = None,
    start: bool = True,
    clock: DeviceClock = SYSTEM_CLOCK,
) -> IdCardReader:
    """Open an ID card reader on ``port`` (a device path, or ``sim:PROFILE`` for a simulator).

    ``protocol`` is one of sam, sam-reset, sam-fp; ``baud`` 0 uses 115200. Raises
    :class:`~drivers.idcard.protocols.IdCardProtocolError` for an unknown protocol or
    simulator profile. The reader is started unless ``start`` is False; call ``stop()`` when
    done (it also stops a simulator). ``clock`` paces the reader and a simulator alike.
    """
    proto = get_protocol(protocol)
    on_close = None
    path = port
    sim = None
    if port.startswith(SIM_PREFIX):
        profile = get_profile(port[len(SIM_PREFIX) :])
        sim = start_simulator(proto, profile.name, clock)
        path, on_close = sim.port, sim.close
    reader = IdCardReader(
        path, proto, baud, poll_hz=poll_hz, listener=listener, clock=clock, on_close=on_close
    )
    reader.simulator = sim
    return reader.start() if start else reader
