from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import Engine, select

from kiosk.core.registry import (
    Checkin,
    LeaveApproval,
    Person,
    Quarantine,
    Revocation,
    RiskArea,
    StayApproval,
    TrustKey,
    Vehicle,
    VisitApproval,
)
from kiosk.store.changes import ChangeSet
from kiosk.store.local_facts import LeaveReturn
from kiosk.store.models import LeaveReturnRow
from kiosk.store.records import table_of
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
    plate="豫AD12345",
)
CAR = Vehicle("豫A12345", "计算机学院", "T1001", dt.date(2022, 6, 30))
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
        vehicles=[CAR],
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
    assert registry.visit_approvals_for_plate("豫AD12345") == [VISIT]
    assert registry.visit_approvals_for_plate("豫A12345") == []
    assert registry.vehicle("豫A12345") == CAR
    assert registry.vehicle("豫AD12345") is None
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
        writer.apply(
            ChangeSet(upsert={"people": [Person("S3", "student", "张*", None, None)]}), None
        )
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
    bad.people.append(Person("S9", "student", None, None, None))  # type: ignore[arg-type]
    with pytest.raises(Exception, match="NOT NULL"):
        RegistryWriter(engine).replace(bad)
    assert registry.version == "v1"
    assert registry.person("T1001") == BOB


def test_upserts_update_by_natural_key(engine, registry) -> None:
    changes = ChangeSet(
        upsert={
            "people": [Person("S2020001", "student", "王*", "a" * 64, None, "", False)],
            "visit_approvals": [VisitApproval(**{**VISIT.__dict__, "status": "cancelled"})],
            "stay_approvals": [
                StayApproval("S2020001", dt.date(2022, 1, 15), dt.date(2022, 1, 30), "approved")
            ],
            "leave_approvals": [LeaveApproval(**{**LEAVE.__dict__, "until": NOW + 2 * H})],
            "quarantines": [Quarantine(None, "S2020001", NOW - 24 * H, NOW)],
            "risk_areas": [RiskArea("410102", "high", NOW - 120 * H, None)],
            "checkins": [Checkin("T1001", dt.date(2022, 1, 20), "abnormal")],
            "revocations": [Revocation("campus_pass", "S2020009")],
            "trust_keys": [TrustKey(b"\x01" * 8, "ES256", b"k", "school")],
        }
    )
    report = RegistryWriter(engine).apply(changes, "v2", synced_at=NOW + H)
    assert report.upserted == dict.fromkeys(changes.upsert, 1)
    assert registry.person("S2020001").active is False
    assert registry.visit_approval("V-0001").status == "cancelled"
    assert [s.until for s in registry.stay_approvals("S2020001")] == [dt.date(2022, 1, 30)]
    assert registry.leave_approvals("S2020001")[0].until == NOW + 2 * H
    assert [q.until for q in registry.quarantines(None, "S2020001")] == [NOW]
    assert [a.level for a in registry.risk_areas(["410102"])] == ["high", "high"]
    assert registry.checkin("T1001", dt.date(2022, 1, 20)).status == "abnormal"
    assert registry_status(engine).counts["revocations"] == 1
    assert [k.alg for k in registry.trust_keys()] == ["ES256"]
    assert (registry.version, registry.synced_at) == ("v2", NOW + H)


def test_deletes_by_natural_key_over_every_kind(engine, registry) -> None:
    changes = ChangeSet(
        delete={
            "people": [{"person_no": "T1001"}],
            "quarantines": [{"id_hmac": None, "person_no": "S2020001", "start": NOW - 24 * H}],
            "revocations": [{"kind": "campus_pass", "person_no": "S2020009"}],
            "trust_keys": [{"kid": KEY.kid}],
        }
    )
    report = RegistryWriter(engine).apply(changes, "v2")
    assert report.deleted == dict.fromkeys(changes.delete, 1)
    assert registry.person("T1001") is None and registry.person("S2020001") == ALICE
    assert len(registry.quarantines("b" * 64, "S2020001")) == 1
    assert not registry.is_revoked("campus_pass", "S2020009")
    assert registry.trust_keys() == [], "a removed key stops verifying"


def test_a_change_set_failing_midway_changes_nothing(engine, registry) -> None:
    # Everything is valid except the stay (a NOT NULL column given None), which the database
    # refuses only after the deletion, the person and the trust key were written.
    bad_stay = StayApproval("S2020001", dt.date(2022, 1, 15), None, "approved")  # type: ignore[arg-type]
    changes = ChangeSet(
        upsert={
            "people": [Person("S9", "student", "新*", None, None)],
            "trust_keys": [TrustKey(b"\x02" * 8, "ES256", b"k2", "school")],
            "stay_approvals": [bad_stay],
        },
        delete={"revocations": [{"kind": "campus_pass", "person_no": "S2020009"}]},
    )
    with pytest.raises(Exception, match="NOT NULL"):
        RegistryWriter(engine).apply(changes, "v2", synced_at=NOW + H)
    assert registry.person("S9") is None
    assert registry.trust_keys() == [KEY]
    assert registry.is_revoked("campus_pass", "S2020009")
    assert [s.until for s in registry.stay_approvals("S2020001")] == [dt.date(2022, 2, 20)]
    assert (registry.version, registry.synced_at) == ("v1", NOW), "version moves only on commit"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (ChangeSet(upsert={"persons": []}), "unknown registry kind 'persons'"),
        (ChangeSet(upsert={"people": [VISIT]}), r"people\[0\]: expected a Person"),
        (ChangeSet(delete={"people": [{"no": "T1"}]}), r"expected the key fields \['person_no'\]"),
    ],
)
def test_malformed_change_sets_are_refused_before_writing(engine, registry, changes, message):
    with pytest.raises(ValueError, match=message):
        RegistryWriter(engine).apply(changes, "v9")
    assert registry.version == "v1"


def test_version_and_sync_time(engine, registry) -> None:
    w = RegistryWriter(engine)
    w.apply(ChangeSet(), "v7", synced_at=NOW + H)
    assert (registry.version, registry.synced_at) == ("v7", NOW + H)
    w.apply(ChangeSet(), None)
    assert (registry.version, registry.synced_at) == ("v7", NOW + H), "an import is not a sync"
    with pytest.raises(ValueError, match="naive"):
        w.apply(ChangeSet(), "v8", synced_at=dt.datetime(2022, 1, 20))
    assert registry.version == "v7"


def test_a_local_return_survives_resync_and_replace(engine, registry, decision_log) -> None:
    # A re-entry closes the leave as a local fact written with the decision; the synced leave
    # (returned_at empty) comes again by an incremental sync and by a full replace.
    back = NOW + 3 * H
    record = decision_log.append(
        "decision",
        back,
        {"outcome": "admit", "close_leave_id": "L1"},
        gate="north",
        outcome="admit",
        person_no="S2020001",
        facts=[LeaveReturn("L1", back)],
    )
    assert registry.leave_approvals("S2020001")[0].returned_at == back
    decision_log.append("decision", back + H, {}, gate="north", facts=[LeaveReturn("L1", NOW)])
    assert registry.leave_approvals("S2020001")[0].returned_at == back, "the first return counts"
    writer = RegistryWriter(engine)
    writer.apply(ChangeSet(upsert={"leave_approvals": [LEAVE]}), "v2", synced_at=NOW + 4 * H)
    assert registry.leave_approvals("S2020001")[0].returned_at == back
    writer.replace(snapshot("v3"))
    assert registry.leave_approvals("S2020001")[0].returned_at == back
    with engine.connect() as conn:
        row = conn.execute(select(table_of(LeaveReturnRow))).one()
    assert row.record_id == record.record_id


def test_a_failed_log_append_records_no_return(engine, registry, decision_log) -> None:
    with pytest.raises(ValueError):
        decision_log.append(
            "decision", NOW, {"bad": float("nan")}, gate="north", facts=[LeaveReturn("L1", NOW)]
        )
    assert registry.leave_approvals("S2020001")[0].returned_at is None


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
