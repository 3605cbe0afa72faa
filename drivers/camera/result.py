"""What a decoder found: the payload bytes, their text, where the code is and who read it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def text_of(raw: bytes) -> str | None:
    """The payload as text when it is valid UTF-8, else None (binary payload)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class DecodeResult:
    """One QR code read from a frame.

    ``points`` are the code's corners (4×2 float32) in the coordinates of the original frame;
    ``stage`` names the cascade stage that read it; ``ms`` is the cascade's time up to that read.
    """

    raw: bytes
    text: str | None
    points: np.ndarray = field(repr=False, compare=False)
    stage: str = ""
    decoder: str = ""
    ms: float = 0.0

    @property
    def display_text(self) -> str:
        """The text, or the bytes with undecodable ones escaped (``\\xNN``)."""
        if self.text is not None:
            return self.text
        return self.raw.decode("utf-8", errors="backslashreplace")
