"""Capture from real video files, from sim:, and reconnect/fail on missing sources."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera.capture import Capture, CaptureListener, CaptureOptions, open_source
from drivers.camera.decoder import DecoderCascade
from drivers.camera.simcamera import SimulatedCamera
from drivers.camera.synthetic import render_sample
from drivers.device import DeviceState, SystemClock


class InstantClock(SystemClock):
    """Records the waits asked for and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def wait(self, event: threading.Event, seconds: float) -> bool:
        self.waits.append(seconds)
        return event.is_set()


class Recorder(CaptureListener):
    def __init__(self) -> None:
        self.states: list[DeviceState] = []
        self.frames = 0
        self.changed = threading.Event()

    def on_state(self, state: DeviceState, detail: str) -> None:
        self.states.append(state)
        self.changed.set()

    def on_frame(self, frame_id: int) -> None:
        self.frames += 1


def write_video(path: Path, frames: list[np.ndarray], fps: float = 10.0) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (640, 480))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()


@pytest.fixture(scope="module")
def video(tmp_path_factory, credential: str) -> Path:
    path = tmp_path_factory.mktemp("video") / "gate.avi"
    idle = render_sample(None, "nocode", seed=1).image
    phone = render_sample(credential, "clean", seed=1, difficulty=0.2).image
    write_video(path, [idle] * 3 + [phone] * 4 + [idle] * 3)
    return path


def test_video_file_plays_to_its_end(video: Path, credential: str) -> None:
    recorder = Recorder()
    capture = Capture(str(video), CaptureOptions(file_fps=200.0), recorder)
    with capture:
        capture.join(20)
    assert capture.state == DeviceState.ENDED
    assert recorder.states == [DeviceState.READY, DeviceState.ENDED]
    assert recorder.frames == 10
    frame_id, frame = capture.latest() or (0, None)
    assert frame_id == 10 and frame is not None and frame.shape == (480, 640, 3)


def test_video_frames_decode(video: Path, credential: str) -> None:
    cascade = DecoderCascade(budget_ms=1000)
    cap = cv2.VideoCapture(str(video))
    texts = []
    ok, frame = cap.read()
    while ok:
        texts.append([r.text for r in cascade.decode(frame)])
        ok, frame = cap.read()
    cap.release()
    assert texts == [[]] * 3 + [[credential]] * 4 + [[]] * 3


def test_looping_file_keeps_delivering(video: Path) -> None:
    capture = Capture(str(video), CaptureOptions(file_fps=500.0, loop=True))
    with capture:
        assert capture.wait_frame(25, 20) is not None
        assert capture.state == DeviceState.READY
    assert capture.state == DeviceState.STOPPED


def test_latest_only_keeps_the_newest_frame(video: Path) -> None:
    capture = Capture(str(video), CaptureOptions(file_fps=500.0))
    with capture:
        capture.join(20)
        first = capture.latest()
        assert first is not None and first[0] == 10
        assert capture.wait_frame(10, 0.2) is None  # nothing newer, no backlog


def test_missing_file_reconnects_then_fails(tmp_path: Path) -> None:
    recorder = Recorder()
    clock = InstantClock()
    options = CaptureOptions(
        backoff_initial_s=0.01, backoff_max_s=0.04, backoff_jitter=0.0, max_attempts=5
    )
    capture = Capture(str(tmp_path / "missing.avi"), options, recorder, clock=clock)
    with capture:
        capture.join(20)
    assert recorder.states == [DeviceState.RECONNECTING, DeviceState.FAILED]
    assert capture.state == DeviceState.FAILED
    assert clock.waits == [0.01, 0.02, 0.04, 0.04]  # doubling, capped
    assert capture.latest() is None


def test_missing_device_reconnects_then_fails() -> None:
    recorder = Recorder()
    options = CaptureOptions(backoff_initial_s=0.01, max_attempts=2)
    capture = Capture("97", options, recorder, clock=InstantClock())
    with capture:
        capture.join(60)
    assert recorder.states == [DeviceState.RECONNECTING, DeviceState.FAILED]


def test_reconnecting_state_is_visible_while_retrying(tmp_path: Path) -> None:
    recorder = Recorder()
    capture = Capture(str(tmp_path / "later.avi"), CaptureOptions(backoff_initial_s=0.05),
                      recorder)
    with capture:
        assert recorder.changed.wait(10)
        assert capture.state == DeviceState.RECONNECTING
    assert capture.state == DeviceState.STOPPED


def test_sim_source_shows_queued_codes(credential: str) -> None:
    sim = SimulatedCamera(every=1000, show=3, fps=200.0)
    sim.present(credential)
    capture = Capture(sim)
    cascade = DecoderCascade(budget_ms=1000)
    texts: list[str | None] = []
    with capture:
        last = 0
        while len(texts) < 1:
            item = capture.wait_frame(last, 10)
            assert item is not None
            last, frame = item
            texts += [r.text for r in cascade.decode(frame)]
        assert capture.wait_frame(last + 3, 10) is not None
        assert capture.fps > 0
    assert texts == [credential]
    assert sim.shown[0] == credential


def test_sim_spec_reads_codes_file(tmp_path: Path) -> None:
    codes = tmp_path / "codes.txt"
    codes.write_text("CP1-STAFF-1\nVA1-2022-7\n", encoding="utf-8")
    sim = open_source(f"sim:?codes={codes}&every=2&show=1&seed=3")
    assert isinstance(sim, SimulatedCamera)
    assert sim.open()
    cascade = DecoderCascade(budget_ms=1000)
    texts = []
    for _ in range(4):
        frame = sim.read()
        assert frame is not None and frame.shape == (480, 640, 3)
        texts += [r.text for r in cascade.decode(frame)]
    assert texts == ["CP1-STAFF-1", "VA1-2022-7"]


def test_sim_shows_mostly_frames_without_a_code() -> None:
    sim = SimulatedCamera(every=10, show=3)
    frames = [sim.read() for _ in range(30)]
    first = frames[0]
    assert first is not None
    idle = sum(1 for f in frames if f is not None and np.array_equal(f, first))
    assert idle >= 18 and len(sim.shown) == 3
