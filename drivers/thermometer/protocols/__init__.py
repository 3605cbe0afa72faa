"""Thermometer wire protocols by name, each with working defaults."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from drivers.thermometer.options import OptionReader, ProtocolOptionError
from drivers.thermometer.protocols.base import ThermometerProtocol
from drivers.thermometer.protocols.gy_mcu90614 import GyMcu90614
from drivers.thermometer.protocols.idc50 import Idc50
from drivers.thermometer.protocols.mlx_stick import MlxStick
from drivers.thermometer.protocols.modbus_rtu import ModbusRtu
from drivers.thermometer.protocols.regex_line import RegexLine

PROTOCOLS: Mapping[str, type[GyMcu90614 | Idc50 | ModbusRtu | MlxStick | RegexLine]] = (
    MappingProxyType(
        {cls.name: cls for cls in (GyMcu90614, Idc50, ModbusRtu, MlxStick, RegexLine)}
    )
)
_NO_OPTIONS: Mapping[str, str] = MappingProxyType({})


def make_protocol(name: str, options: Mapping[str, str] = _NO_OPTIONS) -> ThermometerProtocol:
    """The protocol called ``name`` configured from ``options``; raises ProtocolOptionError."""
    cls = PROTOCOLS.get(name)
    if cls is None:
        raise ProtocolOptionError(
            f"unknown thermometer protocol {name!r} (known: {', '.join(PROTOCOLS)})"
        )
    reader = OptionReader(name, options)
    protocol = cls.from_options(reader)
    reader.check_all_used()
    return protocol


__all__ = [
    "PROTOCOLS",
    "GyMcu90614",
    "Idc50",
    "MlxStick",
    "ModbusRtu",
    "ProtocolOptionError",
    "RegexLine",
    "ThermometerProtocol",
    "make_protocol",
]
