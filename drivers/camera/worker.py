"""The scan loop: latest camera frame → decoder cascade → acceptor → listener, on its own thread."""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

import numpy as np

from drivers.camera.acceptor import CodeAcceptor
from drivers.camera.decoder import DecoderCascade
from drivers.camera.result import DecodeResult

log = logging.getLogger(__name__)


class FrameProvider(Protocol):
    """What the worker needs from a capture: the newest frame, waiting for one if needed."""

    def wait_frame(self, after_id: int, timeout: float) -> tuple[int, np.ndarray] | None:
        """The latest frame newer than ``after_id``, or None after ``timeout`` seconds."""
        ...


class ScanListener:
    """Callbacks from the scan worker's thread; every method does nothing by default."""

    def on_code(self, result: DecodeResult) -> None:
        """An accepted code (repeated over frames or verified), outside its hold-off."""

    def on_frame_decoded(self, frame_id: int, results: list[DecodeResult], ms: float) -> None:
        """A frame was decoded (``results`` may be empty); ``ms`` is the cascade's time."""


class ScanWorker:
    """Decode the newest frame of ``capture`` again and again on a named thread.

    Slow decoding never builds a queue: frames that arrive meanwhile are skipped. An
    exception from one frame (or from a listener) is logged and the loop goes on.
    """

    def __init__(
        self,
        capture: FrameProvider,
        cascade: DecoderCascade,
        acceptor: CodeAcceptor,
        listener: ScanListener | None = None,
        name: str = "scan-worker",
    ) -> None:
        self._capture = capture
        self._cascade = cascade
        self._acceptor = acceptor
        self._listener = listener or ScanListener()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.errors = 0

    def start(self) -> None:
        """Start the worker thread."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop and wait for it."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        """Whether the worker thread is alive."""
        return self._thread.is_alive()

    def __enter__(self) -> ScanWorker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        last_id = -1
        while not self._stop.is_set():
            try:
                item = self._capture.wait_frame(last_id, 0.2)
                if item is None:
                    continue
                last_id, frame = item
                self._process(last_id, frame)
            except Exception:  # noqa: BLE001 - the kiosk must never die on one bad frame
                self.errors += 1
                log.exception("scan worker: frame %d failed", last_id)
                time.sleep(0.01)

    def _process(self, frame_id: int, frame: np.ndarray) -> None:
        start = time.perf_counter()
        results = self._cascade.decode(frame)
        ms = (time.perf_counter() - start) * 1000.0
        try:
            self._listener.on_frame_decoded(frame_id, results, ms)
        except Exception:  # noqa: BLE001 - a listener bug must not stop scanning
            self.errors += 1
            log.exception("scan listener on_frame_decoded failed")
        for result in self._acceptor.offer(results):
            log.info("accepted code from stage %s", result.stage)
            try:
                self._listener.on_code(result)
            except Exception:  # noqa: BLE001
                self.errors += 1
                log.exception("scan listener on_code failed")
