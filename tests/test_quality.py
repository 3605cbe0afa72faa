"""Static checks run as tests: ruff, mypy and the import contracts (Qt only in kiosk.ui)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PACKAGES = ["kiosk", "drivers", "central", "scripts", "tests"]


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.timeout(600)
def test_ruff_is_clean() -> None:
    result = _run(str(BIN / "ruff"), "check", *PACKAGES)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.timeout(900)
def test_mypy_is_clean() -> None:
    result = _run(str(BIN / "mypy"), *PACKAGES)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.timeout(600)
def test_import_contracts_hold() -> None:
    result = _run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
