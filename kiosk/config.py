"""The gate's own configuration, ``config/kiosk.toml``: identity, devices, paths, server."""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from drivers.camera.media import MAX_PIXELS_LIMIT
from kiosk.settings import ConfigError, load_dataclass, read_toml, setting

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "kiosk.toml"
SYSTEM_CONFIG = Path("/etc/campus-kiosk/kiosk.toml")
CONFIG_ENV = "KIOSK_CONFIG"


@dataclass(frozen=True)
class GateSettings:
    id: str = setting("north", "gate identifier, as named in visit approvals and the log")
    direction: Literal["in", "out"] = setting("in", "which way this kiosk lets people through")
    time_zone: str = setting("Asia/Shanghai", "IANA time zone of the campus (dates are local)")
    city_region_prefix: str = setting(
        "4101", "GB/T 2260 prefix of the local city (Zhengzhou: 4101); origins outside it need NAT"
    )
    locale: str = setting("zh_CN", "language of prompts and reasons shown to people")


@dataclass(frozen=True)
class PathSettings:
    data_dir: str = setting(
        "var", "directory for the database, keys and logs (relative: to the config file)"
    )
    database_url: str = setting("", "SQLAlchemy URL; empty means SQLite kiosk.db in data_dir")
    policy_file: str = setting("policy.toml", "policy file (relative: to this config file)")
    id_hmac_key_file: str = setting(
        "secrets/id-hmac.key",
        "campus key for ID-number HMACs, installed by `kiosk keys install-campus-key`"
        " (relative: to data_dir)",
    )


@dataclass(frozen=True)
class ServerSettings:
    url: str = setting("", "central server base URL; empty runs offline")
    token_file: str = setting("secrets/gate-token", "per-gate API token (relative: to data_dir)")
    sync_interval_s: float = setting(30.0, "seconds between sync rounds")
    timeout_s: float = setting(10.0, "HTTP read timeout per request (seconds)")
    connect_timeout_s: float = setting(3.0, "seconds to wait for a TCP/TLS connection")
    ca_file: str = setting(
        "", "PEM file of the CA that signed the server's certificate (relative: to data_dir);"
        " empty: the system's trust store. TLS is always verified"
    )
    retries: int = setting(4, "retries of one request on network errors, 5xx, 408 and 429")
    backoff_s: float = setting(0.5, "first retry delay; later ones double, with jitter")
    backoff_max_s: float = setting(30.0, "longest delay between retries (also caps Retry-After)")
    batch_size: int = setting(500, "decision records uploaded per request")
    online_timeout_s: float = setting(
        1.5, "how long an online health-code check may take before the guard confirms instead"
    )
    max_clock_skew_s: float = setting(
        120.0, "largest difference from the server's clock before the clock is untrusted (R15)"
    )


@dataclass(frozen=True)
class CameraSettings:
    source: str = setting(
        "sim:", "device index, video file, stream URL, or sim: for the synthetic scene"
    )
    width: int = setting(640, "capture width in pixels")
    height: int = setting(480, "capture height in pixels")
    decode_budget_ms: float = setting(40.0, "time budget of the decoder cascade per frame")
    holdoff_s: float = setting(3.0, "seconds before the same code may trigger again")
    repeats: int = setting(2, "frames a code must repeat in unless it verifies as signed")
    reconnect_max_s: float = setting(
        8.0, "longest wait between reconnection attempts (at least 0.5 s; delays double to it)"
    )
    reconnect_attempts: int = setting(0, "attempts before the camera counts as failed; 0: forever")
    loop: bool = setting(False, "replay a video file source from the start when it ends")
    max_pixels: int = setting(
        40_000_000, "largest image or video frame decoded, in pixels (larger files are refused)"
    )


@dataclass(frozen=True)
class ThermometerSettings:
    port: str = setting("sim:normal", "serial port path, or sim:PROFILE for a simulated device")
    protocol: str = setting("gy-mcu90614", "gy-mcu90614 | idc50 | modbus-rtu | mlx-stick | regex")
    baud: int = setting(0, "baud rate; 0 means the protocol's default")
    mode: Literal["surface", "body"] = setting(
        "surface", "surface: device reports skin temperature and offset_c is added; body: as is"
    )
    offset_c: float = setting(0.9, "calibrated surface-to-body offset in degrees C (surface mode)")
    window_s: float = setting(1.5, "seconds to collect frames for one measurement")
    min_frames: int = setting(3, "valid frames needed for a measurement (median is used)")
    ambient_min_c: float = setting(10.0, "lowest ambient temperature at which readings are trusted")
    ambient_max_c: float = setting(
        40.0, "highest ambient temperature at which readings are trusted"
    )
    stale_s: float = setting(2.0, "seconds without a valid frame before the thermometer is stale")
    frozen_s: float = setting(10.0, "seconds of identical readings that mean a fault (0: off)")
    options: dict[str, str] = setting(
        dict, "protocol options (e.g. modbus slave/register/scale, regex pattern)", factory=True
    )


@dataclass(frozen=True)
class RelaySettings:
    port: str = setting("sim:", "serial port path of the relay board, or sim:")
    protocol: str = setting("lcus", "lcus | modbus-coil")
    channel: int = setting(1, "relay channel (1-based) wired to the turnstile's unlock input")
    baud: int = setting(0, "baud rate; 0 means the board's default (9600)")
    pulse_ms: int = setting(300, "how long the contact is closed (at least 100 ms)")
    slave: int = setting(1, "Modbus slave address (modbus-coil)")


@dataclass(frozen=True)
class IdCardSettings:
    enabled: bool = setting(False, "read resident ID cards at the gate (a reader is fitted)")
    port: str = setting("sim:normal", "serial port path of the reader, or sim:PROFILE")
    protocol: str = setting("sam", "sam | sam-reset | sam-fp (variants of the SAM host protocol)")
    baud: int = setting(0, "baud rate; 0 means the protocol's default (115200)")
    poll_hz: float = setting(4.0, "find-card polls per second (at most 10)")


@dataclass(frozen=True)
class AdminSettings:
    pin_file: str = setting(
        "secrets/admin-pin", "salted hash of the admin PIN (relative: to data_dir)"
    )
    max_attempts: int = setting(5, "wrong PINs before the admin screen locks")
    lockout_s: int = setting(300, "seconds the admin screen stays locked")


@dataclass(frozen=True)
class SoundSettings:
    muted: bool = setting(False, "play no sound at all")
    volume: float = setting(0.8, "loudness of tones and spoken prompts, 0.0 (silent) to 1.0")
    spoken: bool = setting(True, "speak the prompt after the tone (in the screen's language)")


@dataclass(frozen=True)
class KioskSettings:
    gate: GateSettings = field(default_factory=GateSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    camera: CameraSettings = field(default_factory=CameraSettings)
    thermometer: ThermometerSettings = field(default_factory=ThermometerSettings)
    relay: RelaySettings = field(default_factory=RelaySettings)
    idcard: IdCardSettings = field(default_factory=IdCardSettings)
    admin: AdminSettings = field(default_factory=AdminSettings)
    sound: SoundSettings = field(default_factory=SoundSettings)


@dataclass(frozen=True)
class KioskConfig:
    """Loaded gate configuration with its paths resolved."""

    file: Path
    settings: KioskSettings

    @property
    def data_dir(self) -> Path:
        return (self.file.parent / self.settings.paths.data_dir).resolve()

    @property
    def policy_file(self) -> Path:
        return (self.file.parent / self.settings.paths.policy_file).resolve()

    @property
    def database_url(self) -> str:
        return self.settings.paths.database_url or f"sqlite:///{self.data_dir / 'kiosk.db'}"

    def secret_path(self, relative: str) -> Path:
        return (self.data_dir / relative).resolve()


# The range each number may take: beyond these a value is a typing error, and some would
# overflow a timer (a window of 1e308 s) or hold the turnstile open for hours.
BOUNDS: dict[str, tuple[float, float]] = {
    "server.sync_interval_s": (1, 86_400),
    "server.timeout_s": (0.1, 600),
    "server.connect_timeout_s": (0.1, 120),
    "server.retries": (0, 20),
    "server.backoff_s": (0, 60),
    "server.backoff_max_s": (0, 3_600),
    "server.batch_size": (1, 10_000),
    "server.online_timeout_s": (0.1, 30),
    "server.max_clock_skew_s": (1, 86_400),
    "camera.width": (16, 10_000),
    "camera.height": (16, 10_000),
    "camera.decode_budget_ms": (1, 10_000),
    "camera.holdoff_s": (0, 3_600),
    "camera.repeats": (1, 100),
    "camera.reconnect_max_s": (0.5, 3_600),
    "camera.reconnect_attempts": (0, 1_000_000),
    "camera.max_pixels": (1, MAX_PIXELS_LIMIT),
    "thermometer.baud": (0, 4_000_000),
    "thermometer.offset_c": (-10, 10),
    "thermometer.window_s": (0.1, 60),
    "thermometer.min_frames": (3, 1_000),
    "thermometer.ambient_min_c": (-50, 80),
    "thermometer.ambient_max_c": (-50, 80),
    "thermometer.stale_s": (0.1, 3_600),
    "thermometer.frozen_s": (0, 86_400),
    "relay.channel": (1, 255),
    "relay.pulse_ms": (100, 10_000),
    "relay.slave": (0, 247),
    "relay.baud": (0, 4_000_000),
    "idcard.baud": (0, 4_000_000),
    "idcard.poll_hz": (0.1, 10),
    "admin.max_attempts": (1, 1_000),
    "admin.lockout_s": (0, 30 * 86_400),
    "sound.volume": (0, 1),
}


def _check_bounds(settings: KioskSettings, file: Path) -> None:
    for key, (low, high) in BOUNDS.items():
        section, name = key.split(".")
        value = getattr(getattr(settings, section), name)
        if not low <= value <= high:  # also false for NaN
            raise ConfigError(file, key, f"expected {low:g} to {high:g}, got {value!r}")


def config_location(
    path: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    system: Path = SYSTEM_CONFIG,
) -> Path:
    """Which ``kiosk.toml`` to read: ``path`` (``--config``), else ``$KIOSK_CONFIG``, else the
    system file ``/etc/campus-kiosk/kiosk.toml`` when it exists, else the repository's."""
    if path is not None:
        return path
    env = (os.environ if environ is None else environ).get(CONFIG_ENV, "")
    if env:
        return Path(env)
    if system.exists():
        return system
    return DEFAULT_CONFIG


def load_kiosk_config(path: Path | None = None) -> KioskConfig:
    """Load ``kiosk.toml`` from :func:`config_location` (``path`` first)."""
    file = config_location(path).resolve()
    settings = load_dataclass(KioskSettings, read_toml(file), file)
    try:
        zoneinfo.ZoneInfo(settings.gate.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            file, "gate.time_zone", "expected an IANA time zone such as Asia/Shanghai"
        ) from None
    if settings.relay.pulse_ms < 100:
        raise ConfigError(
            file, "relay.pulse_ms", "expected at least 100 (turnstiles need ≥ 100 ms)"
        )
    _check_bounds(settings, file)
    if settings.paths.database_url:
        from sqlalchemy import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(settings.paths.database_url)
        except ArgumentError:
            raise ConfigError(
                file, "paths.database_url", "expected a SQLAlchemy URL such as sqlite:///kiosk.db"
            ) from None
    return KioskConfig(file=file, settings=settings)
