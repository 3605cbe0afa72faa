"""QR decoding libraries behind one interface: a grayscale array in, codes out."""

from __future__ import annotations

import abc
import logging
from typing import Any

import numpy as np

from drivers.camera.result import DecodeResult, text_of

log = logging.getLogger(__name__)


class DecoderUnavailable(RuntimeError):
    """The library a decoder needs is not installed (or cannot load its native part)."""


class QRDecoder(abc.ABC):
    """A QR decoder: ``decode(gray)`` takes a 2-D ``uint8`` array and returns what it read.

    Results carry corner points in the coordinates of the array passed in; ``stage`` and
    ``ms`` are filled in by the cascade.
    """

    name: str = "abstract"

    @abc.abstractmethod
    def decode(self, gray: np.ndarray) -> list[DecodeResult]:
        """Read every QR code in ``gray`` (2-D, uint8, C-contiguous)."""


def _points(pts: Any) -> np.ndarray:
    return np.asarray(pts, dtype=np.float32).reshape(-1, 2)


class ZxingDecoder(QRDecoder):
    """zxing-cpp: the most complete and the fastest reader; keeps binary bytes exact."""

    name = "zxing"

    def __init__(self, *, try_harder: bool = True) -> None:
        try:
            import zxingcpp
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise DecoderUnavailable("zxing-cpp is not installed (pip install zxing-cpp)") from exc
        self._zx = zxingcpp
        self._try_harder = try_harder

    def decode(self, gray: np.ndarray) -> list[DecodeResult]:
        zx = self._zx
        found = zx.read_barcodes(
            gray,
            formats=zx.BarcodeFormat.QRCode,
            try_rotate=self._try_harder,
            try_downscale=self._try_harder,
            try_invert=True,
        )
        results = []
        for code in found:
            raw = bytes(code.bytes)
            pos = code.position
            pts = _points([(p.x, p.y) for p in (pos.top_left, pos.top_right,
                                                 pos.bottom_right, pos.bottom_left)])
            text = text_of(raw)
            if text is None and code.content_type == zx.ContentType.Text:
                text = code.text  # a legacy text encoding (ECI / Shift-JIS / GBK) zxing resolved
            results.append(DecodeResult(raw=raw, text=text, points=pts, decoder=self.name))
        return results


class PyzbarDecoder(QRDecoder):
    """ZBar through pyzbar: reads some close-ups zxing misses.

    ZBar transcodes byte-mode payloads to UTF-8 by guessing their encoding, so a result whose
    bytes are not plain ASCII is not trusted as is: the cascade re-reads it
    with zxing before it trusts the bytes.
    """

    name = "pyzbar"

    def __init__(self) -> None:
        try:
            from pyzbar import pyzbar
        except (ImportError, OSError) as exc:  # pragma: no cover - depends on the installation
            raise DecoderUnavailable("pyzbar or the zbar library is not installed") from exc
        self._pyzbar = pyzbar

    def decode(self, gray: np.ndarray) -> list[DecodeResult]:
        zb = self._pyzbar
        found = zb.decode(gray, symbols=[zb.ZBarSymbol.QRCODE])
        results = []
        for code in found:
            raw = bytes(code.data)
            pts = _points([(p.x, p.y) for p in code.polygon])
            if len(pts) != 4:
                x, y, w, h = code.rect
                pts = _points([(x, y), (x + w, y), (x + w, y + h), (x, y + h)])
            results.append(DecodeResult(raw=raw, text=text_of(raw), points=pts,
                                        decoder=self.name))
        return results


class OpenCVDecoder(QRDecoder):
    """OpenCV's QR detector (ArUco-based when available): the weakest, tried last."""

    name = "opencv"

    def __init__(self) -> None:
        try:
            import cv2
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise DecoderUnavailable("opencv-python is not installed") from exc
        factory = getattr(cv2, "QRCodeDetectorAruco", None) or cv2.QRCodeDetector
        self._detector = factory()

    def decode(self, gray: np.ndarray) -> list[DecodeResult]:
        text, pts, _ = self._detector.detectAndDecode(gray)
        if not text or pts is None:
            return []
        # the bindings return the payload as str; non-ASCII payloads may raise before this point
        raw = text.encode("utf-8")
        return [DecodeResult(raw=raw, text=text, points=_points(pts), decoder=self.name)]


_DECODERS: dict[str, type[QRDecoder]] = {
    "zxing": ZxingDecoder,
    "pyzbar": PyzbarDecoder,
    "opencv": OpenCVDecoder,
}


def make_decoder(name: str) -> QRDecoder:
    """Create a decoder by name (zxing, pyzbar, opencv); DecoderUnavailable if not installed."""
    try:
        cls = _DECODERS[name]
    except KeyError:
        raise ValueError(f"unknown decoder {name!r}; expected one of {sorted(_DECODERS)}") from None
    return cls()
