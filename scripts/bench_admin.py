"""Admin screen benchmark over a synthetic log of 100 k chained records (real SQLite file).

Each figure sits beside a baseline measured in the same run:
- SQL behind the log browser (first page, filtered page and count, search, a day's charts,
  chain verification) vs. plain ``sqlite3`` reading the same number of rows in seq order;
- the UI thread's longest stall (a 10 ms ``QTimer``'s worst lateness) while the admin window
  runs those queries on its SQL thread, vs. the same event loop left idle for as long
  (budget: 50 ms).

Run: ``scripts/bench admin [--records 100000] [--repeats 5]``. The last line printed is the
JSON; it is also written to ``bench-results/admin.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import kiosk.ui  # noqa: E402, F401, I001 - before PySide6: it sets PySide's options as `kiosk run` has them

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QTimer  # noqa: E402
from sqlalchemy import text  # noqa: E402

from kiosk.config import load_kiosk_config  # noqa: E402
from kiosk.store import Store, open_store  # noqa: E402
from kiosk.ui.admin import AdminWindow  # noqa: E402
from kiosk.ui.admin import query as q  # noqa: E402
from kiosk.ui.admin.query import LogFilter  # noqa: E402
from kiosk.ui.admin.sample_log import fill_log  # noqa: E402
from kiosk.ui.app import qt_application  # noqa: E402
from kiosk.ui.i18n import Languages  # noqa: E402

LAST_DAY = dt.date(2022, 1, 10)
STALL_BUDGET_MS = 50.0


def timed(fn: Callable[[], Any], repeats: int) -> dict[str, float]:
    """p50 and max of ``repeats`` runs, in ms."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(statistics.median(runs), 2), "max_ms": round(max(runs), 2)}


def bench_sql(store: Store, db: Path, repeats: int) -> dict[str, Any]:
    engine = store.engine
    some_person = engine.connect().execute(
        text("SELECT person_no FROM log_events WHERE person_no IS NOT NULL LIMIT 1 OFFSET 5000")
    ).scalar_one()
    reject_in = LogFilter(outcome="reject", direction="in", reason="FEVER")
    cases: dict[str, Callable[[], Any]] = {
        "first_page": lambda: q.fetch_page(engine, LogFilter(), 0),
        "count_all": lambda: q.count(engine, LogFilter()),
        "filtered_page": lambda: q.fetch_page(engine, reject_in, 0),
        "filtered_count": lambda: q.count(engine, reject_in),
        "search_page": lambda: q.fetch_page(engine, LogFilter(search=some_person), 0),
        "sorted_by_role_page": lambda: q.fetch_page(engine, LogFilter(sort="role"), 0),
        "day_charts": lambda: q.day_stats(engine, LAST_DAY, store.tz),
        "verify_chain": lambda: store.log.verify(),
    }
    figures = {
        name: timed(fn, repeats if name != "verify_chain" else 1) for name, fn in cases.items()
    }

    plain = sqlite3.connect(db)
    figures["baseline_sqlite3_page"] = timed(
        lambda: plain.execute(
            "SELECT seq, at, kind, outcome, person_no, payload FROM log_events "
            "ORDER BY seq DESC LIMIT 200"
        ).fetchall(),
        repeats,
    )
    figures["baseline_sqlite3_scan_all"] = timed(
        lambda: plain.execute("SELECT seq, payload FROM log_events").fetchall(), 1
    )
    plain.close()
    return figures


class Meter:
    """Worst lateness of a 10 ms timer on the UI thread."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.ticks = 0
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self.tick)

    def tick(self) -> None:
        elapsed = self.clock.nsecsElapsed() / 1e6
        self.clock.restart()
        self.ticks += 1
        self.worst = max(self.worst, elapsed - 10)

    def run(self, until: Callable[[], bool], max_s: float = 120) -> float:
        self.worst, self.ticks = 0.0, 0
        self.clock.start()
        self.timer.start()
        start = time.monotonic()
        while not until() and time.monotonic() - start < max_s:
            QCoreApplication.processEvents()
            time.sleep(0.001)
        self.timer.stop()
        return time.monotonic() - start


def bench_ui(store: Store, config: Any) -> dict[str, Any]:
    app = qt_application(headless=True)  # as `kiosk run` makes it: CJK font, Qt messages logged
    languages = Languages("zh_CN")
    window = AdminWindow(store, config, languages, today=LAST_DAY)
    window.show()
    meter = Meter()
    opened_s = meter.run(lambda: not window.runner.busy)
    opening = meter.worst
    page = window.log_page
    filters = [
        LogFilter(outcome="reject"),
        LogFilter(outcome="reject", reason="FEVER", direction="in"),
        LogFilter(role="visitor"),
        LogFilter(kind="decision", role="student", direction="out"),
        LogFilter(sort="role", descending=False),
    ]
    phases: dict[str, float] = {}
    busy_s = 0.0

    def phase(name: str) -> None:
        nonlocal busy_s
        busy_s += meter.run(lambda: not window.runner.busy)
        phases[name] = round(max(phases.get(name, 0.0), meter.worst), 1)

    for flt in filters:
        page.set_filter(flt)
        phase("filter")
        for _ in range(3):  # scroll: three more pages
            page.model.fetchMore()
            phase("scroll")
    window.charts_page.set_day(LAST_DAY - dt.timedelta(days=1))
    phase("charts")
    window.verify_page.run()
    phase("verify")
    worst = max(phases.values())
    idle_for = max(1.0, busy_s / 4)
    deadline = time.monotonic() + idle_for
    meter.run(lambda: time.monotonic() > deadline)
    window.close()
    del app
    return {
        "ui_stall_max_ms": round(max(worst, opening), 1),
        "ui_stall_budget_ms": STALL_BUDGET_MS,
        "ui_stall_while_opening_ms": round(opening, 1),
        "ui_stall_by_phase_ms": phases,
        "busy_s": round(busy_s + opened_s, 2),
        "baseline_idle_loop_stall_ms": round(meter.worst, 1),
        "baseline_idle_s": round(idle_for, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench admin")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-admin-") as tmp:
        file = Path(tmp) / "kiosk.toml"
        file.write_text('[paths]\ndata_dir = "data"\n')
        config = load_kiosk_config(file)
        store = open_store(config)
        start = time.perf_counter()
        fill_log(store.engine, args.records, last_day=LAST_DAY, tz=store.tz)
        fill_s = time.perf_counter() - start
        db = config.data_dir / "kiosk.db"
        result = {
            "benchmark": "admin",
            "machine": {"cpus": os.cpu_count(), "load_1min": round(os.getloadavg()[0], 2)},
            "records": args.records,
            "fill_s": round(fill_s, 1),
            "sql": bench_sql(store, db, args.repeats),
            "ui": bench_ui(store, config),
        }
        store.close()
    line = json.dumps(result, ensure_ascii=False)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "admin.json").write_text(line + "\n", encoding="utf-8")
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
