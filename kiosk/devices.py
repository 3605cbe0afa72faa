"""The one place that builds the gate's devices from ``kiosk.toml``.

Camera (source → capture → decoder cascade → acceptor → scan worker), thermometer (a real port
or a ``sim:PROFILE`` simulator on a pty) and turnstile relay, each from its section of the
configuration. The demo, the ``kiosk thermometer`` / ``kiosk relay`` / ``kiosk scan`` commands
and the screen build their devices here, so a key set in ``kiosk.toml`` means the same
everywhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from drivers.camera import (
    Capture,
    CaptureListener,
    CaptureOptions,
    CodeAcceptor,
    DecoderCascade,
    ScanListener,
    ScanWorker,
    Verifier,
)
from drivers.device import SYSTEM_CLOCK, DeviceClock, DeviceListener
from drivers.relay import RelayDevice, open_relay
from drivers.thermometer import (
    HealthLimits,
    ThermometerDevice,
    ThermometerListener,
    open_thermometer,
)
from kiosk.config import CameraSettings, KioskConfig, RelaySettings, ThermometerSettings
from kiosk.core.policy_config import Policy, TemperatureRules

log = logging.getLogger(__name__)


def capture_options(camera: CameraSettings) -> CaptureOptions:
    """How ``[camera]`` asks the capture to open and keep its source."""
    return CaptureOptions(
        width=camera.width,
        height=camera.height,
        loop=camera.loop,
        backoff_max_s=camera.reconnect_max_s,
        max_attempts=camera.reconnect_attempts,
    )


def open_camera(
    camera: CameraSettings,
    *,
    listener: CaptureListener | None = None,
    clock: DeviceClock = SYSTEM_CLOCK,
) -> Capture:
    """The capture of ``camera.source`` (not started)."""
    return Capture(camera.source, capture_options(camera), listener, clock=clock)


def decoder_cascade(camera: CameraSettings) -> DecoderCascade:
    """The production decoder cascade with ``camera.decode_budget_ms``."""
    return DecoderCascade(budget_ms=camera.decode_budget_ms)


def scan_worker(
    camera: CameraSettings,
    capture: Capture,
    listener: ScanListener,
    verifier: Verifier | None = None,
) -> ScanWorker:
    """The scan loop over ``capture`` (not started): cascade, then the acceptor's repeats and
    hold-off; ``verifier`` lets a signed code through on its first frame."""
    acceptor = CodeAcceptor(repeats=camera.repeats, holdoff_s=camera.holdoff_s, verifier=verifier)
    return ScanWorker(capture, decoder_cascade(camera), acceptor, listener)


def thermometer_limits(thermometer: ThermometerSettings) -> HealthLimits:
    """The thermometer's fault limits from ``[thermometer]``."""
    t = thermometer
    return HealthLimits(
        stale_s=t.stale_s,
        frozen_s=t.frozen_s,
        ambient_min_c=t.ambient_min_c,
        ambient_max_c=t.ambient_max_c,
    )


def start_thermometer(
    thermometer: ThermometerSettings,
    temperature: TemperatureRules,
    *,
    listener: ThermometerListener | None = None,
    clock: DeviceClock = SYSTEM_CLOCK,
) -> ThermometerDevice:
    """The thermometer of ``[thermometer]``, started (``sim:PROFILE`` starts a simulator); it
    flags readings outside the policy's plausible range (``temperature``) as invalid.

    Raises :class:`~drivers.thermometer.ProtocolOptionError` for a bad protocol, option or
    simulator profile.
    """
    t = thermometer
    return open_thermometer(
        t.port,
        t.protocol,
        t.baud,
        t.options,
        plausible_c=temperature.plausible_c,
        mode=t.mode,
        offset_c=t.offset_c,
        limits=thermometer_limits(t),
        listener=listener,
        clock=clock,
    )


def open_turnstile_relay(
    relay: RelaySettings,
    *,
    reconnect: bool,
    listener: DeviceListener | None = None,
    clock: DeviceClock = SYSTEM_CLOCK,
) -> RelayDevice:
    """The relay of ``[relay]``.

    With ``reconnect`` (the gate) it initialises and keeps re-initialising itself with
    back-off and never raises for a missing board; without (a one-off command) it is
    initialised now and raises :class:`~drivers.relay.RelayError` when that fails.
    """
    r = relay
    return open_relay(
        r.port,
        r.protocol,
        r.channel,
        baud=r.baud,
        slave=r.slave,
        listener=listener,
        reconnect=reconnect,
        clock=clock,
    )


@dataclass
class GateDevices:
    """The devices of one gate; :meth:`close` stops them all."""

    capture: Capture
    thermometer: ThermometerDevice
    relay: RelayDevice

    def close(self) -> None:
        """Stop the camera and thermometer, leave the relay off and close it."""
        for name, stop in (
            ("camera", self.capture.stop),
            ("thermometer", self.thermometer.stop),
            ("relay", self.relay.close),
        ):
            try:
                stop()
            except Exception:  # noqa: BLE001 - close the others whatever one does
                log.exception("closing the %s failed", name)


def open_gate_devices(
    config: KioskConfig,
    policy: Policy,
    *,
    camera_listener: CaptureListener | None = None,
    thermometer_listener: ThermometerListener | None = None,
    relay_listener: DeviceListener | None = None,
    clock: DeviceClock = SYSTEM_CLOCK,
) -> GateDevices:
    """Camera capture (not started), thermometer (started) and reconnecting relay of
    ``config``; a device that is missing reports its state instead of failing the start."""
    s = config.settings
    capture = open_camera(s.camera, listener=camera_listener, clock=clock)
    thermometer = start_thermometer(
        s.thermometer, policy.temperature, listener=thermometer_listener, clock=clock
    )
    try:
        relay = open_turnstile_relay(s.relay, reconnect=True, listener=relay_listener, clock=clock)
    except BaseException:
        thermometer.stop()
        raise
    return GateDevices(capture, thermometer, relay)
