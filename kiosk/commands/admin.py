"""`kiosk admin set-pin`: set the admin PIN that hard-rule overrides need."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add the ``admin`` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser("admin", help="admin PIN")
    actions = parser.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    set_pin = actions.add_parser("set-pin", help="set the admin PIN (asked twice)")
    set_pin.add_argument("--stdin", action="store_true", help="read the PIN from one line of stdin")
    set_pin.set_defaults(func=run_set_pin)


def run_set_pin(args: argparse.Namespace) -> int:
    """Ask for the PIN and store its hash in the configured file."""
    from kiosk.admin_pin import PinError, set_pin
    from kiosk.config import load_kiosk_config

    config = load_kiosk_config(args.config)
    path = config.secret_path(config.settings.admin.pin_file)
    if args.stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass("new admin PIN: ")
        if getpass.getpass("again: ") != pin:
            print("kiosk admin: the two PINs differ; nothing changed", file=sys.stderr)
            return 1
    try:
        set_pin(path, pin)
    except PinError as exc:
        print(f"kiosk admin: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"kiosk admin: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"admin PIN set ({path})")
    return 0
