"""Every scenario in tests/scenarios passes through the real decode-verify-decide path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.config import load_kiosk_config
from kiosk.core.policy_config import load_policy
from kiosk.scenarios.runner import ScenarioRunner
from kiosk.scenarios.spec import Scenario, ScenarioError, load_scenarios, parse_duration

SCENARIO_DIR = Path(__file__).parent / "scenarios"
FILES = sorted(SCENARIO_DIR.glob("*.json"))


def _all() -> list[Scenario]:
    return [sc for path in FILES for sc in load_scenarios(path)]


@pytest.fixture(scope="module")
def runner() -> Iterator[ScenarioRunner]:
    config = load_kiosk_config()
    with ScenarioRunner(
        load_policy(config.policy_file),
        tz=ZoneInfo(config.settings.gate.time_zone),
        city_prefix=config.settings.gate.city_region_prefix,
    ) as r:
        yield r


@pytest.mark.parametrize("scenario", _all(), ids=lambda sc: sc.name[:80])
def test_scenario(runner: ScenarioRunner, scenario: Scenario) -> None:
    result = runner.run(scenario)
    assert result.passed, result.line()


def test_scenarios_cover_every_rule() -> None:
    names = " ".join(p.name for p in FILES)
    missing = [f"r{n:02d}" for n in range(16) if f"r{n:02d}_" not in names]
    assert not missing, f"no scenario file for rules {missing}"
    assert len(_all()) >= 60


@pytest.mark.parametrize("text", ["99999999999h", "99999999999999999d", "36501d"])
def test_absurd_durations_are_a_scenario_error_not_an_overflow(text: str) -> None:
    with pytest.raises(ScenarioError, match="at most 36500d"):
        parse_duration(text, "steps[1].wait")
