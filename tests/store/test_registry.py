from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import Engine

from kiosk.core.registry import (
    Checkin,
    LeaveApproval,
    Person,
    Quarantine,
    Revocation,
    RiskArea,
    StayApproval,
    TrustKey,
    VisitApproval,
)
from kiosk.store.registry import (
    RegistrySnapshot,
    RegistryWriter,
    SqlRegistry,
    registry_status,
)
from tests.store.conftest import NOW

UTC = dt.UTC
H = dt.timedelta(hours=1)
ALICE = Person("S2020001", "student", "王*", "a" * 64, "410105********1234", "计算机学院", True)
BOB = Person("T1001", "staff", "李*", None, None, "", False)
VISIT = VisitApproval(
    "V-0001",
    "王*",
    "b" * 64,
    "410200",
    "计算机学院",
    "T1001",
    dt.date(2022, 1, 20),
    ("north", "east"),
    NOW - 48 * H,
    "approved",
    id_masked="410205********3456",
)
LEAVE = LeaveApproval("L1", "S2020001", "campus_exit", NOW - H, NOW + 5 * H, "410102", "approved")
KEY = TrustKey(
    b"\x01" * 8, "EdDSA", b"\x30\x2a" + b"k" * 42, "school", NOW - 9 * H, None, ("CP1", "VA1")
)


def snapshot(version: str = "v1") -> RegistrySnapshot:
    return RegistrySnapshot(
        version=version,
        synced_at=NOW,
        people=[ALICE, BOB],
        visit_approvals=[VISIT],
        stay_approvals=[
            StayApproval("S2020001", dt.date(2022, 1, 15), dt.date(2022, 2, 20), "approved")
        ],
        leave_approvals=[LEAVE],
        quarantines=[
            Quarantine("b" * 64, None, NOW - 240 * H, NOW + 96 * H),
            Quarantine(None, "S2020001", NOW - 24 * H, None),
        ],
        risk_areas=[
            RiskArea("410102", "medium", NOW - 120 * H, None),
            RiskArea("410102", "high", NOW - 500 * H, NOW - 300 * H),
            RiskArea("420100", "high", NOW - 120 * H, None),
        ],
        checkins=[Checkin("T1001", dt.date(2022, 1, 20), "normal")],
        revocations=[Revocation("campus_pass", "S2020009")],
        trust_keys=[KEY],
    )


@pytest.fixture
def registry(engine: Engine):
    RegistryWriter(engine).replace(snapshot())
    reader = SqlRegistry(engine)
    yield reader
    reader.close()


def test_every_lookup_returns_the_core_records(registry: SqlRegistry) -> None:
    assert registry.version == "v1"
    assert registry.synced_at == NOW
    assert registry.person("S2020001") == ALICE
    assert registry.person("T1001") == BOB
    assert registry.person("nobody") is None
    assert registry.person_by_id("a" * 64) == ALICE
    assert registry.person_by_id("c" * 64) is None
    assert registry.visit_approval("V-0001") == VISIT
    assert registry.visit_approval("V-9999") is None
    assert registry.visit_approvals_for("b" * 64) == [VISIT]
    assert registry.visit_approvals_for("a" * 64) == []
    assert [s.until for s in registry.stay_approvals("S2020001")] == [dt.date(2022, 2, 20)]
    assert registry.leave_approvals("S2020001") == [LEAVE]
    assert registry.leave_approvals("T1001") == []
    assert [q.until for q in registry.quarantines("b" * 64, None)] == [NOW + 96 * H]
    assert [q.until for q in registry.quarantines(None, "S2020001")] == [None]
    assert len(registry.quarantines("b" * 64, "S2020001")) == 2
    assert registry.quarantines(None, None) == []
    areas = registry.risk_areas(["410102", "110000"])
    assert [(a.region_code, a.level) for a in areas] == [("410102", "high"), ("410102", "medium")]
    assert registry.risk_areas([]) == []
    assert registry.checkin("T1001", dt.date(2022, 1, 20)) == Checkin(
        "T1001", dt.date(2022, 1, 20), "normal"
    )
    assert registry.checkin("T1001", dt.date(2022, 1, 21)) is None
    assert registry.is_revoked("campus_pass", "S2020009")
    assert not registry.is_revoked("campus_pass", "S2020001")
    assert registry.trust_keys() == [KEY]


def test_times_come_back_aware_in_utc(registry: SqlRegistry) -> None:
    leave = registry.leave_approvals("S2020001")[0]
    assert leave.start.tzinfo == dt.UTC and leave.start == NOW - H


def test_snapshot_reads_are_consistent_and_see_later_writes(engine, registry) -> None:
    writer = RegistryWriter(engine)
    with registry.snapshot():
        assert registry.person("S3") is None
        writer.upsert_people([Person("S3", "student", "张*", None, None)])
        assert registry.person("S3") is None  # same read transaction
    assert registry.person("S3") is not None  # a new lookup sees the commit


def test_replace_drops_what_the_new_snapshot_lacks(engine, registry) -> None:
    RegistryWriter(engine).replace(RegistrySnapshot("v2", NOW + H, people=[BOB]))
    assert registry.person("S2020001") is None
    assert registry.visit_approval("V-0001") is None
    assert registry.trust_keys() == []
    assert registry.version == "v2"
    status = registry_status(engine)
    assert status.counts["people"] == 1 and status.counts["visit_approvals"] == 0


def test_a_failed_replace_leaves_the_old_registry(engine, registry) -> None:
    bad = snapshot("v2")
    bad.people.append(ALICE)  # duplicate primary key
    with pytest.raises(Exception, match="UNIQUE"):
        RegistryWriter(engine).replace(bad)
    assert registry.version == "v1"
    assert registry.person("T1001") == BOB


def test_upserts_update_by_natural_key(engine, registry) -> None:
    w = RegistryWriter(engine)
    w.upsert_people([Person("S2020001", "student", "王*", "a" * 64, None, "", False)])
    w.upsert_visit_approvals([VisitApproval(**{**VISIT.__dict__, "status": "cancelled"})])
    w.upsert_stay_approvals(
        [StayApproval("S2020001", dt.date(2022, 1, 15), dt.date(2022, 1, 30), "approved")]
    )
    w.upsert_leave_approvals([LeaveApproval(**{**LEAVE.__dict__, "until": NOW + 2 * H})])
    w.upsert_quarantines([Quarantine(None, "S2020001", NOW - 24 * H, NOW)])
    w.upsert_risk_areas([RiskArea("410102", "high", NOW - 120 * H, None)])
    w.upsert_checkins([Checkin("T1001", dt.date(2022, 1, 20), "abnormal")])
    w.upsert_revocations([Revocation("campus_pass", "S2020009")])
    w.upsert_trust_keys([TrustKey(b"\x01" * 8, "ES256", b"k", "school")])
    assert registry.person("S2020001").active is False
    assert registry.visit_approval("V-0001").status == "cancelled"
    assert [s.until for s in registry.stay_approvals("S2020001")] == [dt.date(2022, 1, 30)]
    assert registry.leave_approvals("S2020001")[0].until == NOW + 2 * H
    assert [q.until for q in registry.quarantines(None, "S2020001")] == [NOW]
    assert [a.level for a in registry.risk_areas(["410102"])] == ["high", "high"]
    assert registry.checkin("T1001", dt.date(2022, 1, 20)).status == "abnormal"
    assert registry_status(engine).counts["revocations"] == 1
    assert [k.alg for k in registry.trust_keys()] == ["ES256"]


def test_removed_trust_key_is_gone(engine, registry) -> None:
    from kiosk.store.records import TRUST_KEYS

    assert RegistryWriter(engine).delete(TRUST_KEYS, [KEY]) == 1
    assert registry.trust_keys() == []


def test_close_leave_records_the_return_once(engine, registry) -> None:
    w = RegistryWriter(engine)
    assert w.close_leave("L1", NOW + 3 * H)
    assert not w.close_leave("L1", NOW + 4 * H)
    assert not w.close_leave("L-unknown", NOW)
    assert registry.leave_approvals("S2020001")[0].returned_at == NOW + 3 * H


def test_version_and_sync_time(engine, registry) -> None:
    w = RegistryWriter(engine)
    w.set_version("v7", NOW + H)
    assert (registry.version, registry.synced_at) == ("v7", NOW + H)
    w.mark_synced(NOW + 2 * H)
    assert (registry.version, registry.synced_at) == ("v7", NOW + 2 * H)
    with pytest.raises(ValueError, match="naive"):
        w.mark_synced(dt.datetime(2022, 1, 20))


def test_empty_registry(engine) -> None:
    reader = SqlRegistry(engine)
    assert reader.version == "" and reader.synced_at is None
    assert reader.person("x") is None
    reader.close()


@pytest.mark.slow
def test_100k_people_load_fast_and_lookups_stay_sub_millisecond(engine) -> None:
    people = [
        Person(f"S{i:07d}", "student", "王*", f"{i:064x}", None, "cs", True) for i in range(100_000)
    ]
    visits = [
        VisitApproval(
            f"V-{i:06d}",
            "王*",
            f"{i + 10**6:064x}",
            "410200",
            "cs",
            "T1",
            dt.date(2022, 1, 20),
            (),
            NOW,
            "approved",
        )
        for i in range(10_000)
    ]
    started = time.perf_counter()
    RegistryWriter(engine).replace(
        RegistrySnapshot("big", NOW, people=people, visit_approvals=visits)
    )
    assert time.perf_counter() - started < 15  # a few seconds on a gate PC; generous for CI
    reader = SqlRegistry(engine)
    best = float("inf")
    for i in range(0, 100_000, 997):
        t0 = time.perf_counter()
        with reader.snapshot():
            assert reader.person(f"S{i:07d}") is not None
            assert reader.person_by_id(f"{i:064x}") is not None
            reader.visit_approval(f"V-{i % 10_000:06d}")
            reader.checkin(f"S{i:07d}", dt.date(2022, 1, 20))
            reader.is_revoked("campus_pass", f"S{i:07d}")
            reader.risk_areas(["410102"])
        best = min(best, time.perf_counter() - t0)
    reader.close()
    assert best < 0.005  # indexed: far from a table scan of 100 k rows
