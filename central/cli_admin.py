"""``central gate …``, ``central admin …`` and ``central keys …``: admin work from the
server's own machine, through the same functions as the API (``central.admin``,
``central.workflow``, ``central.logs``)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from central import admin, logs, registry, workflow
from central.context import Central, CentralError, open_central
from central.verify import COLORS, ReferenceBackend
from kiosk.store.db import write_connection
from kiosk.store.secrets import SecretFileError, fingerprint, parse_key_file

FILING_STATUSES = ("filed", "host_approved", "approved", "refused", "withdrawn")


def _central(args: argparse.Namespace) -> Central:
    central = open_central(args.data_dir, args.db, args.tz)
    admin.ensure_issuer(central)
    return central


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        example = "2022-01-20T09:00+08:00"
        raise argparse.ArgumentTypeError(f"expected a time like {example}, got {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"expected a time with a UTC offset, got {text!r}")
    return value


def _days(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 36_500:
        raise argparse.ArgumentTypeError(f"expected 0–36500 days, got {value}")
    return value


def add_gate_commands(sub: Any) -> None:
    """``central gate add|token|revoke|list``."""
    gate = sub.add_parser("gate", help="enrol gates and manage their tokens").add_subparsers(
        dest="gate_command", required=True
    )
    add = gate.add_parser("add", help="enrol a gate and print its token (shown once)")
    add.add_argument("name")
    add.set_defaults(run=lambda a: print(admin.add_gate(_central(a), a.name, a.by)))
    token = gate.add_parser("token", help="replace a gate's token and print the new one")
    token.add_argument("name")
    token.set_defaults(run=lambda a: print(admin.new_gate_token(_central(a), a.name, a.by)))
    revoke = gate.add_parser("revoke", help="revoke a gate's token")
    revoke.add_argument("name")
    revoke.set_defaults(run=lambda a: admin.revoke_gate(_central(a), a.name, a.by))
    listing = gate.add_parser("list", help="every gate: last contact, backlog, chain status")
    listing.set_defaults(run=lambda a: _print_json(admin.gate_statuses(_central(a))))


def _records_put(args: argparse.Namespace) -> None:
    try:
        rows = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CentralError(f"{args.file}: not a readable JSON list of rows ({exc})") from None
    if not isinstance(rows, list):
        raise CentralError(f"{args.file}: expected a JSON list of rows")
    print(admin.put_records(_central(args), args.kind, rows, args.by))


def _visit_file(args: argparse.Namespace) -> None:
    form = {
        "name": args.name,
        "id_number": args.id_number,
        "origin_region": args.origin_region,
        "host_unit": args.host_unit,
        "host_person_no": args.host_person_no,
        "visit_date": args.visit_date,
        "gates": args.gates,
    }
    if args.approval_no:
        form["approval_no"] = args.approval_no
    _print_json(workflow.file_visit(_central(args), form, args.by))


def _log_query(args: argparse.Namespace) -> logs.LogQuery:
    return logs.LogQuery(
        args.gate, args.start, args.end, args.person_no, args.outcome, args.kind, args.limit
    )


def _export(args: argparse.Namespace) -> None:
    central = _central(args)
    if args.out == "-":
        n = logs.export_csv(central, _log_query(args), sys.stdout, args.by)
    else:
        try:
            with open(args.out, "w", encoding="utf-8", newline="") as out:
                n = logs.export_csv(central, _log_query(args), out, args.by)
        except OSError as exc:
            raise CentralError(f"--out {args.out}: cannot write ({exc.strerror})") from None
    print(f"{n} records", file=sys.stderr)


def _health_code(args: argparse.Namespace) -> None:
    central = _central(args)
    ReferenceBackend(central.engine).register(args.code, args.color, central.now())


def _compact(args: argparse.Namespace) -> None:
    central = _central(args)
    before = central.now() - dt.timedelta(days=args.older_than_days)
    with write_connection(central.engine) as conn, conn.begin():
        n = registry.compact(conn, before)
        central.audit(conn, args.by, "feed_compact", removed=n)
    print(f"{n} deletions compacted")


def add_admin_commands(sub: Any) -> None:
    """``central admin …``."""
    top = sub.add_parser("admin", help="registry, visits, keys, logs").add_subparsers(
        dest="admin_command", required=True
    )
    tokens = top.add_parser("token", help="admin API tokens").add_subparsers(
        dest="token_command", required=True
    )
    token = tokens.add_parser("add", help="make an admin API token (printed once)")
    token.add_argument("name")
    token.set_defaults(run=lambda a: print(admin.add_admin(_central(a), a.name, a.by)))

    imp = top.add_parser("import", help="import a registry CSV file (docs/registry-csv.md)")
    imp.add_argument("kind", help="people, stays, leaves, quarantine, risk-areas, checkins")
    imp.add_argument("file", type=Path)
    imp.set_defaults(run=lambda a: print(admin.import_csv(_central(a), a.kind, a.file, a.by)))

    put = top.add_parser("put", help="add or replace records of a kind from a JSON list of rows")
    put.add_argument("kind")
    put.add_argument("file", type=Path)
    put.set_defaults(run=_records_put)

    sources = top.add_parser(
        "sources", help="per kind: records and when its source last delivered it (R15)"
    )
    sources.set_defaults(run=lambda a: _print_json(admin.registry_sources(_central(a))))

    show = top.add_parser("records", help="print every record of a kind (feed form)")
    show.add_argument("kind")
    show.set_defaults(run=lambda a: _print_json(admin.list_records(_central(a), a.kind)))

    revoke = top.add_parser("revoke-pass", help="revoke a person's credential (R14)")
    revoke.add_argument("person_no")
    revoke.add_argument("--kind", default="campus_pass")
    revoke.set_defaults(
        run=lambda a: admin.put_records(
            _central(a), "revocations", [{"kind": a.kind, "person_no": a.person_no}], a.by
        )
    )

    file = top.add_parser("visit-file", help="file a visit (the server records the time)")
    for name in ("name", "id-number", "origin-region", "host-unit", "host-person-no"):
        file.add_argument(f"--{name}", required=True)
    file.add_argument("--visit-date", required=True, help="YYYY-MM-DD")
    file.add_argument("--gates", nargs="*", default=[], help="gate names (none: every gate)")
    file.add_argument("--approval-no", default=None)
    file.set_defaults(run=_visit_file)
    for step, func in (
        ("visit-host-approve", workflow.approve_by_host),
        ("visit-office-approve", workflow.approve_by_office),
    ):
        cmd = top.add_parser(step, help=func.__doc__.splitlines()[0] if func.__doc__ else step)
        cmd.add_argument("approval_no")
        cmd.set_defaults(run=lambda a, f=func: _print_json(f(_central(a), a.approval_no, a.by)))
    refuse = top.add_parser("visit-refuse", help="refuse a filing or withdraw an approved visit")
    refuse.add_argument("approval_no")
    refuse.add_argument("--reason", required=True)
    refuse.set_defaults(
        run=lambda a: _print_json(workflow.refuse(_central(a), a.approval_no, a.by, a.reason))
    )
    visits = top.add_parser("visits", help="list filings")
    visits.add_argument(
        "--status", choices=("filed", "host_approved", "approved", "refused", "withdrawn")
    )
    visits.set_defaults(run=lambda a: _print_json(workflow.filings(_central(a), a.status)))
    slip = top.add_parser("visit-slip", help="print the signed VA1 slip of an approved visit")
    slip.add_argument("approval_no")
    slip.set_defaults(run=lambda a: print(workflow.visit_slip(_central(a), a.approval_no)))
    erase = top.add_parser("visit-erase", help="erase names and ID numbers of past visits")
    erase.add_argument("--retention-days", type=_days, default=30)
    erase.set_defaults(
        run=lambda a: print(workflow.erase_personal_data(_central(a), a.retention_days))
    )

    hc = top.add_parser("health-code", help="teach the reference verifier a code's colour")
    hc.add_argument("code")
    hc.add_argument("--color", choices=COLORS, required=True)
    hc.set_defaults(run=_health_code)

    gates = top.add_parser("gates", help="every gate: last contact, backlog, chain status")
    gates.set_defaults(run=lambda a: _print_json(admin.gate_statuses(_central(a))))
    verify = top.add_parser("verify", help="check the server's copy of a gate's chain")
    verify.add_argument("gate")
    verify.set_defaults(run=_verify)

    for name, run in (("log", _print_log), ("export", _export)):
        cmd = top.add_parser(
            name, help="query the log of every gate" if name == "log" else "export the log as CSV"
        )
        cmd.add_argument("--gate")
        cmd.add_argument("--start", type=_time, help="from this time (with offset)")
        cmd.add_argument("--end", type=_time, help="before this time (with offset)")
        cmd.add_argument("--person-no")
        cmd.add_argument("--outcome")
        cmd.add_argument("--kind")
        cmd.add_argument("--limit", type=int, default=1000 if name == "log" else logs.MAX_ROWS)
        if name == "export":
            cmd.add_argument("--out", required=True, help="CSV file, or - for standard output")
        cmd.set_defaults(run=run)

    compact = top.add_parser("feed-compact", help="forget deletions older than N days")
    compact.add_argument("--older-than-days", type=_days, default=90)
    compact.set_defaults(run=_compact)


def _print_log(args: argparse.Namespace) -> None:
    for record in logs.query(_central(args), _log_query(args), args.by):
        print(json.dumps(record.as_dict(), ensure_ascii=False, sort_keys=True))


def _verify(args: argparse.Namespace) -> int:
    report = logs.verify_gate(_central(args), args.gate)
    _print_json(report)
    return 0 if report["ok"] else 1


def _install_key(args: argparse.Namespace) -> None:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise SecretFileError(f"{args.file}: cannot read ({exc.strerror})") from None
    key = parse_key_file(data, str(args.file))
    central = open_central(args.data_dir, args.db, args.tz)
    if central.keys.install_campus_key(key, replace=args.replace):
        print(f"installed campus key {fingerprint(key)}")
    else:
        print(f"campus key {fingerprint(key)} already installed")


def add_key_commands(sub: Any) -> None:
    """``central keys show|rotate|revoke|install-campus-key``."""
    keys = sub.add_parser("keys", help="campus key and issuer keys").add_subparsers(
        dest="keys_command", required=True
    )
    show = keys.add_parser("show", help="campus key fingerprint and the signing key's kid")
    show.set_defaults(run=_show_keys)
    rotate = keys.add_parser("rotate", help="sign with a new issuer key from now")
    rotate.add_argument("--grace-days", type=int, default=30, help="old key verifies this long")
    rotate.set_defaults(
        run=lambda a: print(admin.rotate_issuer_key(_central(a), a.by, a.grace_days))
    )
    revoke = keys.add_parser("revoke", help="remove a key from the gates' trust list")
    revoke.add_argument("kid", help="16 hex digits")
    revoke.set_defaults(run=lambda a: admin.revoke_key(_central(a), a.kid, a.by))
    install = keys.add_parser("install-campus-key", help="use the campus's existing key")
    install.add_argument("file", type=Path)
    install.add_argument("--replace", action="store_true")
    install.set_defaults(run=_install_key)


def _show_keys(args: argparse.Namespace) -> None:
    central = _central(args)
    print(f"campus key fingerprint {fingerprint(central.keys.campus_key())}")
    print(f"issuer key {central.keys.signing_key().kid.hex()}")
