"""`kiosk sync`: enrol the gate with its central server, sync once or continuously, status."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from kiosk.core.policy_config import FreshnessRules
    from kiosk.sync.status import SyncStatus


def register(sub: Any) -> None:
    """Add the ``sync`` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "sync", help="sync with the central server: enroll, --once, status (docs/sync.md)"
    )
    parser.add_argument(
        "--once", action="store_true", help="one round: pull the registry, upload the outbox"
    )
    actions = parser.add_subparsers(dest="sync_command", required=False, metavar="ACTION")
    enroll = actions.add_parser(
        "enroll", help="store the gate token and install the campus key the server hands out"
    )
    enroll.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="file holding the token `central gate add NAME` printed (default: read stdin)",
    )
    enroll.add_argument("--url", help="server base URL (default: server.url of kiosk.toml)")
    enroll.set_defaults(func=run_enroll)
    status = actions.add_parser("status", help="last sync, backlog, registry age, clock skew")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(func=run_status)
    parser.set_defaults(func=run_sync)


def run_enroll(args: argparse.Namespace) -> int:
    """Fetch the enrolment with the token; keep the token and campus key owner-only."""
    from kiosk.config import load_kiosk_config
    from kiosk.sync.link import SyncSetupError, enroll

    config = load_kiosk_config(args.config)
    if not (args.url or config.settings.server.url):
        raise SyncSetupError("no server: set server.url in kiosk.toml or give --url")
    if args.token_file is not None:
        try:
            token = args.token_file.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise SyncSetupError(f"{args.token_file}: {exc.strerror or exc}") from None
    else:
        token = sys.stdin.readline()
    done = enroll(config, token, url=args.url)
    key_state = "installed" if done.key_installed else "already installed"
    print(f"gate {done.gate} enrolled; token stored at {done.token_file}")
    print(f"campus key {done.key_fingerprint} {key_state}")
    if args.url and args.url != config.settings.server.url:
        print(f"set server.url = {args.url!r} in {config.file} to sync with it")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    """``--once``: one round now; otherwise sync every ``server.sync_interval_s`` until ^C."""
    from kiosk.config import load_kiosk_config
    from kiosk.runtime import sync_worker
    from kiosk.store import open_store
    from kiosk.sync.link import SyncSetupError, client_for

    config = load_kiosk_config(args.config)
    client = client_for(config)
    if client is None:
        raise SyncSetupError("no server: set server.url in kiosk.toml (then `kiosk sync enroll`)")
    store = open_store(config)
    worker = sync_worker(config, store, client)
    try:
        store.outbox.release_inflight()
        if args.once:
            first = not store.registry.version
            bar = ProgressBar(sys.stderr) if first else None
            result = worker.run_once(progress=bar, now_due=True)
            if bar is not None:
                bar.close()
            print_round(result, sys.stdout)
            return 0 if result.error is None else 1
        worker.add_listener(lambda status: print_status_line(status, sys.stdout))
        worker.start()
        threading.Event().wait()
        return 0
    finally:
        worker.stop()
        store.close()


def run_status(args: argparse.Namespace) -> int:
    """Print what the kiosk knows about its sync, without contacting the server."""
    from kiosk.config import load_kiosk_config
    from kiosk.core.policy_config import load_policy
    from kiosk.settings import ConfigError
    from kiosk.store import open_store
    from kiosk.store.dataset_times import oldest_synced
    from kiosk.sync.link import token_path
    from kiosk.sync.status import (
        NOT_CONFIGURED,
        STATUS_FILE,
        SyncStatus,
        load_status,
        status_to_json,
    )

    config = load_kiosk_config(args.config)
    try:
        freshness: FreshnessRules | None = load_policy(config.policy_file).freshness
        policy_note = ""
    except ConfigError as exc:  # the ages still show; the limits are unknown
        freshness, policy_note = None, f"limits unknown: {exc}"
    s = config.settings.server
    if not s.url:
        status = NOT_CONFIGURED
    else:
        saved = load_status(config.data_dir / STATUS_FILE) or SyncStatus(configured=True)
        store = open_store(config)
        try:
            counts = store.outbox.counts()
            syncs = store.registry.dataset_syncs()
            status = SyncStatus(
                configured=True,
                last_success=saved.last_success,
                last_error=saved.last_error,
                backlog=counts["pending"] + counts["inflight"],
                rejected=counts["rejected"],
                registry_version=store.registry.version or None,
                registry_synced_at=oldest_synced(syncs),
                clock_skew_s=saved.clock_skew_s,
                datasets=tuple(syncs),
            )
        finally:
            store.close()
    now = dt.datetime.now(dt.UTC)
    if args.json:
        data = status_to_json(status)
        data["registry_age_s"] = status.registry_age_s(now)
        ages = status.dataset_ages_s(now)
        for item in data["datasets"]:
            name = item["dataset"]
            item["age_s"] = ages[name]
            item["max_age_h"] = freshness.limit_h(name) if freshness else None
            item["same_day"] = name in freshness.same_day if freshness else None
        data["server_url"] = s.url or None
        data["enrolled"] = token_path(config).is_file()
        print(json.dumps(data, ensure_ascii=False))
        return 0
    if not status.configured:
        print("sync: not configured (server.url is empty: the gate runs offline)")
        return 0
    enrolled = "enrolled" if token_path(config).is_file() else "NOT enrolled (kiosk sync enroll)"
    age = status.registry_age_s(now)
    skew = status.clock_skew_s
    lines = [
        f"server:          {s.url} ({enrolled})",
        f"last success:    {_when(status.last_success)}",
        f"last error:      {status.last_error or '-'}",
        f"backlog:         {status.backlog} records to upload, {status.rejected} rejected",
        f"registry:        version {status.registry_version or '-'}, synced "
        f"{_when(status.registry_synced_at)}" + (f" ({_age(age)} ago)" if age is not None else ""),
        f"clock skew:      {'unknown' if skew is None else f'{skew:+.0f} s'}",
        "datasets:        (age: since the copy was last current; source: the server's word)",
        *dataset_lines(status, freshness, now),
        *([f"  {policy_note}"] if policy_note else []),
    ]
    print("\n".join(lines))
    return 0


def dataset_lines(
    status: SyncStatus, freshness: FreshnessRules | None, now: dt.datetime
) -> list[str]:
    """One line per dataset: its age, its limit (R15), the source time the server gave."""
    ages = status.dataset_ages_s(now)
    lines = []
    for d in status.datasets:
        age = ages[d.dataset]
        notes = []
        if freshness is not None:
            limit = f"limit {freshness.limit_h(d.dataset):g} h"
            notes.append(limit + (", same day" if d.dataset in freshness.same_day else ""))
        if d.source_at is not None:
            notes.append(f"source {_when(d.source_at)}")
        shown = "never synced" if age is None else f"{_age(age)} old"
        suffix = f" ({', '.join(notes)})" if notes else ""
        lines.append(f"  {d.dataset:<16} {shown:<14}{suffix}".rstrip())
    return lines


class ProgressBar:
    """The first download's progress on a terminal: pages and records so far (the feed does
    not say how many records a snapshot holds, so the bar counts rather than fills)."""

    WIDTH = 30

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.tty = out.isatty()
        self.ticks = 0

    def __call__(self, progress: Any) -> None:
        self.ticks += 1
        fill = self.ticks % (self.WIDTH + 1)
        bar = "#" * fill + "." * (self.WIDTH - fill)
        if progress.done:
            bar = "#" * self.WIDTH
        what = "snapshot" if progress.snapshot else "changes"
        line = f"registry {what} [{bar}] {progress.pages} pages, {progress.records:,} records"
        if self.tty:
            self.out.write("\r" + line)
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def close(self) -> None:
        """End the progress line."""
        if self.tty and self.ticks:
            self.out.write("\n")
            self.out.flush()


def print_round(result: Any, out: TextIO) -> None:
    """One round's outcome in a few lines."""
    if result.pulled is not None:
        p = result.pulled
        kind = "snapshot" if p.snapshot else "changes"
        print(
            f"registry: {p.records} records in {p.pages} pages ({kind}), version {p.version}",
            file=out,
        )
    if result.pushed is not None:
        q = result.pushed
        print(
            f"upload: {q.sent} records acknowledged ({q.duplicates} already held), "
            f"{q.rejected} rejected; server chain {q.chain or '-'}",
            file=out,
        )
    print_status_line(result.status, out)


def print_status_line(status: Any, out: TextIO) -> None:
    """The status in one line (what ``kiosk sync`` prints after every round)."""
    state = "error: " + status.last_error if status.last_error else "ok"
    oldest = status.oldest_dataset(dt.datetime.now(dt.UTC))
    older = ""
    if oldest is not None:
        name, age = oldest
        older = f"; oldest data {name} " + ("never synced" if age is None else f"{_age(age)} old")
    print(
        f"sync {state}; backlog {status.backlog}, rejected {status.rejected}, "
        f"registry synced {_when(status.registry_synced_at)}{older}",
        file=out,
        flush=True,
    )


def _when(at: dt.datetime | None) -> str:
    return "never" if at is None else at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
