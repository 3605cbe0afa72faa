"""Start-up choices that keep first-time work away from the first person in the queue."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from kiosk.ui.startup import freeze_startup_objects

COUNT_TYPES = "import kiosk.ui.app, PySide6.QtWidgets as w; print(len(vars(w)))"


def _widget_types(env: dict[str, str]) -> int:
    done = subprocess.run(
        [sys.executable, "-c", COUNT_TYPES], env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )
    return int(done.stdout.strip())


@pytest.mark.timeout(150)
def test_the_screen_package_makes_pyside_create_its_types_when_it_loads() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYSIDE6_OPTION_LAZY"}
    eager = _widget_types(env)
    lazy = _widget_types({**env, "PYSIDE6_OPTION_LAZY": "1"})  # PySide's own default
    assert eager > 150 > lazy


def test_freezing_keeps_what_lives_now_out_of_later_collections() -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
