"""Deterministic synthetic gate-camera frames: a phone showing a QR code in a cluttered scene.

Every sample is a pure function of (payload, category, seed, difficulty): the same arguments
always give the same pixels. Frames are 640×480 BGR ``uint8`` arrays like a camera delivers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import segno

FRAME_W = 640
FRAME_H = 480
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

CATEGORIES: tuple[str, ...] = (
    "clean",
    "small",
    "tilt",
    "rotate",
    "blur",
    "motion",
    "glare",
    "moire",
    "noise",
    "lowlight",
    "overexposed",
    "darkmode",
    "jpeg",
    "mixed",
    "nocode",
)

_EFFECTS = ("blur", "motion", "glare", "moire", "noise", "lowlight", "overexposed", "jpeg")

# severity at d = 1 of the categories' hard half (see ``_look``)
CLEAN_MIN_PX = 62
CLEAN_DEFOCUS = 1.0
TILT_SHRINK = 0.68
TILT_CLOSE = 0.55
ROTATE_SHRINK = 0.72
NOISE_GAIN = 2.0
NOISE_VEIL = 0.8
DARK_DIM = 0.9
DARK_VEIL = 1.0
JPEG_SHRINK = 0.6
JPEG_STRENGTH = 1.1
JPEG_MIN_QUALITY = 3
BLOOM_GAIN = 0.4
BLOOM_SIGMA = 3.0
BLOOM_SPILL = 0.3

Payload = str | bytes


@dataclass(frozen=True)
class SyntheticSample:
    """One rendered frame and what it shows."""

    image: np.ndarray  # 480×640×3 BGR uint8
    payload: Payload | None  # ground truth; None for a frame without a code
    category: str
    seed: int
    difficulty: float
    code_px: float  # side of the code (without quiet zone) before perspective, in pixels
    corners: np.ndarray  # 4×2 float32 corners of the code in the frame (empty without a code)

    @property
    def raw(self) -> bytes | None:
        """The payload as the bytes stored in the code."""
        if self.payload is None:
            return None
        return self.payload if isinstance(self.payload, bytes) else self.payload.encode("utf-8")


def credential_text(rng: np.random.Generator, prefix: str = "HK1") -> str:
    """A credential-shaped text: ``PREFIX:`` + 200–400 Base45 characters."""
    n = int(rng.integers(200, 401))
    chars = rng.integers(0, len(BASE45), n)
    return prefix + ":" + "".join(BASE45[int(i)] for i in chars)


def random_payload(rng: np.random.Generator) -> Payload:
    """A payload like those shown at a gate: mostly credentials, some short texts and bytes."""
    kind = rng.random()
    if kind < 0.7:
        return credential_text(rng, str(rng.choice(["HK1", "CP1", "VA1"])))
    if kind < 0.9:
        short = [
            "https://hc.example.gov.cn/q?t=8F3A91C2",
            "VISITOR-2022-0108-0042",
            "郑州大学 访客通行证 0042",
            "CP1-STAFF-10086",
            "hello gate",
        ]
        return short[int(rng.integers(0, len(short)))]
    return bytes(rng.integers(0, 256, int(rng.integers(16, 65)), dtype=np.uint8).tobytes())


def qr_matrix(payload: Payload) -> np.ndarray:
    """The QR module matrix (1 = dark) with a 4-module quiet zone, error correction M."""
    qr = segno.make_qr(payload, error="m", boost_error=False)
    matrix = np.array([list(row) for row in qr.matrix], dtype=np.uint8)
    return np.pad(matrix, 4)


def _rotation(rx: float, ry: float, rz: float) -> np.ndarray:
    cx, sx, cy, sy, cz, sz = (math.cos(rx), math.sin(rx), math.cos(ry), math.sin(ry),
                              math.cos(rz), math.sin(rz))
    mx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    my = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    mz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return mz @ my @ mx


def _background(rng: np.random.Generator) -> np.ndarray:
    """A cluttered scene: gradient wall, shapes, lines and text-like strokes."""
    base = rng.uniform(60, 200, 3)
    tilt = rng.uniform(-60, 60, 3)
    yy = np.linspace(0, 1, FRAME_H, dtype=np.float32)[:, None, None]
    img = np.clip(base + tilt * yy, 0, 255) * np.ones((1, FRAME_W, 1), np.float32)
    img = img.astype(np.uint8)
    for _ in range(int(rng.integers(6, 16))):
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        x, y = int(rng.integers(0, FRAME_W)), int(rng.integers(0, FRAME_H))
        shape = rng.integers(0, 4)
        if shape == 0:
            w, h = int(rng.integers(20, 200)), int(rng.integers(20, 200))
            cv2.rectangle(img, (x, y), (x + w, y + h), color, -1)
        elif shape == 1:
            cv2.circle(img, (x, y), int(rng.integers(10, 80)), color, -1)
        elif shape == 2:
            x2, y2 = int(rng.integers(0, FRAME_W)), int(rng.integers(0, FRAME_H))
            cv2.line(img, (x, y), (x2, y2), color, int(rng.integers(1, 6)))
        else:
            text = "".join(chr(int(c)) for c in rng.integers(65, 91, int(rng.integers(3, 10))))
            cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, float(rng.uniform(0.4, 1.5)),
                        color, int(rng.integers(1, 3)))
    return img


def _phone_texture(
    matrix: np.ndarray | None,
    module_px: int,
    dark: bool,
    rng: np.random.Generator,
    brightness: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The phone face (body, bezel, screen with the code); returns it and the code's corners.

    ``brightness`` scales the screen's light (a phone with its backlight turned down).
    """
    n = matrix.shape[0] if matrix is not None else 33
    code_side = n * module_px
    screen_w = code_side + 2 * module_px * 2
    screen_h = int(screen_w * 1.9)
    bezel = max(4, screen_w // 14)
    w, h = screen_w + 2 * bezel, screen_h + 4 * bezel
    body = int(rng.integers(10, 60))
    tex = np.full((h, w, 3), body, np.uint8)
    screen_bg = 25 if dark else int(rng.integers(225, 256))
    sx0, sy0 = bezel, 2 * bezel
    tex[sy0:sy0 + screen_h, sx0:sx0 + screen_w] = screen_bg
    fg = (200 if dark else 30)
    # app chrome: a header bar and some text lines around the code
    cv2.rectangle(tex, (sx0, sy0), (sx0 + screen_w, sy0 + screen_h // 10),
                  (60, 160, 60) if not dark else (40, 90, 40), -1)
    qx0 = sx0 + (screen_w - code_side) // 2
    qy0 = sy0 + (screen_h - code_side) // 2
    for k in range(3):
        y = qy0 + code_side + (k + 1) * max(6, screen_h // 25)
        if y < sy0 + screen_h - 4:
            cv2.line(tex, (sx0 + screen_w // 6, y), (sx0 + screen_w * 5 // 6 - k * 10, y),
                     (fg, fg, fg), max(1, module_px // 2))
    if matrix is not None:
        light = int(rng.integers(170, 230)) if dark else screen_bg
        dark_v = 25 if dark else fg
        values = np.where(matrix > 0, light if dark else dark_v, dark_v if dark else light)
        big = np.kron(values.astype(np.uint8), np.ones((module_px, module_px), np.uint8))
        tex[qy0:qy0 + code_side, qx0:qx0 + code_side] = big[:, :, None]
    if brightness != 1.0:
        screen = tex[sy0:sy0 + screen_h, sx0:sx0 + screen_w].astype(np.float32) * brightness
        tex[sy0:sy0 + screen_h, sx0:sx0 + screen_w] = np.round(screen).astype(np.uint8)
    q = 4 * module_px
    corners = np.array(
        [[qx0 + q, qy0 + q], [qx0 + code_side - q, qy0 + q],
         [qx0 + code_side - q, qy0 + code_side - q], [qx0 + q, qy0 + code_side - q]],
        np.float32,
    )
    return tex, corners


@dataclass(frozen=True)
class _Look:
    code_px: float
    tilt_deg: float
    roll_deg: float
    effects: dict[str, float]
    dark: bool
    brightness: float = 1.0  # screen backlight, 1 = full
    distance: float = 1.0  # camera distance in focal lengths; < 1: stronger foreshortening


def _ramp(d: float, start: float = 0.5) -> float:
    """0 up to ``start``, then linear to 1 at d = 1: the hardest part of a category's range."""
    return max(0.0, (d - start) / (1.0 - start))


def _look(category: str, d: float, rng: np.random.Generator) -> _Look:
    """Scene parameters for a category at difficulty ``d`` in [0, 1].

    Low difficulties stay easy to read (tests and the simulated camera use d ≤ 0.4). Towards
    d = 1 each category reaches what makes a plain decoder fail at a real gate: smaller codes,
    defocus, foreshortening, sensor gain, reflections, bloom, coarse JPEG.
    """
    code_px = float(rng.uniform(150, 260))
    tilt = float(rng.uniform(0, 8))
    roll = float(rng.uniform(-10, 10))
    effects: dict[str, float] = {"noise": 0.05}
    dark = False
    brightness = 1.0
    distance = 1.0
    r = _ramp(d)
    if category == "clean":
        # a well-lit phone, but held further away and slightly out of focus at the top
        code_px = code_px * (1 - r) + float(rng.uniform(CLEAN_MIN_PX, 100)) * r
        effects["defocus"] = CLEAN_DEFOCUS * r
    elif category == "small":
        code_px = 140 - 100 * d + float(rng.uniform(-10, 10))
    elif category == "tilt":
        tilt = 10 + 35 * d  # the specification's maximum is 45°
        code_px *= 1 - TILT_SHRINK * r
        distance = 1 - TILT_CLOSE * r  # close to a wide-angle lens: strong foreshortening
    elif category == "rotate":
        roll = float(rng.uniform(-180, 180))
        tilt = float(rng.uniform(0, 15 * d))
        code_px *= 1 - ROTATE_SHRINK * r
    elif category == "noise":
        # high sensor gain in a dim entrance, ambient light reflected on the screen glass
        effects["noise"] = NOISE_GAIN * d
        effects["veil"] = NOISE_VEIL * d
    elif category == "overexposed":
        effects["overexposed"] = d
        effects["bloom"] = r
    elif category == "jpeg":
        effects["jpeg"] = JPEG_STRENGTH * d
        code_px *= 1 - JPEG_SHRINK * r
    elif category in _EFFECTS:
        effects[category] = d
    elif category == "darkmode":
        dark = True
        effects["noise"] = 0.05 + 0.3 * d
        tilt = float(rng.uniform(0, 25 * d))
        brightness = 1 - DARK_DIM * d
        effects["veil"] = DARK_VEIL * r
    elif category == "mixed":
        code_px = float(rng.uniform(110, 260))
        tilt = float(rng.uniform(0, 30 * d + 5))
        roll = float(rng.uniform(-180, 180))
        dark = bool(rng.random() < 0.2)
        for name in rng.choice(list(_EFFECTS), 3, replace=False):
            effects[str(name)] = float(d * rng.uniform(0.4, 1.0))
    code_px = float(np.clip(code_px, 40, 300))
    return _Look(code_px, tilt, roll, effects, dark, brightness, distance)


def render_sample(
    payload: Payload | None, category: str = "clean", seed: int = 0, difficulty: float = 0.5
) -> SyntheticSample:
    """Render ``payload`` as the gate camera sees it on a phone (None: a frame without a code)."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; expected one of {CATEGORIES}")
    d = float(np.clip(difficulty, 0.0, 1.0))
    rng = np.random.default_rng([seed, CATEGORIES.index(category), int(d * 1000)])
    scene = _background(rng)
    if category == "nocode":
        payload = None
    look = _look(category, d, rng)
    matrix = qr_matrix(payload) if payload is not None else None
    n_code = (matrix.shape[0] - 8) if matrix is not None else 25
    module_px = 6
    tex, code_corners = _phone_texture(matrix, module_px, look.dark, rng, look.brightness)
    if matrix is None:
        code_corners = np.zeros((0, 2), np.float32)
    # place the phone plane in 3D: scale so that the code side is look.code_px
    th, tw = tex.shape[:2]
    scale = look.code_px / (n_code * module_px)
    plane = np.array([[0, 0], [tw, 0], [tw, th], [0, th]], np.float32)
    center = np.array([tw / 2, th / 2], np.float32)
    if matrix is not None:
        center = code_corners.mean(axis=0)
    tilt = math.radians(look.tilt_deg)
    axis = rng.uniform(0, 2 * math.pi)
    rot = _rotation(tilt * math.cos(axis), tilt * math.sin(axis), math.radians(look.roll_deg))
    f = 700.0
    z = f * look.distance
    scale *= look.distance  # same code size at the centre, stronger perspective when close
    margin = 0.6 * look.code_px + 8
    cx = FRAME_W / 2 + float(rng.uniform(-0.7, 0.7)) * max(0.0, FRAME_W / 2 - margin)
    cy = FRAME_H / 2 + float(rng.uniform(-0.7, 0.7)) * max(0.0, FRAME_H / 2 - margin)

    def project(pts: np.ndarray) -> np.ndarray:
        p = np.column_stack([(pts - center) * scale, np.zeros(len(pts))]) @ rot.T
        p[:, 2] += z
        return np.column_stack([f * p[:, 0] / p[:, 2] + cx, f * p[:, 1] / p[:, 2] + cy])

    dst = project(plane).astype(np.float32)
    homography = cv2.getPerspectiveTransform(plane, dst)
    warped = cv2.warpPerspective(tex, homography, (FRAME_W, FRAME_H), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((th, tw), 255, np.uint8), homography,
                               (FRAME_W, FRAME_H), flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    img = scene.astype(np.float32) * (1 - alpha) + warped.astype(np.float32) * alpha
    corners = project(code_corners).astype(np.float32) if matrix is not None else code_corners
    img = _apply_effects(img, look.effects, mask, rng)
    return SyntheticSample(img, payload, category, seed, d, look.code_px, corners)


def _apply_effects(
    img: np.ndarray, effects: dict[str, float], mask: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Optical and sensor effects, in a camera's order; returns a uint8 BGR frame."""
    h, w = img.shape[:2]
    if "moire" in effects:
        a = 0.08 + 0.3 * effects["moire"]
        fx, fy = rng.uniform(0.15, 0.45, 2) * rng.choice([-1, 1], 2)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        wave = 1 + a * np.sin(2 * np.pi * (fx * xx + fy * yy) + rng.uniform(0, 6.28))
        screen = (mask.astype(np.float32) / 255.0)
        img = img * (1 + (wave - 1) * screen)[:, :, None]
    if "glare" in effects:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        ys, xs = np.nonzero(mask > 128)
        for _ in range(int(rng.integers(1, 3))):
            k = int(rng.integers(0, len(ys))) if len(ys) else 0
            gx, gy = (float(xs[k]), float(ys[k])) if len(ys) else (w / 2, h / 2)
            sx, sy = rng.uniform(8, 20 + 40 * effects["glare"], 2)
            spot = np.exp(-(((xx - gx) / sx) ** 2 + ((yy - gy) / sy) ** 2))
            img = img + (120 + 260 * effects["glare"]) * spot[:, :, None]
    if "veil" in effects:
        # room light reflected on the screen glass: adds light, lifts the dark modules
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        direction = rng.uniform(0, 2 * math.pi)
        ramp = (xx * math.cos(direction) + yy * math.sin(direction)) / max(w, h)
        level = rng.uniform(90, 140) * (0.75 + 0.5 * (ramp - ramp.min()))
        screen = (mask.astype(np.float32) / 255.0)
        img = img + (effects["veil"] * level * screen)[:, :, None]
    if "overexposed" in effects:
        img = img * (1.3 + 1.4 * effects["overexposed"]) + 20
    if effects.get("bloom", 0.0) > 0:
        # light beyond the sensor's full well spills into the neighbouring (dark) modules
        b = effects["bloom"]
        img = img * (1 + BLOOM_GAIN * b)
        excess = np.maximum(img.max(axis=2) - 255.0, 0.0)
        spill = cv2.GaussianBlur(excess, (0, 0), 1.0 + BLOOM_SIGMA * b)
        img = img + (BLOOM_SPILL * b * spill)[:, :, None]
    if "lowlight" in effects:
        img = img * (0.45 - 0.35 * effects["lowlight"])
    img = np.clip(img, 0, 255)
    if "blur" in effects:
        sigma = 0.6 + 2.4 * effects["blur"]
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    if effects.get("defocus", 0.0) > 0:
        img = cv2.GaussianBlur(img, (0, 0), effects["defocus"])
    if "motion" in effects:
        length = int(3 + 12 * effects["motion"])
        angle = rng.uniform(0, 180)
        line = np.zeros((length, length), np.float32)
        line[length // 2, :] = 1.0
        rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
        kernel: np.ndarray = cv2.warpAffine(line, rot, (length, length))
        kernel = kernel / max(float(kernel.sum()), 1e-6)
        img = cv2.filter2D(img, -1, kernel)
    sigma_n = 2.0 + 28.0 * effects.get("noise", 0.0)
    if "lowlight" in effects:
        sigma_n += 4 + 6 * effects["lowlight"]
    img = img + rng.normal(0, sigma_n, img.shape).astype(np.float32)
    out = np.clip(img, 0, 255).astype(np.uint8)
    if "jpeg" in effects:
        # 4:2:0 chroma subsampling, as camera and streaming encoders do
        quality = max(JPEG_MIN_QUALITY, int(40 - 32 * effects["jpeg"]))
        params = [cv2.IMWRITE_JPEG_QUALITY, quality,
                  cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420]
        ok, buf = cv2.imencode(".jpg", out, params)
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out


def sample_set(
    per_category: int,
    seed: int = 0,
    categories: Sequence[str] = CATEGORIES,
) -> Iterator[SyntheticSample]:
    """``per_category`` samples of each category, difficulty spread evenly over [0, 1]."""
    for c_index, category in enumerate(categories):
        for i in range(per_category):
            rng = np.random.default_rng([seed, c_index, i, 7])
            payload = random_payload(rng)
            difficulty = (i + 0.5) / per_category
            yield render_sample(payload, category, seed * 100003 + i, difficulty)
