"""Simulated relay boards over a pty; they record every commanded coil change.

Profiles: ``normal``; ``silent`` (a Modbus board that never answers); ``bad-echo`` (a Modbus
board whose write replies do not echo the request); ``stuck-on`` (a Modbus board whose coil
stays on once switched on, so the read-back after "off" disagrees); ``unplug-after-on`` (the
cable is pulled right after the first "on" command, so the "off" fails). :meth:`unplug` and
:meth:`replug` drop the board and bring it back at any time.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from drivers.device import SYSTEM_CLOCK, DeviceClock
from drivers.pty_device import PtyDevice
from drivers.relay import protocols
from drivers.serial_link import modbus_rtu
from drivers.serial_link.checksums import append_crc16, crc16_ok, sum8

log = logging.getLogger(__name__)

PROFILES = ("normal", "silent", "bad-echo", "stuck-on", "unplug-after-on")


@dataclass(frozen=True)
class CoilChange:
    """One commanded change, stamped with the simulator's clock on arrival."""

    t: float
    channel: int
    on: bool


class RelaySimulator(PtyDevice):
    """An LCUS or Modbus coil board with ``channels`` relays."""

    def __init__(
        self, protocol: str = protocols.LCUS, profile: str = "normal", slave: int = 1,
        channels: int = 8, clock: DeviceClock = SYSTEM_CLOCK,
    ) -> None:
        if protocol not in protocols.PROTOCOLS:
            raise ValueError(f"unknown relay protocol {protocol!r}")
        if profile not in PROFILES:
            raise ValueError(f"unknown relay simulator profile {profile!r} (known: {PROFILES})")
        super().__init__(f"relay-{protocol}", clock)
        self.protocol = protocol
        self.profile = profile
        self.slave = slave
        self.channels = channels
        self.coils = [False] * channels
        self.timeline: list[CoilChange] = []
        """Every commanded change (channels 1-based), in order of arrival."""
        self.changed = threading.Condition()
        self._rx = bytearray()

    def pulses(self, channel: int = 1) -> list[float]:
        """Durations in seconds of each on→off sequence of ``channel``."""
        durations: list[float] = []
        on_at: float | None = None
        for change in self.timeline:
            if change.channel != channel:
                continue
            if change.on and on_at is None:
                on_at = change.t
            elif not change.on and on_at is not None:
                durations.append(change.t - on_at)
                on_at = None
        return durations

    def wait_for_changes(self, count: int, timeout_s: float) -> bool:
        """Wait until ``count`` changes were recorded."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.timeline) >= count, timeout_s)

    def on_input(self, data: bytes, now: float) -> bytes:
        """Apply commands; Modbus boards reply."""
        self._rx += data
        if self.protocol == protocols.LCUS:
            self._lcus_commands()
            return b""
        return self._modbus_requests()

    def _record(self, channel: int, on: bool) -> None:
        with self.changed:
            self.coils[channel - 1] = on
            self.timeline.append(CoilChange(self.clock.monotonic(), channel, on))
            self.changed.notify_all()
        if on and self.profile == "unplug-after-on":
            self.unplug()

    def _lcus_commands(self) -> None:
        while len(self._rx) >= 4:
            cmd = bytes(self._rx[:4])
            ok = cmd[0] == 0xA0 and cmd[2] in (0, 1) and sum8(cmd[:3]) == cmd[3]
            if not ok or not 1 <= cmd[1] <= self.channels:
                del self._rx[0]  # resync
                continue
            del self._rx[:4]
            self._record(cmd[1], cmd[2] == 1)

    def _modbus_requests(self) -> bytes:
        out = b""
        while len(self._rx) >= 8:
            request = bytes(self._rx[:8])
            if not crc16_ok(request):
                del self._rx[0]
                continue
            del self._rx[:8]
            if request[0] != self.slave:
                continue
            reply = self._modbus_answer(request)
            if self.profile != "silent":
                out += reply
        return out

    def _modbus_answer(self, request: bytes) -> bytes:
        fc = request[1]
        address = int.from_bytes(request[2:4], "big")
        value = int.from_bytes(request[4:6], "big")
        if fc == modbus_rtu.WRITE_SINGLE_COIL:
            if address >= self.channels:
                return modbus_rtu.exception_reply(self.slave, fc, 0x02)
            if value not in (0xFF00, 0x0000):
                return modbus_rtu.exception_reply(self.slave, fc, 0x03)
            stuck = self.profile == "stuck-on" and self.coils[address]
            if not stuck:
                self._record(address + 1, value == 0xFF00)
            if self.profile == "bad-echo":
                return append_crc16(request[:4] + b"\x00\x01")
            return request
        if fc == modbus_rtu.READ_COILS:
            if address + value > self.channels or value == 0:
                return modbus_rtu.exception_reply(self.slave, fc, 0x02)
            return protocols.read_coils_reply(self.slave, self.coils[address : address + value])
        return modbus_rtu.exception_reply(self.slave, fc, 0x01)
