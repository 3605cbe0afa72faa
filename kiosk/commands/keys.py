"""`kiosk keys`: install the campus key for ID-number HMACs (provisioned, never invented)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the `keys` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "keys", help="install the campus key for ID-number HMACs, show its fingerprint"
    )
    actions = parser.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    install = actions.add_parser(
        "install-campus-key",
        help="install the campus key from FILE (32 raw bytes or 64 hex digits), owner-only",
    )
    install.add_argument("file", type=Path, metavar="FILE")
    install.add_argument(
        "--replace",
        action="store_true",
        help="replace a different installed key (stored ID HMACs stop matching; re-import)",
    )
    install.set_defaults(func=run_install)
    show = actions.add_parser("show", help="where the campus key is and its fingerprint")
    show.set_defaults(func=run_show)


def run_install(args: argparse.Namespace) -> int:
    """Copy the key into the data directory (mode 0600) and print its fingerprint."""
    from kiosk.config import load_kiosk_config
    from kiosk.store.secrets import (
        SecretFileError,
        fingerprint,
        install_campus_key,
        parse_key_file,
    )
    from kiosk.store.store import campus_key_path

    config = load_kiosk_config(args.config)
    path = campus_key_path(config)
    try:
        if not args.file.is_file():
            raise SecretFileError(f"{args.file}: not a file")
        key = parse_key_file(args.file.read_bytes(), str(args.file))
        changed = install_campus_key(path, key, replace=args.replace)
    except SecretFileError as exc:
        print(f"kiosk keys: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"kiosk keys: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    state = "installed" if changed else "already installed"
    print(f"campus key {fingerprint(key)} {state} at {path}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print the key's path and fingerprint (never the key)."""
    from kiosk.config import load_kiosk_config
    from kiosk.store.secrets import SecretFileError, fingerprint, read_campus_key
    from kiosk.store.store import campus_key_path

    path = campus_key_path(load_kiosk_config(args.config))
    try:
        key = read_campus_key(path)
    except SecretFileError as exc:
        print(f"kiosk keys: {exc}", file=sys.stderr)
        return 1
    print(f"campus key {fingerprint(key)} at {path}")
    return 0
