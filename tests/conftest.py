"""Shared test set-up: Qt offscreen with the kiosk's own PySide options, UTC-independent
clocks."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import kiosk.ui  # noqa: E402, F401, I001 - before pytest-qt loads PySide6: it sets PySide's options
