"""``sim:`` — a synthetic gate camera: mostly an empty scene, now and then a phone with a code.

Options go in a query string: ``sim:?codes=FILE&every=45&show=20&fps=15&seed=0&category=clean``
(``codes``: a text file with one payload per line, shown in turn; ``every``: frames between
two presentations; ``show``: frames a code stays in view). :meth:`SimulatedCamera.present`
queues specific payloads from code, e.g. for a demo.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.parse
from collections import deque
from pathlib import Path

import numpy as np

from drivers.camera.sources import FrameSource
from drivers.camera.synthetic import Payload, credential_text, render_sample

log = logging.getLogger(__name__)


class SimulatedCamera(FrameSource):
    """A deterministic synthetic camera (see the module docstring for its options)."""

    live = True

    def __init__(
        self,
        codes: list[Payload] | None = None,
        *,
        every: int = 45,
        show: int = 20,
        fps: float = 15.0,
        seed: int = 0,
        category: str = "clean",
    ) -> None:
        self.description = "sim:"
        self._codes: list[Payload] = list(codes or [])
        self._every = max(1, every)
        self._show = max(1, show)
        self._fps = fps
        self._seed = seed
        self._category = category
        self._queue: deque[Payload] = deque()
        self._lock = threading.Lock()
        self._frame_no = 0
        self._next_code = 0
        self._showing: np.ndarray | None = None
        self._show_left = 0
        self._idle = render_sample(None, "nocode", seed).image
        self._rendered: dict[Payload, np.ndarray] = {}
        self.shown: list[Payload] = []  # payloads in the order they were put in view
        # when each recent payload's first frame left read() (time.perf_counter)
        self.in_view_since: dict[Payload, float] = {}

    @classmethod
    def from_spec(cls, spec: str) -> SimulatedCamera:
        """Build from a ``sim:`` source string (``sim:`` or ``sim:?key=value&...``)."""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(spec).query or spec.partition("?")[2])

        def opt(key: str, default: str) -> str:
            return query.get(key, [default])[-1]

        codes: list[Payload] = []
        if "codes" in query:
            path = Path(opt("codes", ""))
            codes = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
        return cls(codes, every=int(opt("every", "45")), show=int(opt("show", "20")),
                   fps=float(opt("fps", "15")), seed=int(opt("seed", "0")),
                   category=opt("category", "clean"))

    def present(self, payload: Payload) -> None:
        """Show ``payload`` next (right away if no code is in view)."""
        with self._lock:
            self._queue.append(payload)

    def open(self) -> bool:
        return True

    def read(self) -> np.ndarray | None:
        with self._lock:
            self._frame_no += 1
            if self._show_left > 0:
                self._show_left -= 1
            else:
                self._showing = None
                payload = self._next_payload()
                if payload is not None:
                    self._showing = self._render(payload)
                    self._show_left = self._show - 1
                    self.shown.append(payload)
                    if len(self.in_view_since) > 64:
                        self.in_view_since.clear()
                    self.in_view_since[payload] = time.perf_counter()
            return (self._showing if self._showing is not None else self._idle).copy()

    def _next_payload(self) -> Payload | None:
        if self._queue:
            return self._queue.popleft()
        if self._frame_no % self._every != 0:
            return None
        if self._codes:
            payload = self._codes[self._next_code % len(self._codes)]
        else:
            rng = np.random.default_rng([self._seed, self._next_code])
            payload = credential_text(rng)
        self._next_code += 1
        return payload

    def _render(self, payload: Payload) -> np.ndarray:
        if payload not in self._rendered:
            if len(self._rendered) > 32:
                self._rendered.clear()
            sample = render_sample(payload, self._category, self._seed + len(self.shown), 0.2)
            self._rendered[payload] = sample.image
        return self._rendered[payload]

    @property
    def nominal_fps(self) -> float:
        return self._fps
