"""``central staff add``: accounts for the web pages (host-unit staff, the office, admins)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from central import admin
from central.context import CentralError, open_central
from central.web import staff

PASSWORD_ENV = "CENTRAL_STAFF_PASSWORD"


def _password() -> str:
    """From ``$CENTRAL_STAFF_PASSWORD``, else asked twice on the terminal, else one stdin line."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise CentralError("password: the two entries differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def _add(args: argparse.Namespace) -> None:
    central = open_central(args.data_dir, args.db, args.tz)
    admin.ensure_issuer(central)
    staff.add_staff(central, args.username, _password(), args.role, args.unit, args.by)
    print(f"staff {args.username} ({args.role}) added")


def add_staff_commands(sub: Any) -> None:
    """``central staff add USERNAME --role host|office|admin [--unit UNIT]``."""
    top = sub.add_parser("staff", help="staff accounts of the web pages").add_subparsers(
        dest="staff_command", required=True
    )
    add = top.add_parser("add", help=f"add a staff account (password: ${PASSWORD_ENV} or stdin)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=staff.ROLES)
    add.add_argument("--unit", default="", help="the host unit (host-unit staff)")
    add.set_defaults(run=_add)
