"""`kiosk registry`: import registry CSV files and show what the registry holds."""

from __future__ import annotations

import argparse
import datetime as dt
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
    "vehicles",
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
    mark = actions.add_parser(
        "mark-synced",
        help="state that the registry matches the central records as of a time (rule R15)",
    )
    mark.add_argument(
        "--as-of",
        required=True,
        type=_instant,
        metavar="TIME",
        help="ISO-8601 time the imported data was exported (without offset: campus time)",
    )
    mark.add_argument("--by", required=True, metavar="NAME", help="who makes the statement")
    mark.set_defaults(func=run_mark_synced)
    status = actions.add_parser("status", help="counts per table, registry version, last sync")
    status.set_defaults(func=run_status)


def _instant(text: str) -> dt.datetime:
    """An ISO 8601 time, with or without offset (campus time), from 1970 to 9998."""
    from kiosk.core.dates import DateRangeError, check_date

    try:
        return check_date(dt.datetime.fromisoformat(text))
    except DateRangeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a time like 2022-01-20T09:00:00+08:00, got {text!r}"
        ) from None


def run_import(args: argparse.Namespace) -> int:
    """Import a CSV file in one transaction; on a bad row nothing is imported.

    An import does not make the registry fresh (rule R15): `registry mark-synced` does.
    """
    from kiosk.config import load_kiosk_config
    from kiosk.store import open_store
    from kiosk.store.csv_import import CsvImportError, import_csv
    from kiosk.store.secrets import SecretFileError

    store = open_store(load_kiosk_config(args.config))
    try:
        count = import_csv(
            store.writer, args.kind, args.file, store.id_key, store.tz, replace=args.replace
        )
    except SecretFileError as exc:
        print(f"kiosk registry import: {exc}", file=sys.stderr)
        return 2
    except CsvImportError as exc:
        print(f"kiosk registry import: {exc}; nothing was imported", file=sys.stderr)
        return 1
    finally:
        store.close()
    verb = "replaced with" if args.replace else "imported"
    print(f"{args.kind}: {verb} {count} records from {args.file}")
    print("the registry's last sync time is unchanged (see `kiosk registry mark-synced`)")
    return 0


def run_mark_synced(args: argparse.Namespace) -> int:
    """Record an admin's statement that the registry is current as of --as-of (audit-logged)."""
    from kiosk.config import load_kiosk_config
    from kiosk.store import open_store
    from kiosk.store.freshness import declare_synced

    store = open_store(load_kiosk_config(args.config))
    try:
        as_of = args.as_of if args.as_of.tzinfo else args.as_of.replace(tzinfo=store.tz)
        now = dt.datetime.now(dt.UTC)
        if as_of > now + dt.timedelta(minutes=5):
            print("kiosk registry mark-synced: --as-of is in the future", file=sys.stderr)
            return 2
        declare_synced(store, as_of, by=args.by, now=now)
    finally:
        store.close()
    print(f"registry marked as synced as of {as_of.astimezone(store.tz).isoformat()}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    """Print row counts per registry table, the registry version, the last sync time and
    whether the campus key is installed."""
    from kiosk.config import load_kiosk_config
    from kiosk.store import open_store
    from kiosk.store.registry import registry_status
    from kiosk.store.secrets import SecretFileError, fingerprint

    store = open_store(load_kiosk_config(args.config))
    try:
        status = registry_status(store.engine)
        try:
            key = f"campus key: {fingerprint(store.id_key)}"
        except SecretFileError as exc:
            key = f"campus key: {exc}"
    finally:
        store.close()
    width = max(len(name) for name in status.counts)
    as_of = {d.dataset: d.as_of for d in status.datasets}
    for name, count in status.counts.items():
        when = as_of.get(name)
        current = f"as of {when.astimezone(store.tz).isoformat()}" if when else "never synced"
        print(f"{name:<{width}}  {count:<8}  {current}")
    print(f"version: {status.version or '(none)'}")
    synced = status.synced_at.astimezone(store.tz).isoformat() if status.synced_at else "never"
    print(f"last sync: {synced}")
    print(key)
    return 0
