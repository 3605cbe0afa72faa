"""``open_thermometer``: a started :class:`ThermometerDevice` for a port or ``sim:PROFILE``."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from drivers.device import SYSTEM_CLOCK, DeviceClock
from drivers.thermometer.device import ThermometerDevice, ThermometerListener
from drivers.thermometer.health import HealthLimits
from drivers.thermometer.measurement import Mode
from drivers.thermometer.protocols import make_protocol
from drivers.thermometer.simulator import get_profile, start_simulator

SIM_PREFIX = "sim:"
_NO_OPTIONS: Mapping[str, str] = MappingProxyType({})


def open_thermometer(
    port: str,
    protocol: str,
    baud: int = 0,
    options: Mapping[str, str] = _NO_OPTIONS,
    *,
    plausible_c: tuple[float, float],
    mode: Mode = "surface",
    offset_c: float = 0.9,
    limits: HealthLimits | None = None,
    listener: ThermometerListener | None = None,
    start: bool = True,
    clock: DeviceClock = SYSTEM_CLOCK,
) -> ThermometerDevice:
    """Open a thermometer on ``port`` (a device path, or ``sim:PROFILE`` for a simulator).

    ``protocol`` is one of gy-mcu90614, idc50, modbus-rtu, mlx-stick, regex; ``baud`` 0 uses
    the protocol's default; ``options`` are the protocol's options; ``plausible_c`` is the
    plausible body-temperature range (lowest, highest) outside which a measurement is
    invalid. Raises :class:`~drivers.thermometer.options.ProtocolOptionError` for bad names or
    options. The
    device is started unless ``start`` is False; call ``stop()`` when done (it also stops a
    simulator). ``clock`` paces the device and a simulator alike (tests run it faster).
    """
    proto = make_protocol(protocol, options)
    on_close = None
    path = port
    sim = None
    if port.startswith(SIM_PREFIX):
        profile = get_profile(port[len(SIM_PREFIX) :])
        sim = start_simulator(proto, profile.name, clock)
        path, on_close = sim.port, sim.close
    device = ThermometerDevice(
        path,
        proto,
        baud,
        plausible_c=plausible_c,
        mode=mode,
        offset_c=offset_c,
        limits=limits,
        listener=listener,
        clock=clock,
        on_close=on_close,
    )
    device.simulator = sim
    return device.start() if start else device
