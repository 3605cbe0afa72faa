"""Web benchmark: the dashboard's cross-gate log search over a million records.

The central server's database (SQLite in a temporary data directory, migrated as ``central
serve`` does) is filled with ``--records`` hash-chained decisions of ``--gates`` gates over
30 days, written with one bulk insert. Then, each figure beside its baseline from the same run:

- a page of the search as the dashboard runs it (keyset paging on the ``ix_web_decisions_*``
  indexes), at the start and deep in the results, for each filter — beside the plain
  ``OFFSET`` query for the same page; and the search with the audit row it writes;
- the whole page through HTTP from the real server process (log in, ``GET /admin/log``).

Run: ``scripts/bench web [--records 1000000] [--gates 10] [--repeat 5]``. Prints JSON (last
line) and writes it to ``bench-results/web.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import insert, select

from central import admin
from central.admin import DECISIONS, GATES
from central.context import Central, open_central
from central.web import search, staff
from kiosk.store.db import read_connection, write_connection
from tests.support.central_server import CentralServer
from tests.support.gate_logs import gate_log

DAYS = 30
BATCH = 20_000


def fill(central: Central, records: int, gates: int) -> float:
    """Bulk-insert ``records`` decisions spread over ``gates`` gates; seconds taken."""
    names = [f"gate{g:02d}" for g in range(gates)]
    for name in names:
        admin.add_gate(central, name, "bench")
    with read_connection(central.engine) as conn:
        ids = {r.name: r.id for r in conn.execute(select(GATES.c.id, GATES.c.name))}
    per_gate = records // gates
    step = dt.timedelta(seconds=DAYS * 86_400 / per_gate)
    start = time.perf_counter()
    now = central.now()
    for name in names:
        batch: list[dict[str, Any]] = []
        for r in gate_log(name, per_gate, step=step):
            batch.append(
                {
                    "gate_id": ids[name],
                    "seq": r.seq,
                    "record_id": r.record_id,
                    "kind": r.kind,
                    "at": r.at,
                    "gate": r.gate,
                    "outcome": r.outcome,
                    "person_no": r.person_no,
                    "payload": json.dumps(r.payload, ensure_ascii=False, sort_keys=True),
                    "prev_hash": r.prev_hash,
                    "hash": r.hash,
                    "received_at": now,
                }
            )
            if len(batch) == BATCH:
                _write(central, batch)
                batch = []
        if batch:
            _write(central, batch)
    return time.perf_counter() - start


def _write(central: Central, rows: list[dict[str, Any]]) -> None:
    with write_connection(central.engine) as conn, conn.begin():
        conn.execute(insert(DECISIONS), rows)


def timed(run: Callable[[], Any], repeat: int) -> dict[str, float]:
    """Median and worst of ``repeat`` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2)}


def cursor_at(central: Central, f: search.LogFilter, position: int) -> str | None:
    """The keyset cursor after the ``position``-th matching record (how a user gets there)."""
    d = DECISIONS.c
    stmt = search._where(central, f, select(d.at, d.id))  # noqa: SLF001 - same filter as pages
    stmt = stmt.order_by(d.at.desc(), d.id.desc()).offset(position).limit(1)
    with read_connection(central.engine) as conn:
        row = conn.execute(stmt).one_or_none()
    return None if row is None else search.encode_after(row.at, row.id)


def bench_filters(central: Central, records: int, repeat: int) -> dict[str, Any]:
    """Keyset page vs. OFFSET page, first and deep, for each filter."""
    filters = {
        "none": {},
        "gate": {"gate": "gate03"},
        "outcome": {"outcome": "reject"},
        "time_range": {"start": "2022-01-25T00:00", "end": "2022-01-26T00:00"},
        "reason": {"reason": "FEVER"},
        "role": {"role": "student"},
        "person": {"who": "S0000011"},
    }
    out: dict[str, Any] = {}
    for name, values in filters.items():
        f = search.LogFilter.model_validate({**values, "size": 50})
        deep_position = {"none": records // 2, "gate": records // 20}.get(name, 5_000)
        after = cursor_at(central, f, deep_position - 1)
        deep = f.model_copy(update={"after": after})
        page = deep_position // f.size
        first_rows = len(search.page_of(central, f).rows)
        out[name] = {
            "rows_on_first_page": first_rows,
            "search_with_audit_row": timed(partial(search.search, central, f, "b"), repeat),
            "deep_position": deep_position if after else None,
            "keyset_first_page": timed(partial(search.page_of, central, f), repeat),
            "offset_first_page": timed(partial(search.offset_page, central, f, 0), repeat),
            "keyset_deep_page": timed(partial(search.page_of, central, deep), repeat)
            if after
            else None,
            "offset_deep_page": timed(
                partial(search.offset_page, central, f, page), max(1, repeat // 2)
            )
            if after
            else None,
        }
    return out


def bench_http(data_dir: Path, repeat: int) -> dict[str, Any]:
    """The whole page from the real server process: ``GET /admin/log`` for a few filters."""
    server = CentralServer(data_dir).start()
    try:
        staff.add_staff(server.central, "bench-admin", "bench-password-1", "admin", "", "bench")
        http = requests.Session()
        http.post(
            server.url + "/staff/login",
            data={"username": "bench-admin", "password": "bench-password-1"},
            timeout=60,
        )
        out = {}
        for name, query in {
            "first_page": "",
            "gate": "?gate=gate03",
            "reason": "?reason=FEVER",
            "person": "?who=S0000011",
        }.items():
            answer = http.get(server.url + "/admin/log" + query, timeout=120)
            assert answer.status_code == 200, answer.status_code
            page = partial(http.get, server.url + "/admin/log" + query, timeout=120)
            out[name] = timed(page, repeat)
        return out
    finally:
        server.close()


def main(argv: list[str] | None = None) -> int:
    """Fill the database, run the page benchmarks and print one JSON document."""
    parser = argparse.ArgumentParser(prog="scripts/bench web")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--gates", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="web-bench-") as tmp:
        data_dir = Path(tmp) / "central"
        central = open_central(data_dir)
        admin.ensure_issuer(central)
        fill_s = fill(central, args.records, args.gates)
        size_mb = sum(p.stat().st_size for p in data_dir.glob("central.db*")) / 1e6
        result = {
            "benchmark": "web",
            "machine": {"cpus": os.cpu_count()},
            "records": admin.decision_count(central),
            "gates": args.gates,
            "fill_s": round(fill_s, 1),
            "database_mb": round(size_mb, 1),
            "search": bench_filters(central, args.records, args.repeat),
        }
        central.engine.dispose()
        result["http_page"] = bench_http(data_dir, args.repeat)
    text = json.dumps(result, ensure_ascii=False)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "web.json").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
