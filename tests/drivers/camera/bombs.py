"""Image bombs for the tests: small files whose headers declare huge pictures."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(path: Path, width: int, height: int) -> Path:
    """A valid 1-bit grey PNG of ``width`` × ``height`` black pixels (32000² is about 1 MB)."""
    row = bytes(1 + (width + 7) // 8)  # filter byte 0, then the packed pixels
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )
    return path


def jpeg_bomb(path: Path, width: int, height: int) -> Path:
    """A small baseline JPEG whose frame header (SOF0) claims ``width`` × ``height``."""
    ok, encoded = cv2.imencode(".jpg", np.zeros((16, 16, 3), np.uint8))
    assert ok
    data = bytearray(encoded.tobytes())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    path.write_bytes(bytes(data))
    return path
