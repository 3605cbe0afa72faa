"""Where frames come from: OpenCV devices, files and streams, behind one small interface."""

from __future__ import annotations

import abc
import logging
import os

import cv2
import numpy as np

log = logging.getLogger(__name__)


class FrameSource(abc.ABC):
    """A frame source the capture thread owns: open, read frames, close.

    ``live`` sources (cameras, streams, the simulator) that stop delivering are lost and
    reconnected; a file that ends has ended.
    """

    live: bool = True
    description: str = ""

    @abc.abstractmethod
    def open(self) -> bool:
        """Open the source; False when it is not there (yet)."""

    @abc.abstractmethod
    def read(self) -> np.ndarray | None:
        """The next BGR frame, or None at the end of a file or when a device is lost."""

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release the source."""

    @property
    def nominal_fps(self) -> float:
        """Frames per second to pace reading at (0: as fast as frames come)."""
        return 0.0


class OpenCVSource(FrameSource):
    """A device index, a video file or a stream URL read through ``cv2.VideoCapture``."""

    def __init__(self, target: int | str, *, width: int = 640, height: int = 480,
                 live: bool = True, file_fps: float | None = None) -> None:
        self._target = target
        self._width = width
        self._height = height
        self.live = live
        self.description = f"device {target}" if isinstance(target, int) else str(target)
        self._file_fps = file_fps
        self._cap: cv2.VideoCapture | None = None

    def open(self) -> bool:
        if not self.live and not os.path.exists(str(self._target)):
            return False
        cap = cv2.VideoCapture(self._target)
        if not cap.isOpened():
            cap.release()
            return False
        if isinstance(self._target, int):
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self._width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self._height)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._cap = cap
        return True

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            return None
        ok, frame = self._cap.read()
        return frame if ok and frame is not None and frame.size else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    @property
    def nominal_fps(self) -> float:
        if self.live:
            return 0.0  # the device paces itself
        if self._file_fps is not None:
            return self._file_fps
        fps = float(self._cap.get(cv2.CAP_PROP_FPS)) if self._cap is not None else 0.0
        return fps if 0 < fps <= 240 else 25.0
