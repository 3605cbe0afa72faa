"""The scan worker: sim camera → cascade → acceptor → listener; survives bad frames."""

from __future__ import annotations

import threading

import numpy as np

from drivers.camera.acceptor import CodeAcceptor
from drivers.camera.capture import Capture
from drivers.camera.decoder import DecoderCascade
from drivers.camera.result import DecodeResult
from drivers.camera.simcamera import SimulatedCamera
from drivers.camera.synthetic import render_sample
from drivers.camera.worker import ScanListener, ScanWorker


class Collector(ScanListener):
    def __init__(self, fail_first: bool = False) -> None:
        self.codes: list[DecodeResult] = []
        self.decoded = 0
        self.fail_first = fail_first
        self.got_code = threading.Event()

    def on_code(self, result: DecodeResult) -> None:
        self.codes.append(result)
        self.got_code.set()

    def on_frame_decoded(self, frame_id: int, results: list[DecodeResult], ms: float) -> None:
        self.decoded += 1
        if self.fail_first and self.decoded == 1:
            raise RuntimeError("listener bug")


def test_worker_reports_an_accepted_code_from_sim(credential: str) -> None:
    sim = SimulatedCamera(every=1000, show=50, fps=60.0)
    sim.present(credential)
    collector = Collector(fail_first=True)
    capture = Capture(sim)
    worker = ScanWorker(capture, DecoderCascade(budget_ms=1000), CodeAcceptor(repeats=2),
                        collector)
    with capture, worker:
        assert collector.got_code.wait(30)
        assert worker.running
    assert [r.text for r in collector.codes] == [credential]
    assert worker.errors >= 1  # the listener bug was logged, the loop went on
    assert not worker.running


class GarbageThenGood:
    """A frame provider that hands out broken frames before a real one."""

    def __init__(self, good: np.ndarray) -> None:
        self.frames: list[object] = [None, "frame", np.zeros((0,)), np.full((3, 3), np.nan),
                                     good, good]
        self.lock = threading.Lock()

    def wait_frame(self, after_id: int, timeout: float) -> tuple[int, np.ndarray] | None:
        with self.lock:
            index = after_id + 1
            if index >= len(self.frames):
                threading.Event().wait(min(timeout, 0.05))
                return None
            return index, self.frames[index]  # type: ignore[return-value]


def test_worker_survives_bad_frames(credential: str) -> None:
    good = render_sample(credential, "clean", seed=2, difficulty=0.2).image
    collector = Collector()
    worker = ScanWorker(GarbageThenGood(good), DecoderCascade(budget_ms=1000),
                        CodeAcceptor(repeats=2), collector)
    with worker:
        assert collector.got_code.wait(30)
    assert [r.text for r in collector.codes] == [credential]
    assert collector.decoded == 6  # every broken frame is decoded to nothing, none raises
