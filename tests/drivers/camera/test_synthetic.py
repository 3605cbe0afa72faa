"""The synthetic generator is deterministic and knows its ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from drivers.camera.synthetic import (
    BASE45,
    CATEGORIES,
    FRAME_H,
    FRAME_W,
    credential_text,
    render_sample,
    sample_set,
)


def test_same_arguments_give_same_pixels(credential: str) -> None:
    a = render_sample(credential, "mixed", seed=7, difficulty=0.6)
    b = render_sample(credential, "mixed", seed=7, difficulty=0.6)
    assert np.array_equal(a.image, b.image)
    assert np.array_equal(a.corners, b.corners)


def test_different_seeds_differ(credential: str) -> None:
    a = render_sample(credential, "clean", seed=1)
    b = render_sample(credential, "clean", seed=2)
    assert not np.array_equal(a.image, b.image)


def test_sample_set_is_deterministic_and_covers_every_category() -> None:
    first = list(sample_set(1, seed=3))
    second = list(sample_set(1, seed=3))
    assert [s.category for s in first] == list(CATEGORIES)
    for a, b in zip(first, second, strict=True):
        assert a.payload == b.payload
        assert np.array_equal(a.image, b.image)


@pytest.mark.parametrize("category", CATEGORIES)
def test_frames_are_640x480_bgr(category: str, credential: str) -> None:
    sample = render_sample(credential, category, seed=1)
    assert sample.image.shape == (FRAME_H, FRAME_W, 3)
    assert sample.image.dtype == np.uint8
    if category == "nocode":
        assert sample.payload is None and sample.raw is None
    else:
        assert sample.raw == credential.encode()
        assert 40 <= sample.code_px <= 300


def test_credential_text_shape() -> None:
    text = credential_text(np.random.default_rng(0), "CP1")
    assert text.startswith("CP1:")
    assert 200 <= len(text) - 4 <= 400
    assert set(text[4:]) <= set(BASE45)


def test_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown category"):
        render_sample("x", "fog")
