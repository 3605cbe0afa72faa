"""Turnstile relays on serial ports (LCUS, Modbus coil boards) and their simulators."""

from drivers.device import DeviceState
from drivers.relay.device import MIN_PULSE_MS, RelayDevice, RelayError
from drivers.relay.factory import open_relay
from drivers.relay.protocols import PROTOCOLS
from drivers.relay.simulator import CoilChange, RelaySimulator

__all__ = [
    "MIN_PULSE_MS",
    "PROTOCOLS",
    "CoilChange",
    "DeviceState",
    "RelayDevice",
    "RelayError",
    "RelaySimulator",
    "open_relay",
]
