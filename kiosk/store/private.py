"""Owner-only files and directories for the data at rest (design §6)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


@contextmanager
def owner_only_umask() -> Iterator[None]:
    """Files and directories created inside the block are readable by their owner only."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def private_dir(path: Path, *, tighten: bool = True) -> Path:
    """Create ``path`` (and missing parents) owner-only (0700). With ``tighten`` an existing
    ``path`` is made 0700 too (a directory the kiosk owns, such as its data directory);
    without, a directory that already exists is left as it is (the folder a database URL or
    a token file happens to name, which may be shared, like ``/tmp``)."""
    existed = path.is_dir()
    with owner_only_umask():
        path.mkdir(parents=True, exist_ok=True)
    if (tighten or not existed) and stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
        path.chmod(DIR_MODE)
    return path


def restrict_files(*paths: Path) -> None:
    """Make each existing file mode 0600 (files created before this rule, or by SQLite)."""
    for path in paths:
        try:
            if stat.S_IMODE(path.stat().st_mode) != FILE_MODE:
                path.chmod(FILE_MODE)
        except FileNotFoundError:
            continue


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, owner-only (0600), synced to disk."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
