"""`kiosk policy test`: output format, exit status, strict parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main

EXAMPLE = Path(__file__).parent.parent / "scenarios" / "visitor_escorted.json"


def _write(tmp_path: Path, name: str, obj: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


def _example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_passing_scenario_prints_pass_and_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "test", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("PASS visitor from Kaifeng")
    assert out[-1] == "1 passed, 0 failed"


def test_wrong_expectation_fails_with_expected_and_got(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sc = _example()
    sc["expect"] = {"decision": "reject", "reasons": ["FEVER"]}
    path = _write(tmp_path, "wrong.json", sc)
    assert main(["policy", "test", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL visitor from Kaifeng" in out
    assert "expected reject, got admit" in out
    assert out.strip().endswith("0 passed, 1 failed")


def test_unknown_key_is_an_error_not_a_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sc = _example()
    sc["steps"][0]["present"]["helth_code"] = sc["steps"][0]["present"].pop("health_code")
    path = _write(tmp_path, "typo.json", sc)
    assert main(["policy", "test", str(path)]) == 1
    out = capsys.readouterr().out
    assert "unknown key 'helth_code'" in out


def test_json_output_and_arrays(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    admit = _example()
    reject = _example()
    reject["name"] = "same visitor with a fever twice"
    reject["steps"][2:] = [{"temperature": 38.0}, {"temperature": 38.1}]
    reject["expect"] = {"decision": "reject", "reasons": ["FEVER"], "relay": "idle"}
    path = _write(tmp_path, "both.json", [admit, reject])
    assert main(["policy", "test", "--json", str(path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["passed"] == 2 and doc["failed"] == 0
    assert [r["got"]["decision"] for r in doc["results"]] == ["admit", "reject"]


def test_missing_file_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "test", str(tmp_path / "nope.json")]) == 1
    assert "cannot read" in capsys.readouterr().out


def test_a_step_expectation_failing_names_the_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sc = _example()
    sc["steps"][0]["expect"] = {"decision": "admit"}
    path = _write(tmp_path, "step.json", sc)
    assert main(["policy", "test", str(path)]) == 1
    out = capsys.readouterr().out
    assert "steps[0]: expected admit, got pending" in out


def test_an_expectation_for_a_transaction_that_never_started_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sc = _example()
    sc["expect"]["transaction"] = 3
    path = _write(tmp_path, "third.json", sc)
    assert main(["policy", "test", str(path)]) == 1
    assert "expect.transaction: only 1 took place" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expect": {"decision": "admit", "transaction": 0}}, "expect.transaction: expected"),
        ({"relay": "on-fire"}, "relay: expected one of normal"),
        ({"steps": [{"direction": "up"}]}, "steps[0].direction: expected in or out"),
        (
            {"steps": [{"wait": "1m", "expect": {"decision": "admit", "transaction": 2}}]},
            "a step judges its own transaction",
        ),
        ({"steps": [{"guard": {"retest": True, "transaction": "first"}}]}, "guard.transaction"),
    ],
)
def test_new_scenario_keys_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict, message: str
) -> None:
    sc = _example()
    sc.update(change)
    path = _write(tmp_path, "bad.json", sc)
    assert main(["policy", "test", str(path)]) == 1
    assert message in capsys.readouterr().out
