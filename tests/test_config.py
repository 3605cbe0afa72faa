"""Configuration files: defaults load, and bad files are named with key and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_kiosk_config
from kiosk.core.policy_config import Policy, load_policy, merge_policy
from kiosk.settings import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_files_equal_the_declared_defaults() -> None:
    config = load_kiosk_config(ROOT / "config" / "kiosk.toml")
    assert config.settings.gate.city_region_prefix == "4101"
    assert load_policy(ROOT / "config" / "policy.toml") == Policy()


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("[gate]\nid = 3\n", "gate.id", "expected string"),
        ("[gate]\ndirection = 'sideways'\n", "gate.direction", "expected one of 'in' | 'out'"),
        ("[gate]\ntime_zone = 'Mars/Olympus'\n", "gate.time_zone", "IANA time zone"),
        ("[relay]\npulse_ms = 50\n", "relay.pulse_ms", "at least 100"),
        ("[camera]\nsorce = 'sim:'\n", "camera.sorce", "unknown key"),
        ("[thermometer]\noffset_c = 'warm'\n", "thermometer.offset_c", "expected number"),
        ("gate = 1\n", "gate", "expected a table"),
    ],
)
def test_bad_kiosk_file_names_file_key_and_expectation(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_kiosk_config(path)
    assert err.value.file == str(path)
    assert err.value.key == key
    assert expected in str(err.value)


def test_half_written_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("[temperature]\nfever_c = 37.", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_policy(path)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[temperature]\nfever_c = 45.0\n", "temperature.fever_c"),
        ("[break]\nstart = 2022-03-01\n", "break.end"),
        ("[break]\nstart = 2022-02-15\nend = 2022-01-15\n", "break.end"),
        ("[checkin]\nmode = 'maybe'\n", "checkin.mode"),
        ("[break]\nstart = 'soon'\nend = 2022-01-15\n", "break.start"),
        ("[freshness.max_age_h]\npeople = -1\n", "freshness.max_age_h.people"),
        ("[freshness.max_age_h]\npeeple = 4\n", "freshness.max_age_h.peeple"),
        ("[freshness.max_age_h]\ncheckins = 'daily'\n", "freshness.max_age_h.checkins"),
        ("[freshness]\nsame_day = ['checkin']\n", "freshness.same_day[0]"),
        ("[freshness]\nmax_age_h = 6\n", "freshness.max_age_h"),
        ("[freshness]\nregistry_max_age_h = 99999999\n", "freshness.registry_max_age_h"),
    ],
)
def test_bad_policy_values(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_policy(path)
    assert err.value.key == key


def test_an_old_freshness_table_still_loads_and_sets_the_unlisted_datasets(
    tmp_path: Path,
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("[freshness]\nregistry_max_age_h = 30.0\n", encoding="utf-8")
    rules = load_policy(path).freshness
    assert rules.limit_h("people") == 30.0 and rules.limit_h("trust_keys") == 30.0
    assert rules.limit_h("quarantines") == Policy().freshness.max_age_h["quarantines"]


def test_half_written_freshness_table_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("[freshness.max_age_h]\npeople = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_policy(path)


def test_merge_policy_overrides_one_table() -> None:
    merged = merge_policy(Policy(), {"break": {"start": "2022-01-10", "end": "2022-01-12"}})
    assert str(merged.break_.start) == "2022-01-10"
    assert merged.temperature == Policy().temperature
    assert merged.label != Policy().label


def test_cli_reports_config_error_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[gate]\nid = 3\n", encoding="utf-8")
    assert main(["--config", str(path), "config", "check"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: gate.id: expected string" in err


def test_config_show_lists_every_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    for key in (
        "gate.city_region_prefix",
        "thermometer.offset_c",
        "temperature.fever_c",
        "break.start",
        "override.hard_rules",
        "visit.escort_window_min",
    ):
        assert key in out


@pytest.mark.parametrize(
    ("file", "text", "key"),
    [
        (
            "policy.toml",
            "[contractor]\nmust_be_registered = false\n",
            "contractor.must_be_registered",
        ),
    ],
)
def test_keys_that_did_nothing_are_gone(tmp_path: Path, file: str, text: str, key: str) -> None:
    """A key that changed nothing is refused by name instead of being silently ignored."""
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{key}: unknown key"):
        load_policy(path)
