"""`kiosk run`: the gate screen, full screen (``--windowed`` for a desk)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``run`` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "run", help="run the gate screen on the configured devices (full screen)"
    )
    parser.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    parser.add_argument(
        "--headless", action="store_true", help="no window at all (offscreen; for a smoke test)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the configuration and run the screen until it is closed."""
    from kiosk.config import load_kiosk_config
    from kiosk.ui.app import run_gate

    config = load_kiosk_config(args.config)
    return run_gate(config, windowed=args.windowed, headless=args.headless)
