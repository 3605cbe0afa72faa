"""`kiosk demo`: a demo gate morning on simulated devices and the embedded SQLite store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kiosk.commands.arguments import bounded_int
from kiosk.errors import UserError


def register(sub: Any) -> None:
    """Add the ``demo`` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "demo", help="play a demo gate morning through the real decision path"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="where the demo database goes (default: DATA_DIR/demo)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the previous demo database")
    parser.add_argument(
        "--filler",
        type=bounded_int(0, 200_000),
        default=2000,
        help="ordinary people added to the demo registry",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the configuration and play the demo."""
    from kiosk.config import load_kiosk_config
    from kiosk.demo.day import run_demo

    config = load_kiosk_config(args.config)
    data_dir = (args.data_dir or config.data_dir / "demo").resolve()
    if data_dir.exists() and not data_dir.is_dir():
        raise UserError(f"kiosk demo: {data_dir} is not a directory")
    return run_demo(config, data_dir, sys.stdout, keep=args.keep, filler=args.filler)
