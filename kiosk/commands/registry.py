"""`kiosk registry`: import registry CSV files and show what the registry holds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

KINDS = (
    "people",
    "visits",
    "stays",
    "leaves",
    "quarantine",
    "risk-areas",
    "checkins",
    "revocations",
)


def register(sub: Any) -> None:
    """Add the `registry` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "registry", help="import registry CSV files, show registry status"
    )
    actions = parser.add_subparsers(dest="registry_command", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="import one CSV file (columns: docs/registry-csv.md)")
    imp.add_argument("kind", choices=KINDS, metavar="KIND", help=" | ".join(KINDS))
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument(
        "--replace", action="store_true", help="drop every record of this kind before importing"
    )
    imp.set_defaults(func=run_import)
    status = actions.add_parser("status", help="counts per table, registry version, last sync")
    status.set_defaults(func=run_status)


def run_import(args: argparse.Namespace) -> int:
    """Import a CSV file in one transaction; on a bad row nothing is imported."""
    import datetime as dt

    from kiosk.config import load_kiosk_config
    from kiosk.store import open_store
    from kiosk.store.csv_import import CsvImportError, import_csv

    store = open_store(load_kiosk_config(args.config))
    try:
        count = import_csv(
            store.writer, args.kind, args.file, store.id_key, store.tz, replace=args.replace
        )
        store.writer.mark_synced(dt.datetime.now(dt.UTC))
    except CsvImportError as exc:
        print(f"kiosk registry import: {exc}; nothing was imported", file=sys.stderr)
        return 1
    finally:
        store.close()
    verb = "replaced with" if args.replace else "imported"
    print(f"{args.kind}: {verb} {count} records from {args.file}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    """Print row counts per registry table, the registry version and the last sync time."""
    from kiosk.config import load_kiosk_config
    from kiosk.store import open_store
    from kiosk.store.registry import registry_status

    store = open_store(load_kiosk_config(args.config))
    try:
        status = registry_status(store.engine)
    finally:
        store.close()
    width = max(len(name) for name in status.counts)
    for name, count in status.counts.items():
        print(f"{name:<{width}}  {count}")
    print(f"version: {status.version or '(none)'}")
    synced = status.synced_at.astimezone(store.tz).isoformat() if status.synced_at else "never"
    print(f"last sync: {synced}")
    return 0
