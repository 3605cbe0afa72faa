"""`kiosk relay`: pulse the turnstile relay or switch it off explicitly."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from drivers.relay import MIN_PULSE_MS, PROTOCOLS, RelayError
from kiosk.commands.arguments import bounded_int
from kiosk.config import load_kiosk_config
from kiosk.devices import open_turnstile_relay

MAX_PULSE_MS = 10_000  # a turnstile unlock is a pulse, not an open door


def register(sub: Any) -> None:
    """Add the `relay` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "relay",
        help="pulse the turnstile relay",
        description="Drive the turnstile relay; defaults come from [relay] in kiosk.toml.",
    )
    actions = parser.add_subparsers(dest="relay_action", required=True, metavar="ACTION")
    pulse = actions.add_parser("pulse", help="close the contact for --ms milliseconds")
    off = actions.add_parser("off", help="switch the channel off (clears a fault)")
    for p in (pulse, off):
        p.add_argument("--port", help="serial port, or sim: / sim:PROFILE")
        p.add_argument("--protocol", choices=PROTOCOLS, help="relay board protocol")
        p.add_argument("--channel", type=bounded_int(1, 32), help="relay channel (1-based)")
        p.add_argument("--baud", type=bounded_int(0, 4_000_000), help="baud rate (0: 9600)")
        p.add_argument(
            "--slave", type=bounded_int(0, 247), help="Modbus slave address (modbus-coil)"
        )
    pulse.add_argument(
        "--ms",
        type=bounded_int(1, MAX_PULSE_MS),
        help=f"pulse length in ms ({MIN_PULSE_MS}–{MAX_PULSE_MS})",
    )
    pulse.set_defaults(func=run)
    off.set_defaults(func=run, ms=None)


def run(args: argparse.Namespace) -> int:
    """Initialise the relay (explicit off), then pulse it if asked; 1 on a relay fault."""
    settings = load_kiosk_config(args.config).settings.relay
    ms = settings.pulse_ms if args.ms is None else args.ms
    if args.relay_action == "pulse" and ms < MIN_PULSE_MS:
        print(f"kiosk relay: --ms must be at least {MIN_PULSE_MS}", file=sys.stderr)
        return 2
    settings = dataclasses.replace(
        settings,
        port=args.port or settings.port,
        protocol=args.protocol or settings.protocol,
        channel=args.channel or settings.channel,
        baud=settings.baud if args.baud is None else args.baud,
        slave=args.slave or settings.slave,
    )
    port = settings.port
    try:
        relay = open_turnstile_relay(settings, reconnect=False)
    except (RelayError, ValueError) as exc:
        print(f"kiosk relay: {exc}", file=sys.stderr)
        return 1
    try:
        if args.relay_action == "pulse":
            relay.pulse(ms)
            print(f"relay channel {relay.channel}: pulsed {ms} ms on {port}")
        else:
            print(f"relay channel {relay.channel}: off on {port}")
    except RelayError as exc:
        print(f"kiosk relay: {exc}", file=sys.stderr)
        return 1
    finally:
        relay.close()
    return 0
