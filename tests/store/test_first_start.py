"""First start on a fresh data directory: processes starting together, files owner-only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kiosk.config import load_kiosk_config
from kiosk.store import open_store
from kiosk.store.db import migrate, open_engine

ROOT = Path(__file__).resolve().parents[2]

# Each process imports everything first, then waits for the common start time, so the
# processes really open the fresh database together.
STARTER = textwrap.dedent(
    """
    import sys, time
    from kiosk.cli import main
    import kiosk.store.store, kiosk.commands.log, kiosk.commands.registry  # noqa: F401
    start = float(sys.argv[1])
    time.sleep(max(0.0, start - time.time()))
    sys.exit(main(sys.argv[2:]))
    """
)


def _config(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[gate]\nid = "north"\n[paths]\ndata_dir = "{name}"\n', encoding="utf-8")
    return path


@pytest.mark.slow
def test_commands_starting_together_on_a_fresh_data_directory_all_succeed(tmp_path: Path):
    commands = (["registry", "status"], ["log", "tail"], ["log", "verify"], ["log", "purge"])
    failures: list[str] = []
    for attempt in range(4):
        config = _config(tmp_path, f"var{attempt}")
        start = time.time() + 1.5
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", STARTER, str(start), "--config", str(config), *command],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for command in commands
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            if proc.returncode != 0:
                failures.append(f"attempt {attempt}: exit {proc.returncode}: {err[-300:]}")
    assert failures == []


def test_data_directory_and_database_files_are_owner_only(tmp_path: Path) -> None:
    store = open_store(load_kiosk_config(_config(tmp_path, "var")))
    store.log.append("audit", _now(), {"action": "test"}, gate="north")
    data = tmp_path / "var"
    files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir() if p.is_file()}
    store.close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm"} <= set(files)
    assert set(files.values()) == {0o600}, files


def test_files_made_before_the_rule_are_made_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "var"
    store = open_store(load_kiosk_config(_config(tmp_path, "var")))
    store.close()
    data.chmod(0o755)
    for p in data.iterdir():
        p.chmod(0o644)
    old = os.umask(0o022)
    try:
        store = open_store(load_kiosk_config(_config(tmp_path, "var")))
        store.log.append("audit", _now(), {"action": "test"}, gate="north")
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir()}
        store.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert set(modes.values()) == {0o600}, modes


def _now():
    import datetime as dt

    return dt.datetime.now(dt.UTC)


def test_a_database_url_in_a_shared_folder_leaves_that_folder_as_it_is(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp
    engine = open_engine(f"sqlite:///{shared / 'dev.db'}")
    migrate(engine)
    engine.dispose()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "dev.db").stat().st_mode) == 0o600
    made = tmp_path / "new" / "dir"
    open_engine(f"sqlite:///{made / 'dev.db'}").dispose()
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
