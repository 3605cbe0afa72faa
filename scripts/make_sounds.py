"""Make the kiosk's cue sounds in ``assets/sounds/``: a short tone per cue, and the tone
followed by a spoken prompt in Chinese and in English (espeak-ng, offline).

Run ``scripts/make-sounds`` after changing a prompt; the WAV files are committed.
"""

from __future__ import annotations

import argparse
import io
import math
import shutil
import struct
import subprocess
import sys
import wave
from pathlib import Path

RATE = 22_050  # espeak-ng's own rate: tone and speech join without resampling
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "sounds"

# cue -> tone (frequency Hz, duration s; 0 Hz is a pause), Chinese prompt, English prompt
CUES: dict[str, tuple[list[tuple[float, float]], str, str]] = {
    "admit": ([(880, 0.09), (0, 0.03), (1320, 0.14)], "请通行", "Please go through"),
    "reject": (
        [(330, 0.22), (0, 0.06), (330, 0.22)],
        "禁止通行，请联系保安",
        "Entry refused. Please see the guard",
    ),
    "fever": (
        [(1000, 0.12), (750, 0.12), (1000, 0.12), (750, 0.12), (1000, 0.12), (750, 0.12)],
        "体温异常，请稍候复测",
        "High temperature. Please wait for a retest",
    ),
    "show-code": ([(660, 0.12)], "请出示健康码", "Please show your code"),
}
VOICES = {"zh_CN": "cmn", "en": "en"}


def tone(parts: list[tuple[float, float]], volume: float = 0.5) -> bytes:
    """16-bit mono PCM of the tone sequence, with 5 ms fades so it never clicks."""
    samples: list[int] = []
    fade = int(RATE * 0.005)
    for freq, seconds in parts:
        n = int(RATE * seconds)
        for i in range(n):
            envelope = min(1.0, i / fade, (n - 1 - i) / fade) if freq else 0.0
            value = math.sin(2 * math.pi * freq * i / RATE) * volume * envelope
            samples.append(int(value * 32_767))
    return struct.pack(f"<{len(samples)}h", *samples)


def speech(text: str, voice: str) -> bytes:
    """espeak-ng's PCM for ``text`` (mono, 16 bit, 22 050 Hz)."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "150", "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    with wave.open(io.BytesIO(wav)) as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, RATE):
            raise SystemExit(f"make-sounds: unexpected espeak-ng format for {text!r}")
        return w.readframes(w.getnframes())


def write(path: Path, pcm: bytes) -> None:
    """Write mono 16-bit PCM as a WAV file."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT, help="directory for the WAV files")
    args = parser.parse_args(argv)
    if shutil.which("espeak-ng") is None:
        print("make-sounds: espeak-ng is missing (apt-get install espeak-ng)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    gap = b"\0\0" * int(RATE * 0.15)
    for cue, (parts, zh, en) in CUES.items():
        beep = tone(parts)
        write(args.out / f"{cue}.tone.wav", beep)
        for locale, text in (("zh_CN", zh), ("en", en)):
            write(args.out / f"{cue}.{locale}.wav", beep + gap + speech(text, VOICES[locale]))
    print(f"make-sounds: {len(CUES) * 3} files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
