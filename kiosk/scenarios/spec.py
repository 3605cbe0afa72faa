"""Policy scenario files (``docs/scenarios.md``): strict parsing of the JSON shape and its times."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from drivers.relay.simulator import PROFILES as RELAY_PROFILES
from kiosk.core.dates import EARLIEST, LATEST, DateRangeError, check_date

MAX_DURATION = dt.timedelta(days=36_500)  # a century: longer waits are typing errors


class ScenarioError(ValueError):
    """A scenario file is malformed; the message names the file, scenario and key."""


TOP_KEYS = {
    "name",
    "now",
    "gate",
    "direction",
    "policy",
    "registry",
    "steps",
    "expect",
    "registry_synced_at",
    "data_as_of",
    "clock_trusted",
    "admin_pin",
    "relay",
    "description",
}
REGISTRY_KEYS = {
    "people": {"person_no", "role", "name", "id_number", "unit", "active"},
    "visit_approvals": {
        "approval_no",
        "name",
        "id_number",
        "origin_region",
        "host_unit",
        "host_person_no",
        "visit_date",
        "gates",
        "filed_at",
        "status",
        "plate",
    },
    "stay_approvals": {"person_no", "from", "until", "status"},
    "leave_approvals": {
        "leave_id",
        "person_no",
        "kind",
        "from",
        "until",
        "destination_region",
        "status",
        "returned_at",
    },
    "quarantine": {"id_number", "person_no", "from", "until"},
    "risk_areas": {"region_code", "level", "from", "until"},
    "checkins": {"person_no", "date", "status"},
    "revoked": {"kind", "person_no"},
    "vehicles": {"plate", "unit", "person_no", "until", "active"},
}
CLAIM_KEYS = {
    "health_code": {"name", "id_number", "color", "nat", "visited_regions", "vaccine_doses"},
    "campus_pass": {"person_no", "role", "color", "checked_in"},
    "visit_approval": {"approval_no"},
}
CONTROL_KEYS = {"signed_by", "tamper", "iat", "exp"}
ID_CARD_KEYS = {"id_number", "name", "valid_from", "valid_to", "card"}
"""An ID card put on the reader: ``card`` is ``resident`` (default) or ``foreigner``."""
STEP_KINDS = {"present", "temperature", "wait", "guard", "direction"}
EXPECT_KEYS = {"decision", "reasons", "warnings", "exact", "relay", "transaction", "stale"}
GUARD_KEYS = {
    "override",
    "pin",
    "retest",
    "confirm_guard",
    "confirm_host",
    "ack_fever",
    "transaction",
}

_RELATIVE = re.compile(r"^([+-])(\d+(?:\.\d+)?)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True)
class Scenario:
    """One parsed scenario; ``data`` keeps the validated JSON object."""

    name: str
    source: str
    now: dt.datetime
    data: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)


def load_scenarios(path: Path) -> list[Scenario]:
    """Read a file holding one scenario object or an array of them."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise ScenarioError(f"{path}: not a scenario: JSON nested too deeply") from None
    items = raw if isinstance(raw, list) else [raw]
    return [
        parse_scenario(item, f"{path}[{i}]" if isinstance(raw, list) else str(path))
        for i, item in enumerate(items)
    ]


def parse_scenario(obj: Any, source: str) -> Scenario:
    """Validate one scenario object; unknown keys are errors."""
    where = source
    if not isinstance(obj, dict):
        raise ScenarioError(f"{where}: expected a JSON object")
    name = obj.get("name")
    if isinstance(name, str):
        where = f"{source} ({name})"
    _keys(obj, TOP_KEYS, where)
    for required in ("name", "now", "steps", "expect"):
        if required not in obj:
            raise ScenarioError(f"{where}: missing key '{required}'")
    now = parse_instant(obj["now"], None, where + ": now")
    registry = obj.get("registry", {})
    if not isinstance(registry, dict):
        raise ScenarioError(f"{where}: registry: expected an object")
    _keys(registry, set(REGISTRY_KEYS), where + ": registry")
    for table, rows in registry.items():
        if not isinstance(rows, list):
            raise ScenarioError(f"{where}: registry.{table}: expected an array")
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise ScenarioError(f"{where}: registry.{table}[{i}]: expected an object")
            _keys(row, REGISTRY_KEYS[table], f"{where}: registry.{table}[{i}]")
    steps = obj["steps"]
    if not isinstance(steps, list):
        raise ScenarioError(f"{where}: steps: expected an array")
    for i, step in enumerate(steps):
        _check_step(step, f"{where}: steps[{i}]")
    _check_expect(obj["expect"], where + ": expect")
    if obj.get("relay", "normal") not in RELAY_PROFILES:
        raise ScenarioError(f"{where}: relay: expected one of {', '.join(RELAY_PROFILES)}")
    if obj.get("direction", "in") not in ("in", "out"):
        raise ScenarioError(f"{where}: direction: expected in or out")
    return Scenario(name=str(name), source=source, now=now, data=obj, steps=steps)


def _check_expect(expect: Any, where: str) -> None:
    if not isinstance(expect, dict):
        raise ScenarioError(f"{where}: expected an object")
    _keys(expect, EXPECT_KEYS, where)
    if expect.get("decision") not in ("admit", "reject", "pending"):
        raise ScenarioError(f"{where}.decision: expected admit, reject or pending")
    if expect.get("relay", "idle") not in ("pulsed", "idle", "fault"):
        raise ScenarioError(f"{where}.relay: expected pulsed, idle or fault")
    _check_index(expect, where)


def _check_index(obj: dict[str, Any], where: str) -> None:
    n = obj.get("transaction", 1)
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ScenarioError(f"{where}.transaction: expected a number from 1 (the first person)")


def _check_step(step: Any, where: str) -> None:
    if not isinstance(step, dict):
        raise ScenarioError(f"{where}: expected an object")
    kinds = set(step) & STEP_KINDS
    _keys(step, STEP_KINDS | {"at", "expect"}, where)
    if "expect" in step:
        _check_expect(step["expect"], where + ".expect")
        if "transaction" in step["expect"]:
            raise ScenarioError(f"{where}.expect.transaction: a step judges its own transaction")
    if len(kinds) != 1:
        raise ScenarioError(f"{where}: expected exactly one of {sorted(STEP_KINDS)}")
    (kind,) = kinds
    body = step[kind]
    if kind == "present":
        if not isinstance(body, dict):
            raise ScenarioError(f"{where}.present: expected an object")
        _keys(
            body,
            set(CLAIM_KEYS) | {"raw", "manual", "repeat", "id_card", "plate"} | CONTROL_KEYS,
            where + ".present",
        )
        creds = [
            k
            for k in body
            if k in CLAIM_KEYS or k in ("raw", "manual", "repeat", "id_card", "plate")
        ]
        if len(creds) != 1:
            raise ScenarioError(f"{where}.present: expected exactly one credential")
        (cred,) = creds
        if cred in CLAIM_KEYS:
            if not isinstance(body[cred], dict):
                raise ScenarioError(f"{where}.present.{cred}: expected an object")
            _keys(body[cred], CLAIM_KEYS[cred], f"{where}.present.{cred}")
        elif cred == "manual":
            if not isinstance(body[cred], dict):
                raise ScenarioError(f"{where}.present.manual: expected an object")
            _keys(body[cred], {"id_number", "person_no", "approval_no"}, where + ".present.manual")
        elif cred == "id_card":
            if not isinstance(body[cred], dict):
                raise ScenarioError(f"{where}.present.id_card: expected an object")
            _keys(body[cred], ID_CARD_KEYS, where + ".present.id_card")
            if "id_number" not in body[cred]:
                raise ScenarioError(f"{where}.present.id_card: id_number is required")
        elif cred in ("raw", "plate") and not isinstance(body[cred], str):
            raise ScenarioError(f"{where}.present.{cred}: expected a string")
    elif kind == "guard":
        if not isinstance(body, dict):
            raise ScenarioError(f"{where}.guard: expected an object")
        _keys(body, GUARD_KEYS, where + ".guard")
        _check_index(body, where + ".guard")
    elif kind == "direction" and body not in ("in", "out"):
        raise ScenarioError(f"{where}.direction: expected in or out")
    elif kind == "wait" and not isinstance(body, str):
        raise ScenarioError(f'{where}.wait: expected a duration such as "3m"')
    elif kind == "temperature" and not (
        body is None
        or isinstance(body, (int, float))
        or (isinstance(body, list) and all(isinstance(v, (int, float)) for v in body))
    ):
        raise ScenarioError(f"{where}.temperature: expected a number, a list of numbers or null")


def _keys(obj: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})"
        )


def parse_duration(text: str, where: str) -> dt.timedelta:
    """``"3m"``, ``"+90s"``, ``"-2d"`` → timedelta (sign kept)."""
    s = text.strip()
    if s and s[0] not in "+-":
        s = "+" + s
    m = _RELATIVE.match(s)
    if not m:
        raise ScenarioError(f"{where}: expected a duration like 30s, 10m, 48h or 2d, got {text!r}")
    sign, amount, unit = m.groups()
    try:
        delta = dt.timedelta(**{_UNITS[unit]: float(amount)})
    except OverflowError:
        delta = dt.timedelta.max
    if delta > MAX_DURATION:
        raise ScenarioError(f"{where}: expected a duration of at most 36500d, got {text!r}")
    return -delta if sign == "-" else delta


def parse_instant(value: Any, now: dt.datetime | None, where: str) -> dt.datetime:
    """An ISO-8601 timestamp with offset, or a time relative to ``now`` (``"-30h"``)."""
    if not isinstance(value, str):
        raise ScenarioError(f"{where}: expected a time string, got {value!r}")
    try:
        if now is not None and _RELATIVE.match(value.strip()):
            return check_date(now + parse_duration(value, where))
        parsed = dt.datetime.fromisoformat(value)
    except (OverflowError, DateRangeError):
        raise ScenarioError(f"{where}: {value!r} lies outside {EARLIEST} to {LATEST}") from None
    except ValueError:
        raise ScenarioError(
            f"{where}: expected ISO-8601 time or relative like -30h, got {value!r}"
        ) from None
    if parsed.tzinfo is None:
        raise ScenarioError(f"{where}: a timestamp needs an offset such as +08:00")
    try:
        return check_date(parsed)
    except DateRangeError as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def parse_date(value: Any, now: dt.datetime, tz: ZoneInfo, where: str) -> dt.date:
    """A local date ``YYYY-MM-DD``, or a relative time whose local date is taken."""
    if isinstance(value, str) and _RELATIVE.match(value.strip()):
        return parse_instant(value, now, where).astimezone(tz).date()
    try:
        return check_date(dt.date.fromisoformat(str(value)))
    except DateRangeError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    except ValueError:
        raise ScenarioError(f"{where}: expected a date YYYY-MM-DD, got {value!r}") from None


def parse_start(value: Any, now: dt.datetime, tz: ZoneInfo, where: str) -> dt.datetime:
    """A time, or a local date meaning the start of that day."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), tz)
    return parse_instant(value, now, where)


def parse_end(value: Any, now: dt.datetime, tz: ZoneInfo, where: str) -> dt.datetime | None:
    """A time, ``null`` (open-ended) or a local date meaning the end of that day."""
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = dt.date.fromisoformat(value) + dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(), tz) - dt.timedelta(microseconds=1)
    return parse_instant(value, now, where)
