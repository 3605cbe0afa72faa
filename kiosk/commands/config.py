"""`kiosk config show|check`: every configuration key, and a check of the configured files."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``config`` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser("config", help="show or check configuration")
    actions = parser.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="list every key of kiosk.toml and policy.toml")
    show.set_defaults(func=run_show)
    check = actions.add_parser("check", help="load kiosk.toml and policy.toml and report errors")
    check.set_defaults(func=run_check)


def run_show(args: argparse.Namespace) -> int:
    """Print ``key  type  default  doc`` for both files."""
    from kiosk.config import KioskSettings
    from kiosk.core.policy_config import Policy
    from kiosk.settings import describe

    for title, cls in (("kiosk.toml", KioskSettings), ("policy.toml", Policy)):
        print(f"# {title}")
        for key, type_name, default, doc in describe(cls):
            print(f"{key:42} {type_name:22} {default!r:28} {doc}")
        print()
    return 0


def run_check(args: argparse.Namespace) -> int:
    """Load both files; a problem raises ConfigError, which the CLI prints with file and key."""
    from kiosk.config import load_kiosk_config
    from kiosk.core.policy_config import load_policy

    config = load_kiosk_config(args.config)
    policy = load_policy(config.policy_file)
    print(f"{config.file}: ok (gate {config.settings.gate.id}, {config.settings.gate.direction})")
    print(f"{config.policy_file}: ok (policy {policy.label})")
    return 0
