"""``open_relay``: an initialised :class:`RelayDevice` for a port or ``sim:PROFILE``."""

from __future__ import annotations

from drivers.relay.device import RelayDevice, RelayListener
from drivers.relay.simulator import RelaySimulator

SIM_PREFIX = "sim:"


def open_relay(
    port: str,
    protocol: str = "lcus",
    channel: int = 1,
    *,
    baud: int = 0,
    slave: int = 1,
    listener: RelayListener | None = None,
    initialise: bool = True,
) -> RelayDevice:
    """Open a relay on ``port`` (a device path, or ``sim:`` / ``sim:PROFILE``).

    With ``initialise`` the channel is switched off explicitly first; that raises
    :class:`~drivers.relay.device.RelayError` on failure (the simulator, if any, is closed).
    ``close()`` the device when done.
    """
    on_close = None
    path = port
    if port.startswith(SIM_PREFIX):
        sim = RelaySimulator(protocol, port[len(SIM_PREFIX) :] or "normal", slave=slave)
        sim.start()
        path, on_close = sim.port, sim.close
    try:
        device = RelayDevice(
            path, protocol, channel, baud=baud, slave=slave, listener=listener, on_close=on_close
        )
        if initialise:
            device.initialise()
    except BaseException:
        if on_close is not None:
            on_close()
        raise
    return device
