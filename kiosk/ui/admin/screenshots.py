"""Pictures of the admin pages, for the documentation and the demo's report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from kiosk.ui.admin.window import AdminWindow


def capture_pages(window: AdminWindow, out_dir: Path, suffix: str) -> list[Path]:
    """Save each page of ``window`` as ``admin-<page>-<suffix>.png`` in ``out_dir``.

    Call it once the window's SQL jobs are done (``not window.runner.busy``) so the pages
    show their data, not "loading".
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    for name in AdminWindow.PAGES:
        window.show_page(name)
        for _ in range(3):
            QCoreApplication.processEvents()
        path = out_dir / f"admin-{name}-{suffix}.png"
        if not window.grab().save(str(path)):
            raise OSError(f"{path}: could not save the screenshot")
        saved.append(path)
    return saved
