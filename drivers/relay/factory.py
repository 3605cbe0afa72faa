"""``open_relay``: a :class:`RelayDevice` for a port or ``sim:PROFILE``."""

from __future__ import annotations

from drivers.device import SYSTEM_CLOCK, DeviceClock, DeviceListener
from drivers.relay.device import RelayDevice
from drivers.relay.simulator import RelaySimulator

SIM_PREFIX = "sim:"


def open_relay(
    port: str,
    protocol: str = "lcus",
    channel: int = 1,
    *,
    baud: int = 0,
    slave: int = 1,
    listener: DeviceListener | None = None,
    initialise: bool = True,
    reconnect: bool = False,
    clock: DeviceClock = SYSTEM_CLOCK,
) -> RelayDevice:
    """Open a relay on ``port`` (a device path, or ``sim:`` / ``sim:PROFILE``).

    With ``reconnect`` the reconnect thread starts and initialises the channel (explicit off)
    on its own, retrying with back-off: the call never fails on a missing or faulty board,
    watch the state instead. Otherwise, with ``initialise`` the channel is switched off
    explicitly first, which raises :class:`~drivers.relay.device.RelayError` on failure (the
    simulator, if any, is closed). ``close()`` the device when done.
    """
    on_close = None
    path = port
    sim = None
    if port.startswith(SIM_PREFIX):
        profile = port[len(SIM_PREFIX) :] or "normal"
        sim = RelaySimulator(protocol, profile, slave=slave, clock=clock)
        sim.start()
        path, on_close = sim.port, sim.close
    try:
        device = RelayDevice(
            path,
            protocol,
            channel,
            baud=baud,
            slave=slave,
            listener=listener,
            clock=clock,
            on_close=on_close,
        )
        device.simulator = sim
        if reconnect:
            device.start()
        elif initialise:
            device.initialise()
    except BaseException:
        if on_close is not None:
            on_close()
        raise
    return device
