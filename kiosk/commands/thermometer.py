"""`kiosk thermometer`: take measurements from the configured (or a given) thermometer."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from drivers.thermometer import (
    PROTOCOLS,
    DeviceState,
    Measurement,
    MeasureResult,
    ProtocolOptionError,
)
from kiosk.commands.arguments import bounded_float, bounded_int
from kiosk.config import load_kiosk_config
from kiosk.core.policy_config import load_policy
from kiosk.devices import start_thermometer


def register(sub: Any) -> None:
    """Add the `thermometer` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "thermometer",
        help="take temperature measurements",
        description="Take measurements; defaults come from [thermometer] in kiosk.toml.",
    )
    parser.add_argument("--port", help="serial port, or sim:PROFILE (e.g. sim:fever)")
    parser.add_argument("--protocol", choices=sorted(PROTOCOLS), help="wire protocol")
    parser.add_argument(
        "--baud", type=bounded_int(0, 4_000_000), help="baud rate (0: the protocol's default)"
    )
    parser.add_argument(
        "--mode", choices=("surface", "body"), help="how body temperature is derived"
    )
    parser.add_argument(
        "--offset", type=bounded_float(-10, 10), help="surface-to-body offset in °C (surface mode)"
    )
    parser.add_argument(
        "--count",
        type=bounded_int(1, 100_000),
        default=1,
        help="number of measurements (default 1)",
    )
    parser.add_argument(
        "--window", type=bounded_float(0, 60, low_open=True), help="seconds per measurement"
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="protocol option (repeatable), e.g. slave=2 or query=true",
    )
    parser.add_argument(
        "--ready-timeout",
        type=bounded_float(0, 3600, low_open=True),
        default=10.0,
        help="seconds to wait for the device",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per measurement")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open the thermometer, print ``--count`` measurements; 1 on any device error."""
    config = load_kiosk_config(args.config)
    temperature = load_policy(config.policy_file).temperature
    settings = config.settings.thermometer
    protocol = args.protocol or settings.protocol
    options = dict(settings.options) if protocol == settings.protocol else {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print(f"kiosk thermometer: --option expects KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        options[key.strip()] = value.strip()
    settings = dataclasses.replace(
        settings,
        port=args.port or settings.port,
        protocol=protocol,
        baud=settings.baud if args.baud is None else args.baud,
        options=options,
        mode=args.mode or settings.mode,
        offset_c=settings.offset_c if args.offset is None else args.offset,
    )
    try:
        device = start_thermometer(settings, temperature)
    except ProtocolOptionError as exc:
        print(f"kiosk thermometer: {exc}", file=sys.stderr)
        return 2
    failed = False
    try:
        ready = (DeviceState.READY, DeviceState.FAULT)
        if not device.wait_for_state(*ready, timeout_s=args.ready_timeout):
            print(
                f"kiosk thermometer: device not ready on {settings.port} "
                f"({device.state.value}: {device.detail})",
                file=sys.stderr,
            )
            return 1
        window = args.window or settings.window_s
        for _ in range(max(args.count, 1)):
            result = device.measure(window, settings.min_frames)
            failed |= not isinstance(result, Measurement)
            print(_as_json(result) if args.json else _as_text(result), flush=True)
            if not isinstance(result, Measurement):
                print(f"kiosk thermometer: {result.reason}", file=sys.stderr)
    finally:
        device.stop()
    return 1 if failed else 0


def _as_json(result: MeasureResult) -> str:
    if isinstance(result, Measurement):
        return json.dumps(
            {
                "body_c": result.body_c,
                "object_c": result.object_c,
                "ambient_c": result.ambient_c,
                "frames": result.frames,
                "valid": result.valid,
                "mode": result.mode,
                "offset_c": result.offset_c,
                "reason": result.reason or None,
                "error": None,
            },
            ensure_ascii=False,
        )
    return json.dumps(
        {
            "body_c": None,
            "object_c": None,
            "ambient_c": None,
            "frames": result.frames,
            "valid": False,
            "error": result.reason,
            "state": result.state.value,
        },
        ensure_ascii=False,
    )


def _as_text(result: MeasureResult) -> str:
    if not isinstance(result, Measurement):
        return f"ERROR: {result.reason}"
    how = (
        f"surface {result.object_c:.2f} °C + offset {result.offset_c:g}"
        if result.mode == "surface"
        else "reported by the device"
    )
    ambient = "n/a" if result.ambient_c is None else f"{result.ambient_c:.2f} °C"
    text = f"body {result.body_c:.2f} °C ({how}), ambient {ambient}, {result.frames} frames"
    return text if result.valid else f"{text} — INVALID: {result.reason}"
