"""Shared fixtures for the camera driver tests: one cascade, credential-like payloads."""

from __future__ import annotations

import numpy as np
import pytest

from drivers.camera.decoder import DecoderCascade
from drivers.camera.synthetic import credential_text


@pytest.fixture(scope="session")
def cascade() -> DecoderCascade:
    # generous budget: tests check what is read, never how fast (2 shared cores)
    return DecoderCascade(budget_ms=1000.0)


@pytest.fixture(scope="session")
def credential() -> str:
    return credential_text(np.random.default_rng(5))
