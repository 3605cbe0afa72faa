"""R15 per dataset in the core: which datasets a decision reads, when one is stale."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.datasets import DATASETS, DatasetTimes, StaleDataset
from kiosk.core.evidence import Evidence, GateContext
from kiosk.core.policy_config import FreshnessRules, Policy, merge_policy
from kiosk.core.rules.freshness import depends_on, stale_datasets
from kiosk.core.verdict import Subject

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2022, 1, 20, 0, 1, tzinfo=TZ)  # one minute after the campus midnight
H = dt.timedelta(hours=1)


def ctx(direction: str = "in") -> GateContext:
    return GateContext("north", direction, NOW, TZ, "4101")  # type: ignore[arg-type]


def test_same_day_datasets_turn_stale_at_the_campus_midnight() -> None:
    rules = FreshnessRules()
    two_minutes = DatasetTimes.uniform(NOW - dt.timedelta(minutes=2))
    stale = stale_datasets(Evidence(data_as_of=two_minutes), ["checkins", "people"], rules, ctx())
    assert stale == [StaleDataset("checkins", NOW - dt.timedelta(minutes=2), 120.0, 24.0, True)]
    assert stale[0].describe() == "checkins 0.0 h old (limit 24 h, same day)"


@pytest.mark.parametrize(
    ("age", "stale"), [(6 * H, False), (6 * H + dt.timedelta(seconds=1), True)]
)
def test_the_limit_itself_is_still_fresh(age: dt.timedelta, stale: bool) -> None:
    times = DatasetTimes({"quarantines": NOW - age})
    found = stale_datasets(Evidence(data_as_of=times), ["quarantines"], FreshnessRules(), ctx())
    assert bool(found) is stale


def test_a_dataset_never_synced_is_stale_and_says_so() -> None:
    (found,) = stale_datasets(Evidence(), ["people"], FreshnessRules(), ctx())
    assert (found.as_of, found.age_s) == (None, None)
    assert found.describe() == "people never synced"
    assert found.as_dict()["age_h"] is None


def test_unlisted_datasets_take_the_registry_limit() -> None:
    rules = FreshnessRules(registry_max_age_h=2.0, max_age_h={"people": 48.0}, same_day=[])
    times = DatasetTimes.uniform(NOW - 3 * H)
    found = stale_datasets(Evidence(data_as_of=times), ["people", "trust_keys"], rules, ctx())
    assert [s.dataset for s in found] == ["trust_keys"]


def test_what_each_decision_reads() -> None:
    policy = Policy()
    student = Subject(kind="member", person_no="S1", role="student")
    staff = Subject(kind="member", person_no="T1", role="staff")
    visitor = Subject(kind="visitor", approval_no="V1")
    assert depends_on(Evidence(manual_person_no="S1"), student, policy, ctx()) == [
        "people",
        "stay_approvals",
        "leave_approvals",
        "quarantines",
        "risk_areas",
        "checkins",
        "revocations",
    ]
    assert "checkins" not in depends_on(
        Evidence(manual_person_no="T1"),
        staff,
        merge_policy(policy, {"checkin": {"mode": "off"}}),
        ctx(),
    )
    assert depends_on(Evidence(manual_person_no="S1"), student, policy, ctx("out")) == [
        "people",
        "stay_approvals",
        "leave_approvals",
        "revocations",
    ]
    assert depends_on(Evidence(manual_approval_no="V1"), visitor, policy, ctx()) == [
        "people",
        "visit_approvals",
        "quarantines",
        "risk_areas",
    ]
    assert depends_on(Evidence(plate="豫A12345"), Subject(kind="vehicle"), policy, ctx()) == [
        "visit_approvals",
        "vehicles",
    ]


def test_dataset_times_check_their_input_and_find_the_oldest() -> None:
    with pytest.raises(ValueError, match="unknown dataset 'peeple'"):
        DatasetTimes({"peeple": NOW})
    with pytest.raises(ValueError, match="naive"):
        DatasetTimes({"people": dt.datetime(2022, 1, 20)})
    times = DatasetTimes.uniform(NOW).replaced(checkins=NOW - 5 * H)
    assert times.oldest() == ("checkins", NOW - 5 * H)
    assert DatasetTimes({"people": NOW}).oldest() == ("visit_approvals", None)
    assert times.oldest([]) is None
    assert len(DATASETS) == 10 and hash(times) == hash(DatasetTimes(dict(times.as_of)))
