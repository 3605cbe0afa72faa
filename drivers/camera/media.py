"""Reading still images and videos from files for offline decoding (``kiosk scan``).

Image bombs are refused before anything is decoded: an image's width and height come from
its header (read by Pillow, which parses the header only), a video's from its container, and
anything larger than ``max_pixels`` — more than any gate camera produces — is a
:class:`MediaError` naming the size, so a 1 MB PNG of 32,000 × 32,000 pixels costs
microseconds instead of gigabytes.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

log = logging.getLogger(__name__)

DEFAULT_MAX_PIXELS = 40_000_000  # 40 MP: more than any camera a gate uses
MAX_PIXELS_LIMIT = 150_000_000  # the most a configuration may allow (below Pillow's own limit)


class MediaError(Exception):
    """A file that cannot be read as an image or a video; the message is for people."""


def check_size(width: int, height: int, max_pixels: int) -> None:
    """Raise :class:`MediaError` when a ``width`` × ``height`` picture exceeds ``max_pixels``."""
    if width <= 0 or height <= 0:
        raise MediaError(f"image of {width} × {height} pixels")
    if width * height > max_pixels:
        raise MediaError(
            f"{width} × {height} pixels is larger than any camera frame "
            f"(limit {max_pixels / 1e6:g} MP); not decoded"
        )


def image_size(path: Path) -> tuple[int, int] | None:
    """``(width, height)`` from the header of an image file, None if it is not an image.

    Raises :class:`MediaError` for an unreadable file, or one past Pillow's own bomb limit
    (about 179 MP, above :data:`MAX_PIXELS_LIMIT`).
    """
    try:
        with warnings.catch_warnings():
            # Pillow warns about large images; the caller decides with its own limit.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                return image.size
    except Image.DecompressionBombError:
        raise MediaError(
            f"more than {MAX_PIXELS_LIMIT / 1e6:g} MP, larger than any camera frame; not decoded"
        ) from None
    except (UnidentifiedImageError, SyntaxError, ValueError, EOFError):
        return None  # not an image Pillow knows (a video, or garbage)
    except OSError as exc:
        raise MediaError(f"cannot read: {exc.strerror or exc}") from exc


def read_image(path: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray | None:
    """The image in ``path`` as BGR, None if it is not a (complete) image file.

    Raises :class:`MediaError` for an unreadable file or one whose header declares more than
    ``max_pixels`` pixels (checked before decoding).
    """
    size = image_size(path)
    if size is None:
        return None
    check_size(*size, max_pixels)
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as exc:
        raise MediaError(f"cannot read: {exc.strerror or exc}") from exc
    if data.size == 0:
        raise MediaError("empty file")
    try:
        image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    except cv2.error as exc:
        raise MediaError(f"cannot decode: {str(exc).strip().splitlines()[-1]}") from None
    return image if image is not None and image.size else None


def iter_frames(
    path: Path, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Iterator[tuple[int | None, np.ndarray]]:
    """``(None, image)`` for an image file, ``(index, frame)`` for each frame of a video.

    Raises MediaError when the file is missing, neither an image nor a video, or when an image
    or the video's frames are larger than ``max_pixels``.
    """
    if not path.exists():
        raise MediaError("no such file")
    if path.is_dir():
        raise MediaError("is a directory")
    if path.stat().st_size == 0:
        raise MediaError("empty file")
    image = read_image(path, max_pixels)
    if image is not None:
        yield None, image
        return
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise MediaError("not an image or video (or truncated)")
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if width or height:  # the container's declared size, before any frame is decoded
            check_size(width, height, max_pixels)
        ok, frame = cap.read()
        if not ok or frame is None:
            raise MediaError("not an image or video (or truncated)")
        index = 0
        while ok and frame is not None:
            check_size(frame.shape[1], frame.shape[0], max_pixels)
            yield index, frame
            index += 1
            ok, frame = cap.read()
    finally:
        cap.release()
