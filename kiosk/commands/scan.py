"""`kiosk scan [--json] FILE...`: decode QR codes in image and video files with the cascade."""

from __future__ import annotations

import argparse
import base64
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from drivers.camera.decoder import DecoderCascade
from drivers.camera.media import DEFAULT_MAX_PIXELS, MediaError, iter_frames
from drivers.camera.result import DecodeResult
from kiosk.commands.arguments import bounded_float
from kiosk.config import load_kiosk_config
from kiosk.devices import decoder_cascade

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    """Add the `scan` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "scan",
        help="decode QR codes in image or video files",
        description="Decode QR codes in image and video files with the production cascade.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="image (PNG, JPEG, …) or video")
    parser.add_argument("--json", action="store_true", help="one JSON object per line and file")
    parser.add_argument(
        "--budget-ms",
        type=bounded_float(0, 10_000, low_open=True),
        default=None,
        help="cascade time budget per frame (default: camera.decode_budget_ms)",
    )
    parser.set_defaults(func=run)


def code_json(result: DecodeResult) -> dict[str, Any]:
    """A decoded code as JSON: text (bytes escaped if not UTF-8), raw_b64 for binary."""
    item: dict[str, Any] = {
        "text": result.display_text,
        "stage": result.stage,
        "ms": round(result.ms, 2),
    }
    if result.text is None:
        item["raw_b64"] = base64.b64encode(result.raw).decode("ascii")
    return item


def scan_file(
    path: str, cascade: DecoderCascade, max_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[list[dict[str, Any]], bool]:
    """Records for one file (one per video frame with a code) and whether it was readable.

    A file that cannot be read, or whose images are larger than ``max_pixels``, gives one
    record with an error; the caller goes on with the next file.
    """
    start = time.perf_counter()
    records: list[dict[str, Any]] = []
    frames = 0
    try:
        for index, frame in iter_frames(Path(path), max_pixels):
            frames += 1
            frame_start = time.perf_counter()
            results = cascade.decode(frame)
            ms = round((time.perf_counter() - frame_start) * 1000.0, 2)
            if index is None:
                records.append(
                    {
                        "file": path,
                        "codes": [code_json(r) for r in results],
                        "ms": ms,
                        "error": None,
                    }
                )
            elif results:
                records.append(
                    {
                        "file": path,
                        "frame": index,
                        "codes": [code_json(r) for r in results],
                        "ms": ms,
                        "error": None,
                    }
                )
    except MediaError as exc:
        error = str(exc) if not frames else f"stopped after {frames} frames: {exc}"
        return [{"file": path, "codes": [], "ms": _ms(start), "error": error}], False
    if not records:  # a video without any code
        records.append({"file": path, "frame": None, "codes": [], "ms": _ms(start), "error": None})
    return records, True


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 2)


def _human(record: dict[str, Any]) -> str:
    where = record["file"] + (
        f" frame {record['frame']}" if record.get("frame") is not None else ""
    )
    if record["error"]:
        return f"{where}: error: {record['error']}"
    if not record["codes"]:
        return f"{where}: no code ({record['ms']:.1f} ms)"
    codes = "; ".join(f"{c['text']!r} [{c['stage']}, {c['ms']:.1f} ms]" for c in record["codes"])
    return f"{where}: {codes}"


def run(args: argparse.Namespace) -> int:
    """Scan every file; exit status 0 if all were readable, 1 (and a count on stderr) if not."""
    camera = load_kiosk_config(args.config).settings.camera
    if args.budget_ms is not None:
        camera = dataclasses.replace(camera, decode_budget_ms=args.budget_ms)
    cascade = decoder_cascade(camera)
    unreadable = 0
    for path in args.files:
        records, readable = scan_file(path, cascade, camera.max_pixels)
        unreadable += not readable
        for record in records:
            print(
                json.dumps(record, ensure_ascii=False) if args.json else _human(record), flush=True
            )
    if unreadable:
        print(f"kiosk scan: {unreadable} of {len(args.files)} files unreadable", file=sys.stderr)
    return 0 if not unreadable else 1
