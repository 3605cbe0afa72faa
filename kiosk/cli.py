"""The ``kiosk`` command: each sub-command lives in its own module under ``kiosk.commands``.

:func:`main` is the one place errors end: a :class:`~kiosk.errors.UserError` becomes its
one-line message and exit status 2 (so does a database found damaged after it opened),
anything else a one-line report (exit status 70) whose traceback is logged only with
``--debug``. No traceback reaches a user otherwise, also not from a worker thread.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

import sqlalchemy.exc

from kiosk.errors import UserError, one_line

log = logging.getLogger(__name__)

COMMANDS = (
    "run",
    "demo",
    "codes",
    "registry",
    "log",
    "policy",
    "config",
    "admin",
    "keys",
    "scan",
    "thermometer",
    "relay",
    "idcard",
    "sync",
)
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE
EXIT_INTERRUPTED = 130


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, pointing to ``--help``."""

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: MESSAGE (see PROG --help)`` and exit with status 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = CommandParser(prog="kiosk", description="Campus gate kiosk")
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="kiosk.toml to use (default: $KIOSK_CONFIG, else /etc/campus-kiosk/kiosk.toml if it"
        " exists, else config/kiosk.toml)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="log debug messages and the traceback of an unexpected error",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"kiosk.commands.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kiosk`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose or args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    previous_hook = threading.excepthook
    threading.excepthook = functools.partial(_thread_died, previous=previous_hook)
    try:
        return _run(args)
    finally:
        threading.excepthook = previous_hook


def _run(args: argparse.Namespace) -> int:
    """Run the chosen sub-command; every error ends here as one line on stderr."""
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(exc.as_line(), file=sys.stderr)
        return exc.exit_code
    except sqlalchemy.exc.DatabaseError as exc:  # damage found after the database opened
        from kiosk.store.store import database_error

        error = database_error(exc)
        print(error.as_line(), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: a defect, reported in one line
        log.debug("unexpected error", exc_info=True)
        print(
            f"kiosk: unexpected error: {type(exc).__name__}: {one_line(str(exc))} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _thread_died(
    hook: threading.ExceptHookArgs, *, previous: Callable[[threading.ExceptHookArgs], object]
) -> None:
    """Report a worker thread's uncaught exception in one line (traceback with --debug).

    A hook installed before the command's (a test runner's) is called too; Python's default
    one, which prints the traceback, is not.
    """
    if previous is not threading.__excepthook__:
        previous(hook)
    if hook.exc_type is SystemExit:
        return
    name = hook.thread.name if hook.thread is not None else "a thread"
    log.error(
        "thread %s stopped: %s: %s (run with --debug for the traceback)",
        name,
        hook.exc_type.__name__,
        one_line(str(hook.exc_value)),
    )
    log.debug("traceback of %s", name, exc_info=(hook.exc_type, hook.exc_value, hook.exc_traceback))  # type: ignore[arg-type]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
