"""Simulated thermometers speaking the real protocol bytes over a pty.

Profiles describe the person/sensor (normal, fever, cold forehead, …) and faults (checksum
errors, unplugged mid-stream, frozen values). Streaming protocols send frames on their own;
query-mode ones answer the host's commands (GY query, Modbus requests, MLX ``mv:3A``).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from drivers.device import SYSTEM_CLOCK, DeviceClock
from drivers.pty_device import PtyDevice
from drivers.serial_link import modbus_rtu
from drivers.serial_link.checksums import append_crc16, crc16_ok
from drivers.thermometer.options import ProtocolOptionError
from drivers.thermometer.protocols import (
    GyMcu90614,
    Idc50,
    MlxStick,
    ModbusRtu,
    RegexLine,
    ThermometerProtocol,
    idc50,
)
from drivers.thermometer.protocols import gy_mcu90614 as gy

log = logging.getLogger(__name__)

BODY_OFFSET_C = 0.9
"""What a simulated body-mode device (IDC-50) adds to the profile's skin temperature."""


@dataclass(frozen=True)
class Profile:
    """What the simulated sensor sees and how it misbehaves."""

    name: str
    object_c: float = 35.9
    """Skin (surface) temperature of the forehead in front of the sensor."""
    ambient_c: float = 24.0
    noise_c: float = 0.05
    drift_c_per_s: float = 0.0
    garbage: bool = False
    """Random bytes between frames."""
    corrupt_every: int = 0
    """Break the checksum of every n-th frame (1: all frames)."""
    unplug_after_s: float | None = None
    """Close the port this long after the host opened it."""
    frozen: bool = False
    """Identical values forever."""


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("normal"),
        Profile("fever", object_c=37.8),
        Profile("cold", object_c=32.0, ambient_c=16.0),
        Profile("noisy", noise_c=0.3, garbage=True, corrupt_every=4),
        Profile("drifting", drift_c_per_s=0.05),
        Profile("checksum", corrupt_every=1),
        Profile("unplugged", unplug_after_s=1.0),
        Profile("frozen", noise_c=0.0, frozen=True),
        Profile("hot-ambient", ambient_c=45.0),
    )
}


def get_profile(name: str) -> Profile:
    """The profile called ``name`` (empty: normal)."""
    profile = PROFILES.get(name or "normal")
    if profile is None:
        raise ProtocolOptionError(
            f"unknown simulator profile {name!r} (known: {', '.join(PROFILES)})"
        )
    return profile


class ThermometerSimulator(PtyDevice):
    """A device for one protocol and profile; the driver opens :attr:`port`."""

    def __init__(
        self,
        protocol: ThermometerProtocol,
        profile: Profile | str = "normal",
        seed: int = 1,
        clock: DeviceClock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(f"thermometer-{protocol.name}", clock)
        self.protocol = protocol
        self.profile = get_profile(profile) if isinstance(profile, str) else profile
        self._rng = random.Random(seed)
        self._t0 = clock.monotonic()
        self._opened_at = self._t0
        self._next_frame = 0.0
        self._frames_sent = 0
        self._rx = bytearray()
        self.streaming = self._streams_by_default()
        self.interval_s = {GyMcu90614: 1 / 14, Idc50: 0.5}.get(type(protocol), 0.2)
        self.requests: list[bytes] = []
        """Every command received (for tests)."""

    # -- values ---------------------------------------------------------------------------
    def values(self, now: float) -> tuple[float, float]:
        """Current (object skin, ambient) temperatures."""
        p = self.profile
        if p.frozen:
            return p.object_c, p.ambient_c
        t = now - self._t0
        obj = p.object_c + p.drift_c_per_s * t + self._rng.gauss(0, p.noise_c)
        amb = p.ambient_c + p.drift_c_per_s * t / 2 + self._rng.gauss(0, 0.02)
        return obj, amb

    def _streams_by_default(self) -> bool:
        proto = self.protocol
        if isinstance(proto, GyMcu90614):
            return not proto.query
        if isinstance(proto, RegexLine):
            return proto.poll_interval_s is None
        return isinstance(proto, Idc50)

    # -- encoding -------------------------------------------------------------------------
    def frame(self, now: float) -> bytes:
        """The next reading in the protocol's bytes (possibly corrupted, per profile)."""
        obj, amb = self.values(now)
        proto = self.protocol
        data: bytes
        if isinstance(proto, GyMcu90614):
            data = gy.encode_frame(obj, amb)
        elif isinstance(proto, Idc50):
            data = idc50.encode_frame(obj + BODY_OFFSET_C)
        elif isinstance(proto, MlxStick):
            ms = int((now - self._t0) * 1000) % 100_000_000
            prefix = f"@{proto.address}:90632:" if self.streaming else ""
            data = f"{prefix}mv:{proto.address}:{ms:08d}:{amb:.2f},{obj:.2f}\r\n".encode()
        elif isinstance(proto, RegexLine):
            data = proto.sim_line.format(object=obj, ambient=amb).encode(proto.encoding)
        else:  # Modbus slaves only answer requests
            raise TypeError(f"{proto.name} devices do not send frames on their own")
        self._frames_sent += 1
        every = self.profile.corrupt_every
        if every and self._frames_sent % every == 0:
            data = self._corrupt(data)
        return data

    def _corrupt(self, data: bytes) -> bytes:
        if isinstance(self.protocol, MlxStick | RegexLine):
            return data.replace(b".", b"#", 1)
        return data[:-1] + bytes([data[-1] ^ 0x5A])

    def _garbage(self) -> bytes:
        junk = bytes(self._rng.choice([0x5A, 0xAA, 0x55, 0x01, 0x45, 0x00, 0xFF]) for _ in range(3))
        if isinstance(self.protocol, MlxStick | RegexLine):
            return b"\x00noise " + junk.hex().encode() + b"\r\n"
        return junk

    # -- PtyDevice hooks ------------------------------------------------------------------
    def on_host_open(self, now: float) -> None:
        """Remember when the host opened the port (for the unplug profile)."""
        self._opened_at = now
        self._next_frame = now

    def on_tick(self, now: float) -> bytes:
        """Stream frames, or pull the plug."""
        after = self.profile.unplug_after_s
        if after is not None and now - self._opened_at >= after:
            self.unplug()
            return b""
        if not self.streaming or now < self._next_frame:
            return b""
        self._next_frame = max(self._next_frame + self.interval_s, now - self.interval_s)
        out = self.frame(now)
        if self.profile.garbage:
            out = self._garbage() + out
        return out

    def on_input(self, data: bytes, now: float) -> bytes:
        """Answer the host's commands."""
        self._rx += data
        proto = self.protocol
        if isinstance(proto, GyMcu90614):
            return self._gy_commands(now)
        if isinstance(proto, ModbusRtu):
            return self._modbus_requests(proto, now)
        if isinstance(proto, MlxStick):
            return self._lines(now, lambda line: self._mlx_line(proto, line, now))
        if isinstance(proto, RegexLine) and proto.poll:
            return self._lines(now, lambda line: self.frame(now) if line else b"")
        self._rx.clear()
        return b""

    # -- protocol specifics ---------------------------------------------------------------
    def _gy_commands(self, now: float) -> bytes:
        out = b""
        while len(self._rx) >= 3:
            cmd = bytes(self._rx[:3])
            if cmd == gy.QUERY:
                self.streaming = False
                out += self.frame(now)
            elif cmd == gy.CONTINUOUS:
                self.streaming = True
            elif cmd[0] != 0xA5 or cmd[2] != (cmd[0] + cmd[1]) & 0xFF:
                del self._rx[0]
                continue
            self.requests.append(cmd)
            del self._rx[:3]
        return out

    def _modbus_requests(self, proto: ModbusRtu, now: float) -> bytes:
        out = b""
        while len(self._rx) >= 8:
            request = bytes(self._rx[:8])
            if not crc16_ok(request):
                del self._rx[0]  # a slave ignores frames with a bad CRC
                continue
            del self._rx[:8]
            self.requests.append(request)
            if request[0] not in (proto.slave, 255):
                continue  # another slave's request
            out += self._modbus_answer(request, now)
        return out

    def _registers(self, obj: float, amb: float) -> dict[int, int]:
        def word(c: float) -> int:
            return round(c * 10) & 0xFFFF

        return {0x08: 9500, 0x12: word(obj), 0x13: word(obj + 0.1), 0x14: word(amb), 0x15: 0}

    def _modbus_answer(self, request: bytes, now: float) -> bytes:
        slave, fc = request[0], request[1]
        if fc not in (modbus_rtu.READ_HOLDING_REGISTERS, modbus_rtu.READ_INPUT_REGISTERS):
            return modbus_rtu.exception_reply(slave, fc, 0x01)
        start = int.from_bytes(request[2:4], "big")
        count = int.from_bytes(request[4:6], "big")
        obj, amb = self.values(now)
        regs = self._registers(obj, amb)
        if not all(start + i in regs for i in range(count)):
            return modbus_rtu.exception_reply(slave, fc, 0x02)
        payload = b"".join(regs[start + i].to_bytes(2, "big") for i in range(count))
        reply = append_crc16(bytes([slave, fc, len(payload)]) + payload)
        self._frames_sent += 1
        every = self.profile.corrupt_every
        if every and self._frames_sent % every == 0:
            reply = self._corrupt(reply)
        return reply

    def _lines(self, now: float, answer: Callable[[str], bytes]) -> bytes:
        out = b""
        while True:
            ends = [i for i in (self._rx.find(b"\n"), self._rx.find(b"\r")) if i >= 0]
            cut = min(ends, default=-1)
            if cut < 0:
                return out
            line = bytes(self._rx[:cut]).decode("ascii", errors="replace").strip()
            del self._rx[: cut + 1]
            if line:
                self.requests.append(line.encode())
                out += answer(line)

    def _mlx_line(self, proto: MlxStick, line: str, now: float) -> bytes:
        if line.startswith("mv:"):
            address = line[3:].rstrip(";").upper()
            if address != proto.address:
                return f"mv:{address}:FAIL: no device at this address\r\n".encode()
            if line.endswith(";"):
                self.streaming = True
                return b""
            return self.frame(now)
        if line == "!":
            self.streaming = False
            return b""
        return f"{line}:FAIL: unknown command\r\n".encode()


def start_simulator(
    protocol: ThermometerProtocol, profile: str = "normal", clock: DeviceClock = SYSTEM_CLOCK
) -> ThermometerSimulator:
    """Create and start a simulator; the caller closes it."""
    sim = ThermometerSimulator(protocol, profile, clock=clock)
    sim.start()
    return sim
