"""`kiosk idcard`: read resident ID cards and print their masked fields."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import queue
import sys
from typing import Any
from zoneinfo import ZoneInfo

from drivers.idcard import (
    PROTOCOLS,
    DeviceState,
    IdCard,
    IdCardListener,
    IdCardProtocolError,
)
from kiosk.config import load_kiosk_config
from kiosk.core.identity import CardIdentity
from kiosk.devices import start_idcard_reader
from kiosk.idcard import card_identity


def register(sub: Any) -> None:
    """Add the `idcard` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "idcard",
        help="read resident ID cards and print their masked fields",
        description="Read cards put on the reader; defaults come from [idcard] in kiosk.toml. "
        "Only masked fields are printed: the raw ID number and name never leave the driver.",
    )
    parser.add_argument("--port", help="serial port, or sim:PROFILE (e.g. sim:expired)")
    parser.add_argument("--protocol", choices=sorted(PROTOCOLS), help="host protocol variant")
    parser.add_argument("--baud", type=int, help="baud rate (0: the protocol's default)")
    parser.add_argument("--count", type=int, default=1, help="cards to read (default 1)")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for the cards (default 60)"
    )
    parser.add_argument(
        "--ready-timeout", type=float, default=10.0, help="seconds to wait for the reader"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per card")
    parser.set_defaults(func=run)


class _Cards(IdCardListener):
    """Hands cards and refusals from the reader's thread to the command."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.events: queue.Queue[CardIdentity | str] = queue.Queue()

    def on_card(self, card: IdCard) -> None:
        self.events.put(card_identity(card, key=None))

    def on_card_error(self, message: str) -> None:
        self.events.put(message)


def run(args: argparse.Namespace) -> int:
    """Print ``--count`` cards; 1 when the reader is not ready, times out or refuses a card."""
    config = load_kiosk_config(args.config)
    settings = config.settings.idcard
    port = args.port or settings.port
    if args.count < 1:
        print("kiosk idcard: --count must be at least 1", file=sys.stderr)
        return 2
    if not (args.timeout > 0 and args.ready_timeout > 0):
        print("kiosk idcard: --timeout and --ready-timeout must be more than 0", file=sys.stderr)
        return 2
    if args.baud is not None and args.baud < 0:
        print("kiosk idcard: --baud must be 0 (the default) or a baud rate", file=sys.stderr)
        return 2
    today = dt.datetime.now(ZoneInfo(config.settings.gate.time_zone)).date()
    cards = _Cards(today)
    chosen = dataclasses.replace(
        settings,
        port=port,
        protocol=args.protocol or settings.protocol,
        baud=settings.baud if args.baud is None else args.baud,
    )
    try:
        reader = start_idcard_reader(chosen, listener=cards)
    except IdCardProtocolError as exc:
        print(f"kiosk idcard: {exc}", file=sys.stderr)
        return 2
    refused = False
    try:
        if not reader.wait_for_state(DeviceState.READY, timeout_s=args.ready_timeout):
            print(
                f"kiosk idcard: reader not ready on {port} ({reader.state.value}: "
                f"{reader.detail})",
                file=sys.stderr,
            )
            return 1
        if not args.json:
            print(f"reader ready on {port}; put a card on it", file=sys.stderr, flush=True)
        for _ in range(args.count):
            try:
                event = cards.events.get(timeout=args.timeout)
            except queue.Empty:
                print(f"kiosk idcard: no card within {args.timeout:g} s", file=sys.stderr)
                return 1
            if isinstance(event, str):
                refused = True
                print(_refusal_json(event) if args.json else f"REFUSED: {event}", flush=True)
                print(f"kiosk idcard: card refused: {event}", file=sys.stderr)
            else:
                line = _as_json(event, today) if args.json else _as_text(event, today)
                print(line, flush=True)
    finally:
        reader.stop()
    return 1 if refused else 0


def _as_json(card: CardIdentity, today: dt.date) -> str:
    return json.dumps(
        {
            "kind": card.kind,
            "name": card.name_masked,
            "id_number": card.id_masked,
            "valid_to": card.valid_to.isoformat() if card.valid_to else "long-term",
            "expired": card.expired_on(today),
            "error": None,
        },
        ensure_ascii=False,
    )


def _refusal_json(message: str) -> str:
    return json.dumps({"kind": None, "error": message}, ensure_ascii=False)


def _as_text(card: CardIdentity, today: dt.date) -> str:
    kind = "resident ID card" if card.kind == "resident" else "HK/Macao/Taiwan residence permit"
    until = card.valid_to.isoformat() if card.valid_to else "long-term (长期)"
    text = f"{kind}: {card.name_masked} {card.id_masked}, valid until {until}"
    return f"{text} — EXPIRED" if card.expired_on(today) else text
