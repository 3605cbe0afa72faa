"""`kiosk codes` keygen / issue / verify, run in-process through ``kiosk.cli.main``."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import cv2
import pytest
import zxingcpp

from kiosk.cli import main
from kiosk.core.credentials.codec import tamper
from kiosk.core.credentials.keys import SigningKey, load_trust_list

NOW_ISO = "2022-01-08T09:00:00+08:00"


def keygen(tmp_path: Path, name: str, alg: str, prefixes: str = "HK1,CP1,VA1") -> Path:
    out = tmp_path / "keys" / name
    rc = main(
        [
            "codes",
            "keygen",
            "--alg",
            alg,
            "--issuer",
            name,
            "--prefixes",
            prefixes,
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    return out


def verify_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    capsys.readouterr()
    rc = main(["codes", "verify", *args, "--now", NOW_ISO, "--json"])
    return rc, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_keygen_writes_private_pem_and_trust_list(tmp_path: Path, alg: str) -> None:
    out = keygen(tmp_path, "campus", alg, "CP1,VA1")
    pem, trust = out.parent / "campus.pem", out.parent / "campus.trust.json"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    key = SigningKey.from_pem(pem.read_bytes())
    (entry,) = load_trust_list(trust)
    assert (entry.kid, entry.alg, entry.issuer, entry.prefixes) == (
        key.kid,
        alg,
        "campus",
        ("CP1", "VA1"),
    )
    # never silently replaces a key
    assert main(["codes", "keygen", "--issuer", "x", "--prefixes", "HK1", "--out", str(out)]) == 2
    assert SigningKey.from_pem(pem.read_bytes()).kid == key.kid


def test_keygen_refuses_unknown_prefix(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(
            ["codes", "keygen", "--issuer", "x", "--prefixes", "HC1", "--out", str(tmp_path / "k")]
        )
    assert exc.value.code == 2


def test_issue_health_code_qr_and_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = keygen(tmp_path, "health", "ES256", "HK1")
    out = tmp_path / "out" / "hk"
    rc = main(
        [
            "codes", "issue", "health-code",
            "--key", f"{key}.pem",
            "--name", "王芳",
            "--id-number", "410105199001011234",
            "--color", "yellow",
            "--nat", "negative",
            "--nat-sampled", "2022-01-07T10:00:00+08:00",
            "--visited", "410100,110101",
            "--iat", NOW_ISO,
            "--valid-for", "3600",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert rc == 0
    text = (tmp_path / "out" / "hk.txt").read_text().strip()
    assert text.startswith("HK1:")

    image = cv2.imread(str(tmp_path / "out" / "hk.png"), cv2.IMREAD_GRAYSCALE)
    assert image is not None and image.shape[0] > 200
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [text]

    rc, result = verify_json(capsys, text, "--trust", f"{key}.trust.json")
    assert rc == 0 and result["valid"] is True
    assert result["prefix"] == "HK1" and result["alg"] == "ES256"
    assert result["name"] == "王芳" and result["color"] == "yellow"
    assert result["visited_regions"] == ["410100", "110101"]
    assert result["nat"] == {"result": "negative", "sampled_at": "2022-01-07T02:00:00+00:00"}
    assert result["exp"] == "2022-01-08T02:00:00+00:00"


@pytest.mark.parametrize(
    ("kind", "options", "field", "value"),
    [
        ("campus-pass", ["--person-no", "2021001", "--role", "student"], "person_no", "2021001"),
        ("visit-slip", ["--approval-no", "VA-0108-7"], "approval_no", "VA-0108-7"),
    ],
)
def test_issue_and_verify_from_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    options: list[str],
    field: str,
    value: str,
) -> None:
    key = keygen(tmp_path, "campus", "EdDSA", "CP1,VA1")
    out = tmp_path / kind
    base = ["codes", "issue", kind, "--key", f"{key}.pem", "--iat", NOW_ISO, "--out", str(out)]
    assert main([*base, *options]) == 0
    txt = out.parent / f"{kind}.txt"
    rc, result = verify_json(capsys, "--file", str(txt), "--trust", f"{key}.trust.json")
    assert rc == 0 and result[field] == value and result["iss"] == "campus"

    text = txt.read_text().strip()
    capsys.readouterr()
    rc = main(["codes", "verify", tamper(text), "--trust", f"{key}.trust.json", "--now", NOW_ISO])
    assert rc == 1
    assert "CREDENTIAL_INVALID_SIGNATURE" in capsys.readouterr().out


def test_verify_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    campus = keygen(tmp_path, "campus", "EdDSA", "CP1")
    other = keygen(tmp_path, "other", "EdDSA", "CP1")
    out = tmp_path / "pass"
    issue = ["codes", "issue", "campus-pass", "--key", f"{campus}.pem", "--iat", NOW_ISO]
    assert main([*issue, "--person-no", "7", "--role", "staff", "--out", str(out)]) == 0
    text = (tmp_path / "pass.txt").read_text().strip()

    rc, result = verify_json(capsys, text, "--trust", f"{other}.trust.json")
    assert (rc, result["reason"]) == (1, "CREDENTIAL_UNKNOWN_KEY")

    capsys.readouterr()
    late = ["--now", "2022-01-08T09:10:00+08:00", "--skew", "60"]
    rc = main(["codes", "verify", text, "--trust", f"{campus}.trust.json", *late])
    assert rc == 1
    assert "CREDENTIAL_EXPIRED" in capsys.readouterr().out

    rc, result = verify_json(capsys, "https://example.org/x", "--trust", f"{campus}.trust.json")
    assert (rc, result["reason"]) == (1, "CODE_UNSUPPORTED")


def test_verify_with_unreadable_trust_list(tmp_path: Path) -> None:
    bad = tmp_path / "trust.json"
    bad.write_text('[{"kid": "00"}]')
    assert main(["codes", "verify", "HK1:00", "--trust", str(bad)]) == 2
    assert main(["codes", "verify", "HK1:00", "--trust", str(tmp_path / "missing.json")]) == 2


def test_issue_refuses_bad_input(tmp_path: Path) -> None:
    key = keygen(tmp_path, "k", "EdDSA")
    base = ["codes", "issue", "visit-slip", "--key", f"{key}.pem", "--out", str(tmp_path / "o")]
    for number in ("V\n1", "=HYPERLINK(1)", "V" * 65):  # a control character, a formula
        with pytest.raises(SystemExit) as exit_:
            main([*base, "--approval-no", number])
        assert exit_.value.code == 2
    for validity in ("0", "99999999999999"):  # the second overflowed the date arithmetic
        with pytest.raises(SystemExit) as exit_:
            main([*base, "--approval-no", "V1", "--valid-for", validity])
        assert exit_.value.code == 2
    assert not (tmp_path / "o.txt").exists()
    with pytest.raises(SystemExit):
        main([*base, "--approval-no", "V1", "--iat", "2022-01-08T09:00:00"])  # no UTC offset
