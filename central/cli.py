"""The ``central`` command: run the server and administer it from the machine it runs on.

``central serve`` runs the API; ``central init``, ``central gate …``, ``central admin …`` and
``central keys …`` work on the database and data directory directly (the same functions the
API calls). A :class:`~kiosk.errors.UserError` ends as one line and exit status 2; anything
else as one line and status 70 (``--debug`` logs the traceback).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from central import admin
from central.cli_admin import add_admin_commands, add_gate_commands, add_key_commands
from central.context import DEFAULT_TZ, Central, open_central
from central.web.cli import add_staff_commands
from kiosk.errors import UserError, one_line
from kiosk.store.secrets import fingerprint

log = logging.getLogger(__name__)
EXIT_USAGE = 2
EXIT_INTERNAL = 70
DEFAULT_DATA_DIR = "central-data"
DEFAULT_PORT = 8600


class Parser(argparse.ArgumentParser):
    """Usage errors in one line pointing to ``--help``."""

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: MESSAGE (see PROG --help)`` and exit with status 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port 0–65535, got {value}")
    return value


def _workers(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"expected 1–64 workers, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Every sub-command."""
    parser = Parser(prog="central", description="Campus gate central server")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("CENTRAL_DATA_DIR", DEFAULT_DATA_DIR)),
        help="data directory: SQLite database and secrets (default: $CENTRAL_DATA_DIR or"
        f" ./{DEFAULT_DATA_DIR})",
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("CENTRAL_DB") or None,
        help="database URL instead of SQLite in the data directory, e.g."
        " postgresql+psycopg://user@host/central (default: $CENTRAL_DB)",
    )
    parser.add_argument("--tz", default=DEFAULT_TZ, help=f"campus time zone ({DEFAULT_TZ})")
    parser.add_argument("--by", default=None, help="who acts (audit trail; default: cli:USER)")
    parser.add_argument("--debug", action="store_true", help="log tracebacks of defects")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    serve = sub.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"({DEFAULT_PORT})")
    serve.add_argument("--workers", type=_workers, default=1, help="worker processes (1)")
    serve.add_argument("--verifier", default="reference", help="health-code backend (reference)")
    serve.set_defaults(run=_serve)

    init = sub.add_parser("init", help="create the database, campus key and issuer key")
    init.set_defaults(run=_init)
    openapi = sub.add_parser("openapi", help="write the OpenAPI document (docs/openapi.json)")
    openapi.add_argument("--out", type=Path, default=None, help="file (default: print it)")
    openapi.set_defaults(run=_openapi)
    add_gate_commands(sub)
    add_admin_commands(sub)
    add_key_commands(sub)
    add_staff_commands(sub)
    return parser


def _central(args: argparse.Namespace) -> Central:
    central = open_central(args.data_dir, args.db, args.tz)
    admin.ensure_issuer(central)
    return central


def _init(args: argparse.Namespace) -> int:
    central = _central(args)
    print(f"data directory {args.data_dir}")
    print(f"campus key fingerprint {fingerprint(central.keys.campus_key())}")
    print(f"issuer key {central.keys.signing_key().kid.hex()}")
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from central.api.app import openapi_text

    if args.out is None:
        sys.stdout.write(openapi_text())
    else:
        args.out.write_text(openapi_text(), encoding="utf-8")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from central.api import app as app_module

    central = _central(args)  # migrate once, before any worker starts
    if args.workers == 1:
        application = app_module.create_app(central, args.verifier)
        uvicorn.run(application, host=args.host, port=args.port, log_level="warning")
        return 0
    app_module.create_app(central, args.verifier)  # refuse a bad --verifier here, not per worker
    central.engine.dispose()
    os.environ[app_module.ENV_DATA_DIR] = str(args.data_dir.resolve())
    os.environ[app_module.ENV_TZ] = args.tz
    os.environ[app_module.ENV_VERIFIER] = args.verifier
    if args.db:
        os.environ[app_module.ENV_DB] = args.db
    uvicorn.run(
        "central.api.app:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``central`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.by is None:
        try:
            args.by = f"cli:{getpass.getuser()}"
        except (KeyError, OSError):
            args.by = "cli"
    try:
        return int(args.run(args) or 0)
    except UserError as exc:
        print(f"central: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a defect: one line, traceback with --debug
        log.debug("defect", exc_info=exc)
        print(
            f"central: internal error: {one_line(str(exc)) or type(exc).__name__}", file=sys.stderr
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
