"""The registry snapshot in SQL: :class:`SqlRegistry` reads it, :class:`RegistryWriter` writes it.

Reads are indexed point lookups on one long-lived connection (serialised by a lock), each in
its own short read transaction unless the caller groups several in :meth:`SqlRegistry.snapshot`.
Writes run in one ``BEGIN IMMEDIATE`` transaction each, so a reader never sees half a snapshot.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, delete, func, select

from kiosk.core.datasets import DATASETS, DatasetTimes
from kiosk.core.registry import (
    Checkin,
    LeaveApproval,
    Person,
    Quarantine,
    RegistrySnapshot,
    RiskArea,
    StayApproval,
    TrustKey,
    Vehicle,
    VisitApproval,
)
from kiosk.store import models as m
from kiosk.store import records as rec
from kiosk.store.changes import ChangeSet, Key, check, key_of, snapshot_changes
from kiosk.store.dataset_times import (
    TIMES,
    DatasetSync,
    check_sources,
    oldest_synced,
    times_of,
    write_synced,
)
from kiosk.store.db import begin_read, read_connection, write_connection

__all__ = [
    "ApplyReport",
    "ChangeSet",
    "RegistrySnapshot",
    "RegistryStatus",
    "RegistryWriter",
    "SqlRegistry",
    "registry_status",
]

log = logging.getLogger(__name__)

R = TypeVar("R")

META_VERSION = "registry_version"
BATCH = 5_000


@dataclass(frozen=True)
class RegistryStatus:
    """Row counts per table, the registry version and when it was last synced."""

    counts: dict[str, int]
    version: str
    synced_at: dt.datetime | None
    datasets: list[DatasetSync]
    """How current each dataset is (R15)."""


def _col(kind: rec.RecordKind[Any], name: str) -> Any:
    return kind.table.c[name]


class SqlRegistry:
    """:class:`kiosk.core.registry.RegistryView` over the store's tables."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._lock = threading.RLock()
        self._in_snapshot = 0
        # On SQLite a lookup outside a snapshot needs no transaction; elsewhere end each one.
        self._end_each_read = engine.dialect.name != "sqlite"
        p, v = rec.PEOPLE.table, rec.VISIT_APPROVALS.table
        meta = rec.table_of(m.MetaRow)
        self._q_meta = select(meta.c.value).where(meta.c.key == bindparam("key"))
        self._q_person = select(p).where(p.c.person_no == bindparam("person_no"))
        self._q_person_by_id = (
            select(p).where(p.c.id_hmac == bindparam("id_hmac")).order_by(p.c.person_no).limit(1)
        )
        self._q_visit = select(v).where(v.c.approval_no == bindparam("approval_no"))
        self._q_visits_for = (
            select(v).where(v.c.id_hmac == bindparam("id_hmac")).order_by(v.c.visit_date)
        )
        self._q_visits_for_plate = (
            select(v).where(v.c.plate == bindparam("plate")).order_by(v.c.visit_date)
        )
        veh = rec.VEHICLES.table
        self._q_vehicle = select(veh).where(veh.c.plate == bindparam("plate"))
        self._q_stays = self._by_person(rec.STAY_APPROVALS, "start")
        self._q_leaves = _leaves_with_local_returns()
        q = rec.QUARANTINES.table
        self._q_quarantine_id = select(q).where(q.c.id_hmac == bindparam("id_hmac"))
        self._q_quarantine_person = select(q).where(q.c.person_no == bindparam("person_no"))
        r = rec.RISK_AREAS.table
        self._q_risk = (
            select(r)
            .where(r.c.region_code.in_(bindparam("codes", expanding=True)))
            .order_by(r.c.region_code, r.c.start)
        )
        c = rec.CHECKINS.table
        self._q_checkin = select(c).where(
            c.c.person_no == bindparam("person_no"), c.c.date == bindparam("date")
        )
        x = rec.REVOCATIONS.table
        self._q_revoked = select(x.c.kind).where(
            x.c.kind == bindparam("kind"), x.c.person_no == bindparam("person_no")
        )
        self._q_trust = select(rec.TRUST_KEYS.table).order_by(rec.TRUST_KEYS.table.c.kid)
        self._q_times = select(TIMES)

    @staticmethod
    def _by_person(kind: rec.RecordKind[Any], order: str) -> Any:
        return (
            select(kind.table)
            .where(_col(kind, "person_no") == bindparam("person_no"))
            .order_by(_col(kind, order))
        )

    def close(self) -> None:
        """Return the connection to the pool."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = read_connection(self._engine)
        return self._conn

    @contextmanager
    def snapshot(self) -> Iterator[SqlRegistry]:
        """Answer every lookup inside the block from one consistent read transaction."""
        with self._lock:
            if not self._in_snapshot:
                begin_read(self._connection())
            self._in_snapshot += 1
            try:
                yield self
            finally:
                self._in_snapshot -= 1
                if not self._in_snapshot:
                    self._connection().rollback()

    def _rows(self, stmt: Any, **params: Any) -> Sequence[Any]:
        with self._lock:
            conn = self._connection()
            try:
                return conn.execute(stmt, params).mappings().all()
            finally:
                if self._end_each_read and not self._in_snapshot:
                    conn.rollback()

    def _one(self, kind: rec.RecordKind[R], stmt: Any, **params: Any) -> R | None:
        rows = self._rows(stmt, **params)
        return kind.from_row(rows[0]) if rows else None

    def _all(self, kind: rec.RecordKind[R], stmt: Any, **params: Any) -> list[R]:
        return [kind.from_row(r) for r in self._rows(stmt, **params)]

    def _meta(self, key: str) -> str | None:
        rows = self._rows(self._q_meta, key=key)
        return str(rows[0]["value"]) if rows else None

    @property
    def version(self) -> str:
        """Version of the registry data as set by the last sync or import ("" if none)."""
        return self._meta(META_VERSION) or ""

    @property
    def synced_at(self) -> dt.datetime | None:
        """When every dataset was last known to match the central server together."""
        return oldest_synced(self.dataset_syncs())

    @property
    def data_as_of(self) -> DatasetTimes:
        """How current the copy of each dataset is (R15)."""
        return times_of(self.dataset_syncs())

    def dataset_syncs(self) -> list[DatasetSync]:
        """Sync and source time of every dataset, in ``DATASETS`` order."""
        rows = {r["dataset"]: r for r in self._rows(self._q_times)}
        return [
            DatasetSync(name, rows[name]["synced_at"], rows[name]["source_at"])
            if name in rows
            else DatasetSync(name, None)
            for name in DATASETS
        ]

    def person(self, person_no: str) -> Person | None:
        """The person with this campus number."""
        return self._one(rec.PEOPLE, self._q_person, person_no=person_no)

    def person_by_id(self, id_hmac: str) -> Person | None:
        """The person whose ID number has this keyed HMAC."""
        return self._one(rec.PEOPLE, self._q_person_by_id, id_hmac=id_hmac)

    def visit_approval(self, approval_no: str) -> VisitApproval | None:
        """The visit approval with this number."""
        return self._one(rec.VISIT_APPROVALS, self._q_visit, approval_no=approval_no)

    def visit_approvals_for(self, id_hmac: str) -> list[VisitApproval]:
        """Every visit approval of the visitor with this ID HMAC, by visit date."""
        return self._all(rec.VISIT_APPROVALS, self._q_visits_for, id_hmac=id_hmac)

    def visit_approvals_for_plate(self, plate: str) -> list[VisitApproval]:
        """Every visit approval naming this (normalised) plate, by visit date."""
        return self._all(rec.VISIT_APPROVALS, self._q_visits_for_plate, plate=plate)

    def vehicle(self, plate: str) -> Vehicle | None:
        """The campus vehicle list's entry for this (normalised) plate."""
        return self._one(rec.VEHICLES, self._q_vehicle, plate=plate)

    def stay_approvals(self, person_no: str) -> list[StayApproval]:
        """Every stay approval of a student, by start date."""
        return self._all(rec.STAY_APPROVALS, self._q_stays, person_no=person_no)

    def leave_approvals(self, person_no: str) -> list[LeaveApproval]:
        """Every leave approval of a person, by start time."""
        return self._all(rec.LEAVE_APPROVALS, self._q_leaves, person_no=person_no)

    def quarantines(self, id_hmac: str | None, person_no: str | None) -> list[Quarantine]:
        """Quarantine records naming this ID HMAC or this person number (no duplicates)."""
        found: list[Quarantine] = []
        if id_hmac:
            found += self._all(rec.QUARANTINES, self._q_quarantine_id, id_hmac=id_hmac)
        if person_no:
            found += self._all(rec.QUARANTINES, self._q_quarantine_person, person_no=person_no)
        return list(dict.fromkeys(found))

    def risk_areas(self, region_codes: list[str]) -> list[RiskArea]:
        """Every listed risk area for these region codes, whatever its time window."""
        if not region_codes:
            return []
        return self._all(rec.RISK_AREAS, self._q_risk, codes=sorted(set(region_codes)))

    def checkin(self, person_no: str, date: dt.date) -> Checkin | None:
        """The person's daily health check-in for ``date``."""
        return self._one(rec.CHECKINS, self._q_checkin, person_no=person_no, date=date)

    def is_revoked(self, kind: str, person_no: str) -> bool:
        """Whether the person's credential of this kind is revoked."""
        return bool(self._rows(self._q_revoked, kind=kind, person_no=person_no))

    def trust_keys(self) -> list[TrustKey]:
        """Every trusted public key (the key ring filters by validity window)."""
        return self._all(rec.TRUST_KEYS, self._q_trust)


@dataclass(frozen=True)
class ApplyReport:
    """What one :meth:`RegistryWriter.apply` wrote: records upserted and deleted per kind."""

    upserted: dict[str, int]
    deleted: dict[str, int]
    version: str | None
    synced_at: dt.datetime | None


class RegistryWriter:
    """Writes the registry: every change set in one transaction, all or nothing."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def apply(
        self,
        changes: ChangeSet,
        version: str | None,
        *,
        synced_at: dt.datetime | None = None,
        sources: Mapping[str, dt.datetime] | None = None,
    ) -> ApplyReport:
        """Apply ``changes`` in one transaction; ``version`` and ``synced_at`` (when given)
        are recorded in the same transaction, so they move only if every change commits.

        A sync passes the feed's version and the time of the answer that made it current;
        every dataset is then current as of ``synced_at``, and ``sources`` gives the server's
        time of its source's last delivery for some datasets (R15). An import passes ``None``
        for all (an import is not a sync). Raises ``ValueError`` before writing anything if a
        kind, record, key or time is malformed.
        """
        check(changes)
        if synced_at is not None:
            _iso(synced_at)  # a naive time is refused before anything is written
        if sources and synced_at is None:
            raise ValueError("source times come only with a sync time")
        check_sources(sources or {})
        kinds = {kind.name: kind for kind in rec.ALL_KINDS}
        upserted: dict[str, int] = {}
        deleted: dict[str, int] = {}
        with write_connection(self._engine) as conn, conn.begin():
            for kind in rec.ALL_KINDS:
                if kind.name in changes.replace:
                    result = conn.execute(delete(kind.table))
                    deleted[kind.name] = int(result.rowcount or 0)
            for name, keys in changes.delete.items():
                gone = _delete_keys(conn, kinds[name], keys)
                deleted[name] = deleted.get(name, 0) + gone
            for name, records in changes.upsert.items():
                emptied = name in changes.replace and not changes.delete.get(name)
                upserted[name] = _upsert(conn, kinds[name], records, emptied=emptied)
            if version is not None:
                _set_meta(conn, META_VERSION, version)
            if synced_at is not None:
                write_synced(conn, synced_at, sources)
        report = ApplyReport(upserted, deleted, version, synced_at)
        log.info(
            "registry change set applied%s: upserted %s; deleted %s",
            f" (version {version})" if version is not None else "",
            _counts(upserted),
            _counts(deleted),
        )
        return report

    def replace(self, snapshot: RegistrySnapshot) -> ApplyReport:
        """Make the registry equal to ``snapshot`` (every kind, trust keys, version, sync time).

        Local facts (a return that closed a leave) are not part of the snapshot and survive.
        """
        return self.apply(
            snapshot_changes(snapshot), snapshot.version, synced_at=snapshot.synced_at
        )


def _leaves_with_local_returns() -> Any:
    """A person's leaves, each closed by the synced ``returned_at`` or a local return."""
    lv, back = rec.LEAVE_APPROVALS.table, rec.table_of(m.LeaveReturnRow)
    returned = func.coalesce(lv.c.returned_at, back.c.returned_at).label("returned_at")
    columns = [c for c in lv.c if c.name != "returned_at"] + [returned]
    return (
        select(*columns)
        .select_from(lv.outerjoin(back, back.c.leave_id == lv.c.leave_id))
        .where(lv.c.person_no == bindparam("person_no"))
        .order_by(lv.c.start)
    )


def registry_status(engine: Engine) -> RegistryStatus:
    """Count the rows of every registry table and read the version and sync time."""
    reader = SqlRegistry(engine)
    try:
        counts: dict[str, int] = {}
        with engine.connect() as conn:
            for kind in rec.ALL_KINDS:
                counts[kind.name] = int(
                    conn.execute(select(func.count()).select_from(kind.table)).scalar_one()
                )
        datasets = reader.dataset_syncs()
        return RegistryStatus(
            counts=counts,
            version=reader.version,
            synced_at=oldest_synced(datasets),
            datasets=datasets,
        )
    finally:
        reader.close()


def _iso(at: dt.datetime) -> str:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at.isoformat()} (give a time zone)")
    return at.astimezone(dt.UTC).isoformat()


def _set_meta(conn: Connection, key: str, value: str) -> None:
    t = rec.table_of(m.MetaRow)
    conn.execute(delete(t).where(t.c.key == key))
    conn.execute(t.insert().values(key=key, value=value))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "nothing"


def _insert(conn: Connection, kind: rec.RecordKind[R], records: Iterable[R]) -> None:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(kind.to_row(record))
        if len(batch) >= BATCH:
            conn.execute(kind.table.insert(), batch)
            batch = []
    if batch:
        conn.execute(kind.table.insert(), batch)


def _delete_keys(conn: Connection, kind: rec.RecordKind[Any], keys: Sequence[Key]) -> int:
    """Delete the rows with these natural keys (a null key field matches null)."""
    if not keys:
        return 0
    table = kind.table
    params = [{f"k_{c}": key[c] for c in kind.key} for key in keys]
    stmt = delete(table).where(
        *(table.c[c].is_not_distinct_from(bindparam(f"k_{c}")) for c in kind.key)
    )
    result = conn.execute(stmt, params)
    return int(result.rowcount or 0)


def _upsert(
    conn: Connection, kind: rec.RecordKind[R], records: Sequence[R], *, emptied: bool
) -> int:
    """Write ``records`` (the last one per natural key wins); an ``emptied`` table has no
    rows to replace."""
    latest = {tuple(key_of(kind, r).values()): r for r in records}
    unique = list(latest.values())
    if not emptied:
        _delete_keys(conn, kind, [key_of(kind, r) for r in unique])
    _insert(conn, kind, unique)
    return len(unique)
