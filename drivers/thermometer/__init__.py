"""Infrared thermometers on serial ports: protocols, port loop, measurements, simulators."""

from drivers.device import DeviceState
from drivers.thermometer.device import ThermometerDevice, ThermometerListener
from drivers.thermometer.factory import open_thermometer
from drivers.thermometer.frames import ErrorFrame, Frame
from drivers.thermometer.health import HealthLimits
from drivers.thermometer.measurement import (
    Measurement,
    MeasurementError,
    MeasureResult,
)
from drivers.thermometer.options import ProtocolOptionError
from drivers.thermometer.protocols import PROTOCOLS, make_protocol
from drivers.thermometer.simulator import PROFILES, ThermometerSimulator

__all__ = [
    "PROFILES",
    "PROTOCOLS",
    "DeviceState",
    "ErrorFrame",
    "Frame",
    "HealthLimits",
    "Measurement",
    "MeasureResult",
    "MeasurementError",
    "ProtocolOptionError",
    "ThermometerDevice",
    "ThermometerListener",
    "ThermometerSimulator",
    "make_protocol",
    "open_thermometer",
]
