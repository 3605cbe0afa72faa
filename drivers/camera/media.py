"""Reading still images and videos from files for offline decoding (``kiosk scan``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)


class MediaError(Exception):
    """A file that cannot be read as an image or a video; the message is for people."""


def read_image(path: Path) -> np.ndarray | None:
    """The image in ``path`` as BGR, None if it is not a (complete) image file."""
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as exc:
        raise MediaError(f"cannot read: {exc.strerror or exc}") from exc
    if data.size == 0:
        raise MediaError("empty file")
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return image if image is not None and image.size else None


def iter_frames(path: Path) -> Iterator[tuple[int | None, np.ndarray]]:
    """``(None, image)`` for an image file, ``(index, frame)`` for each frame of a video.

    Raises MediaError when the file is missing or neither an image nor a video.
    """
    if not path.exists():
        raise MediaError("no such file")
    if path.is_dir():
        raise MediaError("is a directory")
    image = read_image(path)
    if image is not None:
        yield None, image
        return
    cap = cv2.VideoCapture(str(path))
    try:
        ok, frame = cap.read() if cap.isOpened() else (False, None)
        if not ok or frame is None:
            raise MediaError("not an image or video (or truncated)")
        index = 0
        while ok and frame is not None:
            yield index, frame
            index += 1
            ok, frame = cap.read()
    finally:
        cap.release()
