"""`kiosk log`: verify, export, purge and read the decision log (each read is itself logged)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.commands.arguments import bounded_int, local_date
from kiosk.errors import ExportError, UserError

if TYPE_CHECKING:
    from kiosk.store import Store


MAX_DAYS = 36_500  # a century: retention periods past it are a typing error
MAX_TAIL = 1_000_000


def register(sub: Any) -> None:
    """Add the `log` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "log", help="verify, export, purge or show the decision log"
    )
    actions = parser.add_subparsers(dest="log_command", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="check the hash chain (exit 1 if tampered)")
    verify.set_defaults(func=run_verify)
    export = actions.add_parser("export", help="export records of a date range")
    export.add_argument("--from", dest="start", required=True, type=local_date, metavar="DATE")
    export.add_argument("--to", dest="end", required=True, type=local_date, metavar="DATE")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    export.set_defaults(func=run_export)
    purge = actions.add_parser("purge", help="remove records past retention that were sent")
    purge.add_argument("--retention-days", type=bounded_int(0, MAX_DAYS), default=30, metavar="N")
    purge.add_argument(
        "--hard-max-days",
        type=bounded_int(0, MAX_DAYS),
        default=90,
        metavar="N",
        help="drop even unsent records older than this (at least --retention-days)",
    )
    purge.set_defaults(func=run_purge)
    tail = actions.add_parser("tail", help="show the newest records")
    tail.add_argument(
        "-n", type=bounded_int(0, MAX_TAIL), default=20, metavar="N", help="how many (default 20)"
    )
    tail.set_defaults(func=run_tail)
    status = actions.add_parser(
        "status", help="records held, uploads per state, records the server rejected for good"
    )
    status.set_defaults(func=run_status)
    requeue = actions.add_parser(
        "requeue-rejected", help="send the records the server rejected again (after a fix)"
    )
    requeue.set_defaults(func=run_requeue)


def _open(args: argparse.Namespace) -> Store:
    from kiosk.config import load_kiosk_config
    from kiosk.store import open_store

    return open_store(load_kiosk_config(args.config))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _audit(store: Store, payload: dict[str, Any]) -> None:
    store.log.append("audit", _now(), {"via": "cli", **payload}, gate=store.gate)


def run_verify(args: argparse.Namespace) -> int:
    """Verify the chain: exit 0 if intact, 1 with one line per problem."""
    store = _open(args)
    try:
        report = store.log.verify()
        _audit(store, {"action": "verify", "ok": report.ok, "problems": len(report.problems)})
    finally:
        store.close()
    if report.ok:
        print(f"log intact: {report.checked} records checked")
        return 0
    for problem in report.problems:
        print(problem.detail)
    print(f"log NOT intact: {len(report.problems)} problems in {report.checked} records")
    return 1


def run_export(args: argparse.Namespace) -> int:
    """Export records from --from to --to (inclusive dates, local to the gate)."""
    if args.end < args.start:
        raise UserError("kiosk log export: --to is before --from")
    if args.out is not None:
        _check_writable(args.out)
    store = _open(args)
    try:
        start = dt.datetime.combine(args.start, dt.time(), store.tz)
        end = dt.datetime.combine(args.end + dt.timedelta(days=1), dt.time(), store.tz)
        if args.out is None:
            count = store.log.export(start, end, args.format, sys.stdout)
        else:
            try:
                with args.out.open("w", encoding="utf-8", newline="") as out:
                    count = store.log.export(start, end, args.format, out)
            except OSError as exc:
                raise ExportError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    finally:
        store.close()
    if args.out is not None:
        print(f"exported {count} records to {args.out}")
    return 0


def _check_writable(path: Path) -> None:
    """Refuse an export path whose folder is missing or that is a folder, before any work."""
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a directory")
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: no directory {path.parent}")


def run_purge(args: argparse.Namespace) -> int:
    """Apply the retention rule now."""
    if args.hard_max_days < args.retention_days:
        raise UserError(
            f"kiosk log purge: --hard-max-days ({args.hard_max_days}) is shorter than "
            f"--retention-days ({args.retention_days})"
        )
    store = _open(args)
    try:
        result = store.log.purge(_now(), args.retention_days, args.hard_max_days)
    finally:
        store.close()
    if not result.deleted:
        print("nothing to purge")
        return 0
    assert result.anchor is not None
    print(f"purged {result.deleted} records (up to record {result.anchor.seq})")
    if result.unsent_dropped:
        print(f"warning: {result.unsent_dropped} of them never reached the central server")
    return 0


def run_tail(args: argparse.Namespace) -> int:
    """Print the newest records, one per line, times local to the gate."""
    import json

    store = _open(args)
    try:
        records = store.log.tail(args.n)
        _audit(store, {"action": "tail", "records": len(records)})
        tz = store.tz
    finally:
        store.close()
    for r in records:
        at = r.at.astimezone(tz).isoformat(timespec="seconds")
        payload = json.dumps(dict(r.payload), ensure_ascii=False, sort_keys=True)
        fields = [str(r.seq), at, r.kind, r.gate, r.outcome or "-", r.person_no or "-", payload]
        print("  ".join(fields))
    return 0


def run_status(args: argparse.Namespace) -> int:
    """Print how many records the log holds, the outbox per state and every rejected record."""
    store = _open(args)
    try:
        held = store.log.count()
        counts = store.outbox.counts()
        rejected = store.outbox.rejected()
        tz = store.tz
    finally:
        store.close()
    print(f"records: {held}")
    print("uploads: " + ", ".join(f"{n} {state}" for state, n in counts.items()))
    for item in rejected:
        r = item.record
        at = r.at.astimezone(tz).isoformat(timespec="seconds")
        print(f"rejected: record {r.seq} ({r.kind}, {at}, {r.record_id}): {item.error}")
    if rejected:
        print(
            f"{len(rejected)} records were rejected by the central server; they are kept"
            " (`kiosk log requeue-rejected` sends them again)"
        )
    return 0


def run_requeue(args: argparse.Namespace) -> int:
    """Return every rejected record to the upload queue."""
    store = _open(args)
    try:
        count = store.outbox.requeue_rejected()
        if count:
            _audit(store, {"action": "requeue_rejected", "records": count})
    finally:
        store.close()
    print(f"{count} rejected records queued for upload again")
    return 0
