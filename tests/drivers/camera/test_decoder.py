"""The decoder cascade on real generated images: exact texts, never wrong, never raises."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.camera.backends import DecoderUnavailable, QRDecoder, make_decoder
from drivers.camera.decoder import DecoderCascade, Stage
from drivers.camera.result import DecodeResult
from drivers.camera.synthetic import CATEGORIES, render_sample, sample_set

CODE_CATEGORIES = [c for c in CATEGORIES if c != "nocode"]


@pytest.mark.parametrize("category", CODE_CATEGORIES)
def test_moderate_credential_is_read_exactly(
    category: str, credential: str, cascade: DecoderCascade
) -> None:
    sample = render_sample(credential, category, seed=1, difficulty=0.3)
    results = cascade.decode(sample.image)
    assert [r.text for r in results] == [credential]
    assert results[0].stage and results[0].ms >= 0


@pytest.mark.parametrize("category", ["clean", "tilt", "darkmode", "jpeg", "lowlight"])
def test_short_and_unicode_texts(category: str, cascade: DecoderCascade) -> None:
    for text in ("hello gate", "郑州大学 访客通行证 0042"):
        sample = render_sample(text, category, seed=2, difficulty=0.3)
        assert [r.text for r in cascade.decode(sample.image)] == [text]


def test_binary_payload_round_trip(cascade: DecoderCascade) -> None:
    payload = bytes(range(256))
    sample = render_sample(payload, "clean", seed=4, difficulty=0.2)
    results = cascade.decode(sample.image)
    assert len(results) == 1
    assert results[0].raw == payload
    assert results[0].text is None
    assert results[0].display_text.startswith("\x00\x01")


def test_png_file_round_trip(tmp_path, credential: str, cascade: DecoderCascade) -> None:
    sample = render_sample(credential, "rotate", seed=3, difficulty=0.4)
    path = tmp_path / "frame.png"
    assert cv2.imwrite(str(path), sample.image)
    assert [r.text for r in cascade.decode(cv2.imread(str(path)))] == [credential]


def test_never_a_wrong_text_on_the_set(cascade: DecoderCascade) -> None:
    read = 0
    for sample in sample_set(3, seed=11):
        for result in cascade.decode(sample.image):
            assert sample.raw is not None, f"code read on a {sample.category} frame"
            assert result.raw == sample.raw, sample.category
            read += 1
    assert read > 20


@pytest.mark.parametrize("category", ["clean", "tilt", "rotate", "small"])
def test_corner_points_surround_the_code(
    category: str, credential: str, cascade: DecoderCascade
) -> None:
    sample = render_sample(credential, category, seed=5, difficulty=0.3)
    (result,) = cascade.decode(sample.image)
    h, w = sample.image.shape[:2]
    pts = result.points
    assert pts.shape == (4, 2)
    assert (pts[:, 0] >= -1).all() and (pts[:, 0] <= w).all()
    assert (pts[:, 1] >= -1).all() and (pts[:, 1] <= h).all()
    # every found corner lies near a true corner of the code
    tolerance = 0.12 * sample.code_px + 3
    for corner in sample.corners:
        assert np.min(np.linalg.norm(pts - corner, axis=1)) < tolerance


def test_points_map_back_from_a_scaled_stage(credential: str) -> None:
    sample = render_sample(credential, "clean", seed=6, difficulty=0.2)
    half_size = DecoderCascade(
        budget_ms=1000, stages=[Stage("pyzbar-half", "pyzbar", _half), Stage("zxing", "zxing")]
    )
    (result,) = half_size.decode(sample.image)
    assert result.stage == "pyzbar-half"
    tolerance = 0.12 * sample.code_px + 4
    for corner in sample.corners:
        assert np.min(np.linalg.norm(result.points - corner, axis=1)) < tolerance


def _half(gray: np.ndarray) -> tuple[np.ndarray, float]:
    return cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), 0.5


GARBAGE = {
    "empty": np.zeros((0, 0), np.uint8),
    "empty-3d": np.zeros((0, 640, 3), np.uint8),
    "1x1": np.zeros((1, 1), np.uint8),
    "nan-float": np.full((480, 640), np.nan, np.float32),
    "float-noise": np.random.default_rng(0).random((480, 640, 3)),
    "4-channel": np.random.default_rng(1).integers(0, 256, (480, 640, 4), dtype=np.uint8),
    "int64": np.random.default_rng(2).integers(-5, 70000, (480, 640), dtype=np.int64),
    "bool": np.zeros((100, 100), bool),
    "complex": np.zeros((100, 100), np.complex64),
    "5-d": np.zeros((2, 2, 2, 2, 2), np.uint8),
    "2-channel": np.zeros((100, 100, 2), np.uint8),
    "object": np.array([[None, "x"], [1, 2]], dtype=object),
    "strings": np.array(["a", "b"]),
    "not-contiguous": np.zeros((480, 640, 3), np.uint8)[::2, ::3],
}


@pytest.mark.parametrize("name", GARBAGE)
def test_garbage_arrays_give_nothing_and_never_raise(name: str, cascade: DecoderCascade) -> None:
    assert cascade.decode(GARBAGE[name]) == []


def test_non_arrays_give_nothing(cascade: DecoderCascade) -> None:
    assert cascade.decode(None) == []
    assert cascade.decode(b"\x89PNG") == []


def test_float_image_in_0_1_is_decoded(credential: str, cascade: DecoderCascade) -> None:
    sample = render_sample(credential, "clean", seed=8, difficulty=0.1)
    as_float = sample.image.astype(np.float64) / 255.0
    assert [r.text for r in cascade.decode(as_float)] == [credential]


class _Exploding(QRDecoder):
    name = "exploding"

    def __init__(self) -> None:
        self.calls = 0

    def decode(self, gray: np.ndarray) -> list[DecodeResult]:
        self.calls += 1
        raise RuntimeError("decoder bug")


def test_a_raising_decoder_is_contained(credential: str, caplog) -> None:
    boom = _Exploding()
    cascade = DecoderCascade(
        budget_ms=1000,
        stages=[Stage("boom", "exploding"), Stage("zxing", "zxing")],
        decoders={"exploding": boom},
    )
    sample = render_sample(credential, "clean", seed=9, difficulty=0.1)
    results = cascade.decode(sample.image)
    assert boom.calls == 1
    assert [(r.text, r.stage) for r in results] == [(credential, "zxing")]
    assert "boom failed" in caplog.text


def test_raising_decoder_alone_gives_nothing(credential: str) -> None:
    cascade = DecoderCascade(budget_ms=1000, stages=[Stage("boom", "exploding")],
                             decoders={"exploding": _Exploding()})
    assert cascade.decode(render_sample(credential, "clean").image) == []


def test_nocode_frames_give_nothing(cascade: DecoderCascade) -> None:
    for seed in range(4):
        assert cascade.decode(render_sample(None, "nocode", seed=seed).image) == []


def test_factory_names_and_errors() -> None:
    assert make_decoder("zxing").name == "zxing"
    assert make_decoder("pyzbar").name == "pyzbar"
    assert make_decoder("opencv").name == "opencv"
    with pytest.raises(ValueError, match="unknown decoder"):
        make_decoder("nope")
    assert issubclass(DecoderUnavailable, RuntimeError)


@pytest.mark.parametrize("name", ["zxing", "pyzbar", "opencv"])
def test_each_backend_reads_a_clean_ascii_code(name: str, credential: str) -> None:
    sample = render_sample(credential, "clean", seed=10, difficulty=0.0)
    gray = cv2.cvtColor(sample.image, cv2.COLOR_BGR2GRAY)
    results = make_decoder(name).decode(gray)
    assert [r.raw for r in results] == [credential.encode()]
