"""`kiosk scan` on real PNG, JPEG and video files, a missing file and a garbage file."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera.synthetic import credential_text, render_sample
from kiosk.cli import main
from tests.drivers.camera.bombs import jpeg_bomb, png_bomb

TEXT = credential_text(np.random.default_rng(21))


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("scan")
    phone = render_sample(TEXT, "tilt", seed=3, difficulty=0.3).image
    idle = render_sample(None, "nocode", seed=3).image
    paths = {
        "png": root / "phone.png",
        "jpeg": root / "phone.jpg",
        "binary": root / "binary.png",
        "nocode": root / "wall.png",
        "video": root / "gate.avi",
        "garbage": root / "garbage.png",
        "truncated": root / "truncated.png",
    }
    cv2.imwrite(str(paths["png"]), phone)
    cv2.imwrite(str(paths["jpeg"]), phone, [cv2.IMWRITE_JPEG_QUALITY, 85])
    cv2.imwrite(str(paths["binary"]), render_sample(bytes(range(256)), "clean", 4, 0.1).image)
    cv2.imwrite(str(paths["nocode"]), idle)
    writer = cv2.VideoWriter(str(paths["video"]), cv2.VideoWriter.fourcc(*"MJPG"), 10, (640, 480))
    for frame in [idle, idle, phone, phone, idle]:
        writer.write(frame)
    writer.release()
    paths["garbage"].write_bytes(np.random.default_rng(0).bytes(5000))
    paths["truncated"].write_bytes(paths["png"].read_bytes()[:3000])
    return paths


def scan_json(capsys, *paths: str) -> tuple[int, list[dict]]:
    status = main(["scan", "--json", *paths])
    lines = capsys.readouterr().out.splitlines()
    return status, [json.loads(line) for line in lines]


def test_png_and_jpeg(files, capsys) -> None:
    status, records = scan_json(capsys, str(files["png"]), str(files["jpeg"]))
    assert status == 0
    assert [r["file"] for r in records] == [str(files["png"]), str(files["jpeg"])]
    for record in records:
        assert record["error"] is None
        assert [c["text"] for c in record["codes"]] == [TEXT]
        assert record["codes"][0]["stage"]
        assert record["ms"] >= record["codes"][0]["ms"] >= 0
        assert "raw_b64" not in record["codes"][0]


def test_image_without_code(files, capsys) -> None:
    status, records = scan_json(capsys, str(files["nocode"]))
    assert status == 0
    assert records == [
        {"file": str(files["nocode"]), "codes": [], "ms": records[0]["ms"], "error": None}
    ]


def test_binary_payload_gets_raw_b64(files, capsys) -> None:
    status, (record,) = scan_json(capsys, str(files["binary"]))
    assert status == 0
    (code,) = record["codes"]
    assert base64.b64decode(code["raw_b64"]) == bytes(range(256))
    assert code["text"].startswith("\x00\x01") and "\\x80" in code["text"]


def test_video_reports_frames_with_a_code(files, capsys) -> None:
    status, records = scan_json(capsys, str(files["video"]))
    assert status == 0
    assert [r["frame"] for r in records] == [2, 3]
    assert all([c["text"] for c in r["codes"]] == [TEXT] for r in records)


@pytest.mark.parametrize("name", ["garbage", "truncated"])
def test_unreadable_file_is_an_error_not_a_crash(files, capsys, name: str) -> None:
    status, records = scan_json(capsys, str(files["png"]), str(files[name]))
    assert status == 1
    assert records[0]["error"] is None
    assert records[1]["file"] == str(files[name])
    assert records[1]["codes"] == [] and isinstance(records[1]["error"], str)


def test_missing_file(tmp_path, capsys) -> None:
    missing = str(tmp_path / "nope.jpg")
    status, (record,) = scan_json(capsys, missing)
    assert status == 1
    assert record == {"file": missing, "codes": [], "ms": record["ms"], "error": "no such file"}


def test_human_output(files, tmp_path, capsys) -> None:
    status = main(["scan", str(files["png"]), str(files["nocode"]), str(tmp_path / "x.png")])
    out = capsys.readouterr().out.splitlines()
    assert status == 1
    assert out[0].startswith(f"{files['png']}: '{TEXT[:10]}")
    assert out[1].startswith(f"{files['nocode']}: no code")
    assert out[2] == f"{tmp_path / 'x.png'}: error: no such file"


def test_image_bombs_are_refused_from_their_header_and_the_next_file_is_scanned(
    files, tmp_path, capsys
) -> None:
    png = png_bomb(tmp_path / "bomb.png", 32_000, 32_000)  # 1 Gpx behind 125 kB
    jpeg = jpeg_bomb(tmp_path / "bomb.jpg", 9_000, 9_000)  # 81 Mpx: past 40 MP, under Pillow's
    status, records = scan_json(capsys, str(png), str(jpeg), str(files["png"]))
    assert status == 1
    assert [r["file"] for r in records] == [str(png), str(jpeg), str(files["png"])]
    assert "larger than any camera frame" in records[0]["error"]
    assert records[1]["error"].startswith("9000 × 9000 pixels is larger than any camera frame")
    assert [c["text"] for c in records[2]["codes"]] == [TEXT]


def test_video_frames_past_the_configured_size_are_refused(files, tmp_path, capsys) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("[camera]\nmax_pixels = 300000\n", encoding="utf-8")  # below 640 × 480
    status = main(
        ["--config", str(config), "scan", "--json", str(files["video"]), str(files["png"])]
    )
    video, image = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert status == 1
    assert video["error"].startswith("640 × 480 pixels is larger than any camera frame")
    assert image["error"].startswith("640 × 480 pixels")
