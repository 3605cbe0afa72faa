"""`kiosk log`: not written yet."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `log` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser("log", help="(not written yet)")
    parser.set_defaults(func=lambda args: 1)
