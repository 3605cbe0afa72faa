"""`kiosk relay`: pulse the turnstile relay or switch it off explicitly."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from drivers.relay import MIN_PULSE_MS, PROTOCOLS, RelayError
from kiosk.config import load_kiosk_config
from kiosk.devices import open_turnstile_relay


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
        p.add_argument("--channel", type=int, help="relay channel (1-based)")
        p.add_argument("--baud", type=int, help="baud rate (0: the board's default, 9600)")
        p.add_argument("--slave", type=int, help="Modbus slave address (modbus-coil)")
    pulse.add_argument("--ms", type=int, help=f"pulse length in ms (at least {MIN_PULSE_MS})")
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
