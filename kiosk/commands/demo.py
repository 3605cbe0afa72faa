"""`kiosk demo`: a demo gate morning on simulated devices and the embedded SQLite store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kiosk.commands.arguments import bounded_float, bounded_int
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
    parser.add_argument(
        "--headless",
        action="store_true",
        help="play offscreen as fast as the devices allow (the default with no display)",
    )
    parser.add_argument(
        "--speed",
        type=bounded_float(0.1, 100.0),
        default=1.0,
        help="pace in a window: 2 is twice as fast (default 1: each visit stays ~3 s)",
    )
    parser.add_argument(
        "--out", type=Path, help="write the day's report and a screenshot of every screen here"
    )
    parser.add_argument(
        "--console", action="store_true", help="print the day only, without the gate screen"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the configuration and play the demo."""
    from kiosk.config import load_kiosk_config

    config = load_kiosk_config(args.config)
    data_dir = (args.data_dir or config.data_dir / "demo").resolve()
    if data_dir.exists() and not data_dir.is_dir():
        raise UserError(f"kiosk demo: {data_dir} is not a directory")
    out_dir = args.out.resolve() if args.out else None
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"kiosk demo: --out {out_dir} is not a directory")
    if args.console:
        from kiosk.demo.day import run_demo

        return run_demo(config, data_dir, sys.stdout, keep=args.keep, filler=args.filler)
    from kiosk.ui.demo_app import run_qt_demo

    return run_qt_demo(
        config,
        data_dir,
        keep=args.keep,
        filler=args.filler,
        headless=args.headless,
        speed=args.speed,
        out_dir=out_dir,
    )
