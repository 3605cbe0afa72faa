"""The production QR decoder cascade: cheap and exact first, rescue variants within a budget.

Order (chosen by measurement on the synthetic set, see ``docs/decoder.md``):

1. zxing-cpp on the grayscale frame. It reads almost everything readable in ~1 ms and also
   reports codes it *found but could not read*, which marks the frame as "a code is here".
2. Cheap rescues that are worth it on every frame (a few ms in total on a frame without a
   code): fixed-threshold binarisation, a 3×3 median (sensor noise, moiré), pyzbar on a
   320-px copy, a gamma curve, contrast equalisation, 1.5× upscaling.
3. Expensive rescues, only when a code was seen but not read: pyzbar at 480 px and at full
   size, 2× upscaling (plain and sharpened: small, slightly defocused codes), upscaling +
   adaptive threshold, CLAHE, sharpening, OpenCV last.

Every stage is guarded: an exception is logged and the cascade goes on. The cascade never
raises on any numpy array. Payloads read by ZBar or OpenCV that are not plain ASCII are not
trusted as is (both libraries transcode bytes by guessing an encoding); they are re-read
with zxing on a rectified crop and dropped when that fails, so binary payloads stay exact.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from drivers.camera.backends import DecoderUnavailable, QRDecoder, make_decoder
from drivers.camera.result import DecodeResult, text_of

log = logging.getLogger(__name__)

MIN_SIDE = 21  # the smallest QR code is 21×21 modules; anything smaller cannot hold one
# a stage runs only if its running mean time × this still fits in the budget: one frame's
# stage can take ~1.5× its mean, and the budget is a p95 limit, not a mean
COST_HEADROOM = 1.5

Transform = Callable[[np.ndarray], tuple[np.ndarray, float]]


def to_gray(frame: Any) -> np.ndarray | None:
    """A contiguous 2-D uint8 copy/view of ``frame`` (BGR, BGRA, gray), or None if unusable."""
    if not isinstance(frame, np.ndarray) or frame.size == 0:
        return None
    img = frame
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in (3, 4)):
        return None
    if min(img.shape[0], img.shape[1]) < MIN_SIDE:
        return None
    if img.dtype != np.uint8:
        if img.dtype == np.bool_:
            img = img.astype(np.uint8) * 255
        elif np.issubdtype(img.dtype, np.number) and not np.iscomplexobj(img):
            values = np.nan_to_num(img.astype(np.float32), nan=0.0, posinf=255.0, neginf=0.0)
            top = float(values.max()) if values.size else 0.0
            if np.issubdtype(img.dtype, np.floating) and top <= 1.0:
                values = values * 255.0
            elif np.issubdtype(img.dtype, np.integer) and img.dtype.itemsize > 1 and top > 255:
                values = values * (255.0 / float(np.iinfo(img.dtype).max))
            img = np.clip(values, 0, 255).astype(np.uint8)
        else:
            return None
    if img.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if img.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        img = cv2.cvtColor(np.ascontiguousarray(img), code)
    return np.ascontiguousarray(img)


def _resize_to_width(width: int) -> Transform:
    def run(gray: np.ndarray) -> tuple[np.ndarray, float]:
        if gray.shape[1] <= width:
            return gray, 1.0
        s = width / gray.shape[1]
        return cv2.resize(gray, None, fx=s, fy=s, interpolation=cv2.INTER_AREA), s

    return run


def _upscale(factor: float, max_side: int = 1600) -> Transform:
    def run(gray: np.ndarray) -> tuple[np.ndarray, float]:
        s = min(factor, max_side / max(gray.shape))
        if s <= 1.0:
            return gray, 1.0
        return cv2.resize(gray, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC), s

    return run


def _identity(gray: np.ndarray) -> tuple[np.ndarray, float]:
    return gray, 1.0


def _median(gray: np.ndarray) -> tuple[np.ndarray, float]:
    return cv2.medianBlur(gray, 3), 1.0


def _equalize(gray: np.ndarray) -> tuple[np.ndarray, float]:
    return cv2.equalizeHist(gray), 1.0


_GAMMA_DARKEN = np.array([((i / 255.0) ** 2.0) * 255.0 for i in range(256)], np.uint8)
_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))


def _gamma(gray: np.ndarray) -> tuple[np.ndarray, float]:
    return cv2.LUT(gray, _GAMMA_DARKEN), 1.0


def _clahe(gray: np.ndarray) -> tuple[np.ndarray, float]:
    return _CLAHE.apply(gray), 1.0


def _sharpen(gray: np.ndarray) -> tuple[np.ndarray, float]:
    return cv2.addWeighted(gray, 2.0, cv2.GaussianBlur(gray, (0, 0), 2.0), -1.0, 0), 1.0


def _upscale_sharpen(gray: np.ndarray) -> tuple[np.ndarray, float]:
    big, s = _upscale(2.0)(gray)
    return _sharpen(big)[0], s


def _upscale_adaptive(gray: np.ndarray) -> tuple[np.ndarray, float]:
    big, s = _upscale(2.0)(gray)
    return cv2.adaptiveThreshold(big, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 41, 5), s


@dataclass(frozen=True)
class Stage:
    """One cascade step: an image transform, then one decoder.

    ``transform`` returns the image to decode and its scale relative to the frame, so the
    corner points can be mapped back. ``when_seen``: run only when an earlier stage saw a
    code it could not read (keeps frames without a code cheap).
    """

    name: str
    decoder: str
    transform: Transform = _identity
    when_seen: bool = False
    binarizer: str | None = None  # zxing only: LocalAverage (default), FixedThreshold, ...


DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("zxing", "zxing"),
    Stage("zxing-fixed", "zxing", binarizer="FixedThreshold"),
    Stage("zxing-median", "zxing", _median),
    Stage("zxing-up1.5", "zxing", _upscale(1.5)),
    Stage("pyzbar-320", "pyzbar", _resize_to_width(320), when_seen=True),
    Stage("zxing-gamma", "zxing", _gamma, when_seen=True),
    Stage("zxing-equalize", "zxing", _equalize, when_seen=True),
    Stage("zxing-up2", "zxing", _upscale(2.0), when_seen=True),
    Stage("zxing-up2-sharpen", "zxing", _upscale_sharpen, when_seen=True),
    Stage("pyzbar-480", "pyzbar", _resize_to_width(480), when_seen=True),
    Stage("zxing-up2-adaptive", "zxing", _upscale_adaptive, when_seen=True),
    Stage("zxing-sharpen", "zxing", _sharpen, when_seen=True),
    Stage("zxing-clahe", "zxing", _clahe, when_seen=True),
    Stage("pyzbar", "pyzbar", when_seen=True),
    Stage("opencv", "opencv", when_seen=True),
)


class _ZxingProbe:
    """zxing with ``return_errors``: valid reads plus whether an unreadable code was seen."""

    def __init__(self) -> None:
        try:
            import zxingcpp
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise DecoderUnavailable("zxing-cpp is not installed (pip install zxing-cpp)") from exc
        self._zx = zxingcpp

    def read(self, gray: np.ndarray, binarizer: str | None) -> tuple[list[DecodeResult], bool]:
        zx = self._zx
        kwargs: dict[str, Any] = {"formats": zx.BarcodeFormat.QRCode, "return_errors": True}
        if binarizer:
            kwargs["binarizer"] = getattr(zx.Binarizer, binarizer)
        found = zx.read_barcodes(gray, **kwargs)
        results, seen = [], False
        for code in found:
            if not code.valid:
                seen = True
                continue
            raw = bytes(code.bytes)
            pos = code.position
            pts = np.array([(p.x, p.y) for p in (pos.top_left, pos.top_right,
                                                  pos.bottom_right, pos.bottom_left)],
                           np.float32)
            text = text_of(raw)
            if text is None and code.content_type == zx.ContentType.Text:
                text = code.text
            results.append(DecodeResult(raw=raw, text=text, points=pts, decoder="zxing"))
        return results, seen


class DecoderCascade:
    """Decode QR codes from camera frames with a time budget; never raises on a frame."""

    def __init__(
        self,
        budget_ms: float = 40.0,
        stages: Sequence[Stage] = DEFAULT_STAGES,
        decoders: dict[str, QRDecoder] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        """``decoders`` replaces or adds decoders by name (e.g. a custom ``QRDecoder``)."""
        self.budget_ms = budget_ms
        self.stages = tuple(stages)
        self._clock = clock
        self._decoders: dict[str, QRDecoder] = dict(decoders or {})
        self._probe: _ZxingProbe | None = None
        self._cost_ms: dict[str, float] = {}  # running mean time of each stage
        for stage in self.stages:
            if stage.decoder == "zxing" and "zxing" not in self._decoders:
                self._probe = self._probe or _ZxingProbe()
            elif stage.decoder not in self._decoders:
                self._decoders[stage.decoder] = make_decoder(stage.decoder)

    def decode(self, frame: Any) -> list[DecodeResult]:
        """Every code read from ``frame`` by the first stage that reads any; [] if none."""
        start = self._clock()
        try:
            gray = to_gray(frame)
        except Exception:  # noqa: BLE001 - a frame must never take the caller down
            log.exception("cannot convert frame to grayscale")
            return []
        if gray is None:
            return []
        seen = False
        for stage in self.stages:
            elapsed = (self._clock() - start) * 1000.0
            if stage.when_seen and not seen:
                continue
            if elapsed + COST_HEADROOM * self._cost_ms.get(stage.name, 0.0) > self.budget_ms:
                log.debug("decode budget of %.0f ms spent before %s", self.budget_ms, stage.name)
                continue
            stage_start = self._clock()
            try:
                results, stage_seen = self._run_stage(stage, gray)
            except Exception:  # noqa: BLE001 - one decoder failing must not stop the cascade
                log.exception("decoder stage %s failed", stage.name)
                continue
            finally:
                self._learn_cost(stage.name, (self._clock() - stage_start) * 1000.0)
            seen = seen or stage_seen
            if results:
                ms = (self._clock() - start) * 1000.0
                return [dataclasses.replace(r, stage=stage.name, ms=ms) for r in results]
        return []

    def _learn_cost(self, name: str, ms: float) -> None:
        old = self._cost_ms.get(name)
        self._cost_ms[name] = ms if old is None else 0.8 * old + 0.2 * ms

    def _run_stage(self, stage: Stage, gray: np.ndarray) -> tuple[list[DecodeResult], bool]:
        image, scale = stage.transform(gray)
        image = np.ascontiguousarray(image)
        if stage.decoder == "zxing" and self._probe is not None:
            results, seen = self._probe.read(image, stage.binarizer)
        else:
            results, seen = self._decoders[stage.decoder].decode(image), False
        if scale != 1.0:
            results = [dataclasses.replace(r, points=r.points / scale) for r in results]
        if stage.decoder in ("pyzbar", "opencv"):
            results = [v for r in results if (v := self._verified(r, gray)) is not None]
            seen = seen or bool(results)
        return results, seen

    def _verified(self, result: DecodeResult, gray: np.ndarray) -> DecodeResult | None:
        """Keep ASCII reads; re-read others exactly with zxing on a rectified crop."""
        if result.raw.isascii():
            return result
        if self._probe is None or len(result.points) != 4:
            log.debug("dropping a non-ASCII read by %s that cannot be verified", result.decoder)
            return None
        side = 400
        quiet = side * 0.12
        dst = np.array([[quiet, quiet], [side - quiet, quiet], [side - quiet, side - quiet],
                        [quiet, side - quiet]], np.float32)
        src = _order_corners(result.points.astype(np.float32))
        matrix = cv2.getPerspectiveTransform(src, dst)
        crop = cv2.warpPerspective(gray, matrix, (side, side), flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_REPLICATE)
        reread, _ = self._probe.read(np.ascontiguousarray(crop), None)
        if len(reread) != 1:
            log.debug("dropping a non-ASCII read by %s: zxing re-read failed", result.decoder)
            return None
        return dataclasses.replace(result, raw=reread[0].raw, text=reread[0].text,
                                   decoder=f"{result.decoder}+zxing")


def _order_corners(pts: np.ndarray) -> np.ndarray:
    """Corners ordered top-left, top-right, bottom-right, bottom-left around their centre."""
    center = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - center[1], pts[:, 0] - center[0])
    ordered = pts[np.argsort(angles)]
    first = int(np.argmin(ordered.sum(axis=1)))
    return np.roll(ordered, -first, axis=0)
