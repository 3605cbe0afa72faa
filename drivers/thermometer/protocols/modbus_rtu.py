"""Modbus RTU infrared thermometers; defaults fit the Calex PyroUSB.

One read request per poll covers the object register and (optionally) the ambient register:
PyroUSB: slave 1, fc 03, 0x12 filtered object temperature, 0x14 sensor (housing) temperature,
both in tenths of °C (int16). Replies are ``slave fc n data… crc``; exceptions
``slave fc|0x80 code crc``; CRC-16/MODBUS, low byte first.
"""

from __future__ import annotations

from drivers.serial_link import modbus_rtu
from drivers.serial_link.checksums import crc16_ok
from drivers.thermometer.frames import (
    BAD_FRAME,
    DROP_ONE,
    NEED_MORE,
    ErrorFrame,
    Frame,
    FrameParser,
    Step,
)
from drivers.thermometer.options import OptionReader, ProtocolOptionError
from drivers.thermometer.protocols.base import ThermometerProtocol, poll_interval

# °C per register unit: 0.1 and 0.01 are usual; 0 or a non-finite scale would kill the reader.
MIN_SCALE = 1e-4
MAX_SCALE = 10.0


class ModbusRtu(ThermometerProtocol):
    """Settings of one Modbus thermometer."""

    name = "modbus-rtu"
    default_baud = 9600

    def __init__(
        self,
        slave: int = 1,
        function: int = modbus_rtu.READ_HOLDING_REGISTERS,
        register: int = 0x12,
        ambient_register: int | None = 0x14,
        count: int = 0,
        scale: float = 0.1,
        signed: bool = True,
        poll_interval_s: float = 0.2,
    ) -> None:
        if function not in (modbus_rtu.READ_HOLDING_REGISTERS, modbus_rtu.READ_INPUT_REGISTERS):
            raise ProtocolOptionError(
                f"modbus-rtu option 'function': expected 3 or 4, got {function}"
            )
        if not 0 <= slave <= 255:
            raise ProtocolOptionError(f"modbus-rtu option 'slave': expected 0-255, got {slave}")
        last = max(register, ambient_register if ambient_register is not None else register)
        start = min(register, ambient_register if ambient_register is not None else register)
        needed = last - start + 1
        if count and count < needed:
            raise ProtocolOptionError(
                f"modbus-rtu option 'count': {count} registers do not reach from "
                f"{start:#06x} to {last:#06x}"
            )
        if not 0 < (count or needed) <= 125:
            raise ProtocolOptionError("modbus-rtu: at most 125 registers per read")
        for option, value in (("register", register), ("ambient_register", ambient_register)):
            if value is not None and not 0 <= value <= 0xFFFF:
                raise ProtocolOptionError(
                    f"modbus-rtu option {option!r}: expected 0-0xffff, got {value:#x}"
                )
        if not MIN_SCALE <= scale <= MAX_SCALE:  # also false for NaN
            raise ProtocolOptionError(
                f"modbus-rtu option 'scale': expected {MIN_SCALE:g} to {MAX_SCALE:g} "
                f"(°C per register unit), got {scale:g}"
            )
        self.slave = slave
        self.function = function
        self.register = register
        self.ambient_register = ambient_register
        self.start = start
        self.count = count or needed
        self.scale = scale
        self.signed = signed
        self.poll_interval_s = poll_interval_s

    @classmethod
    def from_options(cls, reader: OptionReader) -> ModbusRtu:
        """Options: slave (1), function (3), register (0x12), ambient_register (0x14, or
        "none"), count (0 = just enough), scale (0.1), signed (true), poll_hz (5)."""
        ambient_text = reader.raw("ambient_register", "0x14").strip().lower()
        ambient: int | None = None
        if ambient_text not in ("", "none", "-"):
            ambient = reader.integer("ambient_register", 0x14)
        return cls(
            slave=reader.integer("slave", 1),
            function=reader.integer("function", modbus_rtu.READ_HOLDING_REGISTERS),
            register=reader.integer("register", 0x12),
            ambient_register=ambient,
            count=reader.integer("count", 0),
            scale=reader.number("scale", 0.1),
            signed=reader.flag("signed", True),
            poll_interval_s=poll_interval(reader),
        )

    def new_parser(self) -> FrameParser:
        """A parser for replies to :meth:`poll_command`."""
        return ModbusReplyParser(self)

    def poll_command(self) -> bytes:
        """The read request, e.g. ``01 03 00 12 00 03 …``."""
        return modbus_rtu.read_request(self.slave, self.function, self.start, self.count)

    def to_celsius(self, word: int) -> float:
        """Scale one register value (exact division for scales like 0.1 and 0.01)."""
        value = word - 0x10000 if self.signed and word >= 0x8000 else word
        divisor = 1 / self.scale
        if abs(divisor - round(divisor)) < 1e-9:
            return value / round(divisor)
        return value * self.scale


class ModbusReplyParser(FrameParser):
    """Parser of read replies (and exception replies) from the configured slave."""

    def __init__(self, protocol: ModbusRtu) -> None:
        super().__init__()
        self.protocol = protocol

    def decode(self, buf: bytes) -> Step:
        """Decode one reply at the start of ``buf``."""
        p = self.protocol
        if len(buf) < 2:
            return NEED_MORE
        if buf[0] != p.slave:
            return DROP_ONE
        if buf[1] == p.function | modbus_rtu.EXCEPTION_FLAG:
            if len(buf) < 5:
                return NEED_MORE
            if not crc16_ok(buf[:5]):
                return BAD_FRAME
            return Step(5, ErrorFrame(modbus_rtu.describe_exception(buf[2])))
        if buf[1] != p.function:
            return DROP_ONE
        if len(buf) < 3:
            return NEED_MORE
        if buf[2] != 2 * p.count:
            return DROP_ONE
        total = 5 + 2 * p.count
        if len(buf) < total:
            return NEED_MORE
        if not crc16_ok(buf[:total]):
            return BAD_FRAME
        words = [int.from_bytes(buf[3 + 2 * i : 5 + 2 * i], "big") for i in range(p.count)]
        obj = p.to_celsius(words[p.register - p.start])
        amb = None
        if p.ambient_register is not None:
            amb = p.to_celsius(words[p.ambient_register - p.start])
        return Step(total, Frame(object_c=obj, ambient_c=amb))
