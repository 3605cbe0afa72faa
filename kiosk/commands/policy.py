"""`kiosk policy test FILE...`: run policy scenarios through the real decision path."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``policy`` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser("policy", help="check the gate policy")
    actions = parser.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    test = actions.add_parser(
        "test", help="run scenario files (docs/scenarios.md) against the configured policy"
    )
    test.add_argument("files", nargs="+", type=Path, help="scenario JSON files or directories")
    test.add_argument("--json", action="store_true", help="machine-readable results")
    test.add_argument(
        "--policy", type=Path, help="policy.toml to test (default: the configured one)"
    )
    test.set_defaults(func=run_test)


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        out.extend(sorted(p.rglob("*.json")) if p.is_dir() else [p])
    return out


def run_test(args: argparse.Namespace) -> int:
    """Run every scenario; exit 0 only when all pass (a malformed file counts as a failure)."""
    from zoneinfo import ZoneInfo

    from kiosk.config import load_kiosk_config
    from kiosk.core.policy_config import load_policy
    from kiosk.scenarios.runner import ScenarioResult, ScenarioRunner
    from kiosk.scenarios.spec import ScenarioError, load_scenarios

    config = load_kiosk_config(args.config)
    policy = load_policy(args.policy or config.policy_file)
    results: list[ScenarioResult] = []
    with ScenarioRunner(
        policy,
        tz=ZoneInfo(config.settings.gate.time_zone),
        city_prefix=config.settings.gate.city_region_prefix,
    ) as runner:
        for path in _expand(args.files):
            try:
                scenarios = load_scenarios(path)
            except ScenarioError as exc:
                print(f"kiosk policy test: {exc}", file=sys.stderr)
                results.append(ScenarioResult(path.name, str(path), False, {}, {}, [str(exc)]))
                continue
            results.extend(runner.run(sc) for sc in scenarios)
    if not results:
        print("kiosk policy test: no scenario files (*.json) found", file=sys.stderr)
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    if args.json:
        doc: dict[str, Any] = {
            "passed": passed,
            "failed": failed,
            "results": [
                {
                    "name": r.name,
                    "source": r.source,
                    "passed": r.passed,
                    "expected": r.expected,
                    "got": r.got,
                    "problems": r.problems,
                }
                for r in results
            ],
        }
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for r in results:
            print(r.line())
        print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and results else 1
