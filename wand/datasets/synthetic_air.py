"""SYNTHETIC air-writing IMU: a virtual wand turned so that it points along a pen stroke.

No real IMU recording of air-written characters can be shared here (issue 19), so the
whole chain (intent bracket -> stroke on the chip -> stroke model) is exercised on IMU
DERIVED from pen and canvas strokes. Everything this module makes is called synthetic:
the recordings' person is ``synthetic:<writer>``, their meta says ``synthetic = "true"``,
and no accuracy measured on them is real accuracy.

How a try is made (``synthesize``):

1. The pen stroke (x right, y up; pen lifts bridged by straight lines, as a wand draws
   one continuous stroke) is scaled so its larger side spans ``size_deg`` of wand turn,
   and read as where a laser pointer on the wand's tip would land on a wall facing the
   drawing's mean pointing direction (a gnomonic map: the wand points at
   ``m + tan(x) right + tan(y) up``; ``up`` is gravity's component in that wall, the
   projection the stroke core inverts). ``pitch_deg`` tilts that mean direction
   (0 level, -60 pointing down at a table); ``roll_deg`` rolls the board about its
   long axis (the drawing must not turn with it).
2. Speed along the path: slower in tight turns (the two-thirds power law of hand
   motion, v ~ curvature^(-1/3)), ramped from and to rest, scaled so the mean speed is
   ``speed_dps``. Size and speed defaults are drawn from REAL wand tries
   (``REAL_WAND_RANGES``): tti circles/diagonals and nano33-spells.
3. The wand rests at the stroke's first direction for ``rest_before_s`` and at its last
   for ``rest_after_s``.
4. Sensor readings from the exact rotations: gyro = the rotation from one sample to the
   next (body frame), accelerometer = gravity's reaction plus the tip's own acceleration
   (``lever_m`` from the pivot) in the body frame; then mapped into the board's
   left-handed (forward, right, up) frame (``wand/datasets/frames.py``).
5. Noise: REAL rest segments of real Nano 33 BLE Sense tries (tiny-trainable-instruments
   and nano33-spells, where the gyro stays under 20 deg/s for >= 0.1 s), each detrended
   (its linear trend removed, leaving sensor noise and hand tremor), chained and added.
   Never made-up noise.
6. Wire units (mg, 0.1 deg/s, int16, clipped to the LSM9DS1's +-4 g / +-2000 deg/s) at
   the board rate, 119 Hz.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from ..recordings import Recording
from .frames import G_MS2, physical_to_raw
from .strokes import Stroke

BOARD_RATE_HZ = 119  # LSM9DS1 as the Arduino library runs it
ACC_LIMIT_MG, GYRO_LIMIT_DDPS = 4000, 20000  # the library's default ranges: +-4 g, +-2000 deg/s
TO_RIGHT_HANDED = np.array([1.0, -1.0, 1.0])  # board (forward, right, up) <-> (forward, left, up)
UP = np.array([0.0, 0.0, 1.0])  # world (ahead, left, up), right-handed

# Measured on the real wand tries (tti diagonal_up_left/right, circle_cw, swipe_down and
# the five nano33-spells, 170 tries; gyro stroke of wand/strokes.py; motion = gyro L1 over
# 30 deg/s): the drawing's larger side 12-81 deg (10th-90th percentiles across gestures,
# medians 28-67), mean speed along the path 25-222 deg/s (medians per gesture), peak rate
# 59-528 deg/s. Gentle writers: the lower end, smaller and slower.
REAL_WAND_RANGES = {"size_deg": (25.0, 70.0), "speed_dps": (60.0, 220.0)}
GENTLE_RANGES = {"size_deg": (12.0, 25.0), "speed_dps": (20.0, 60.0)}


@dataclass(frozen=True)
class AirStyle:
    """How the virtual wand draws: size, speed, where it points, how the board is held."""

    size_deg: float = 40.0  # larger side of the drawing, degrees of wand turn
    speed_dps: float = 120.0  # mean angular speed along the path
    pitch_deg: float = 0.0  # mean pointing direction above (+) or below (-) level
    roll_deg: float = 0.0  # the board rolled about its long axis
    rest_before_s: float = 1.0
    rest_after_s: float = 1.0
    lever_m: float = 0.25  # tip (sensor) distance from the pivot of the turn
    rate_hz: int = BOARD_RATE_HZ


def draw_style(rng: np.random.Generator, gentle: bool = False, **fixed) -> AirStyle:
    """A writer's style drawn (log-uniformly) from the real wand tries' ranges."""
    ranges = GENTLE_RANGES if gentle else REAL_WAND_RANGES
    kw = {k: float(np.exp(rng.uniform(np.log(lo), np.log(hi)))) for k, (lo, hi) in ranges.items()}
    kw |= {"pitch_deg": float(rng.uniform(-30, 20)), "roll_deg": float(rng.uniform(-30, 30)),
           "rest_before_s": float(rng.uniform(0.8, 1.5)), "rest_after_s": float(rng.uniform(0.8, 1.5))}
    return AirStyle(**(kw | fixed))


# --- the path and its timing -----------------------------------------------------------------

def _fine_path(points: np.ndarray, size_deg: float, n: int = 600) -> np.ndarray:
    """The stroke centred on its box, larger side ``size_deg``, ``n`` points evenly along it."""
    pts = np.asarray(points, np.float64)
    pts = pts[np.r_[True, np.any(np.diff(pts, axis=0) != 0, axis=1)]]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    side = float(np.max(hi - lo))
    if len(pts) < 2 or side <= 0:
        raise ValueError("a stroke of no length cannot be drawn")
    pts = (pts - (lo + hi) / 2) * (size_deg / side)
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    at = np.concatenate([[0.0], np.cumsum(seg)])
    want = np.linspace(0.0, at[-1], n)
    return np.stack([np.interp(want, at, pts[:, 0]), np.interp(want, at, pts[:, 1])], axis=1)


def _timed(path: np.ndarray, speed_dps: float, rate_hz: int) -> np.ndarray:
    """The path sampled at ``rate_hz`` as a hand draws it (slower in turns, from and to rest)."""
    d = np.diff(path, axis=0)
    ds = np.linalg.norm(d, axis=1)
    length = float(ds.sum())
    heading = np.unwrap(np.arctan2(d[:, 1], d[:, 0]))
    curv = np.abs(np.gradient(heading)) / np.maximum(ds, 1e-9)  # rad per degree of path
    s = np.concatenate([[0.0], np.cumsum(ds)])[:-1] + ds / 2
    ramp = np.clip(np.minimum(s, length - s) / (0.12 * length), 0.0, 1.0)
    v = (curv + 0.5 / length) ** (-1 / 3) * (0.15 + 0.85 * np.sin(ramp * np.pi / 2) ** 2)
    dt = ds / v
    v *= dt.sum() / (length / speed_dps)  # mean speed = speed_dps
    t = np.concatenate([[0.0], np.cumsum(ds / v)])
    ts = np.arange(0.0, t[-1], 1.0 / rate_hz)
    ts = np.append(ts, t[-1]) if t[-1] - ts[-1] > 0.25 / rate_hz else ts
    return np.stack([np.interp(ts, t, path[:, 0]), np.interp(ts, t, path[:, 1])], axis=1)


# --- the virtual wand -------------------------------------------------------------------------

def _drawing_frame(pitch_deg: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mean pointing direction and the wall's right and up axes (world, right-handed)."""
    p = np.radians(pitch_deg)
    m = np.array([np.cos(p), 0.0, np.sin(p)])
    up = UP - (UP @ m) * m
    up /= np.linalg.norm(up)
    return m, np.cross(m, up), up


def pointing(path_deg: np.ndarray, pitch_deg: float) -> np.ndarray:
    """(n, 3) unit pointing directions for stroke points (degrees on the wall, x right, y up)."""
    m, right, up = _drawing_frame(pitch_deg)
    t = np.tan(np.radians(path_deg))
    p = m + t[:, :1] * right + t[:, 1:2] * up
    return p / np.linalg.norm(p, axis=1, keepdims=True)


def body_rotations(p: np.ndarray, roll_deg: float) -> np.ndarray:
    """(n, 3, 3) body -> world, body axes (forward, left, up) right-handed, forward along
    ``p``. The first sample has the board's top up but ``roll_deg`` about the long axis;
    each later one is the previous turned by the smallest rotation that moves the pointing
    direction on (no twist about the long axis: a hand drawing does not spin the wand, and
    this stays defined when the wand passes straight down)."""
    first = p[0]
    left = np.cross(UP, first)
    if np.linalg.norm(left) < 1e-6:
        raise ValueError("the first pointing direction must not be straight up or down")
    left /= np.linalg.norm(left)
    top = np.cross(first, left)
    r = np.radians(roll_deg)
    left, top = np.cos(r) * left + np.sin(r) * top, -np.sin(r) * left + np.cos(r) * top
    out = np.empty((len(p), 3, 3))
    out[0] = np.stack([first, left, top], axis=1)
    axes = np.cross(p[:-1], p[1:])
    sin = np.linalg.norm(axes, axis=1)
    angles = np.arctan2(sin, np.einsum("ti,ti->t", p[:-1], p[1:]))
    steps = _rotations(axes / np.where(sin > 0, sin, 1.0)[:, None] * angles[:, None])
    for t in range(1, len(p)):
        out[t] = steps[t - 1] @ out[t - 1]
    return out


def _rotations(w: np.ndarray) -> np.ndarray:
    """Rotation vectors (n, 3), radians -> matrices (n, 3, 3) (Rodrigues)."""
    from ..strokes import _step_rotations
    return _step_rotations(w)


def _log_rotations(rel: np.ndarray) -> np.ndarray:
    """Rotation matrices (n, 3, 3) -> rotation vectors (n, 3), radians."""
    cos = np.clip((np.trace(rel, axis1=1, axis2=2) - 1) / 2, -1.0, 1.0)
    theta = np.arccos(cos)
    axis = np.stack([rel[:, 2, 1] - rel[:, 1, 2], rel[:, 0, 2] - rel[:, 2, 0], rel[:, 1, 0] - rel[:, 0, 1]], axis=1)
    sin = np.sin(theta)
    scale = np.where(sin > 1e-9, theta / np.where(sin > 1e-9, 2 * sin, 1.0), 0.5)
    return axis * scale[:, None]


def ideal_imu(rot: np.ndarray, rate_hz: int, lever_m: float) -> np.ndarray:
    """(n, 6) noiseless board-frame IMU (g, deg/s) of a wand turning through ``rot``.
    Gyro at sample t is the rotation from t-1 to t (as ``wand/strokes.py`` integrates it)."""
    rel = np.einsum("tji,tjk->tik", rot[:-1], rot[1:])  # R[t-1]^T R[t]
    gyro = np.vstack([np.zeros((1, 3)), np.degrees(_log_rotations(rel)) * rate_hz])
    tip = rot[:, :, 0] * lever_m
    acc_lin = np.gradient(np.gradient(tip, axis=0), axis=0) * rate_hz ** 2 / G_MS2
    acc = np.einsum("tji,tj->ti", rot, UP + acc_lin)  # R^T (specific force), in g
    return np.hstack([acc * TO_RIGHT_HANDED, gyro * TO_RIGHT_HANDED])


# --- real rest noise ----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def rest_noise_bank() -> tuple[np.ndarray, ...]:
    """Detrended REAL rest segments (wire units, float) of the real Nano 33 tries."""
    from . import load_named, load_vocabulary
    from ..streams import still_runs
    recs = [r for g in load_vocabulary() for r in g.recordings()] + load_named("nano33-spells")
    out = []
    for r in recs:
        for a, b in still_runs(r.samples, r.rate_hz, 0.1):
            x = r.samples[a:b].astype(np.float64)
            t = np.arange(len(x)) - (len(x) - 1) / 2
            slope = (t @ (x - x.mean(axis=0))) / (t @ t)
            out.append(x - x.mean(axis=0) - np.outer(t, slope))
    if not out:
        raise ValueError("no still stretch in the real wand tries to take sensor noise from")
    return tuple(out)


def real_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples of real rest noise (wire units), chained from random real segments."""
    from ..streams import chain_pieces
    return chain_pieces(rest_noise_bank(), n, rng)


# --- the product ----------------------------------------------------------------------------------

def synthesize(points: np.ndarray, style: AirStyle, rng: np.random.Generator, noise: bool = True) -> np.ndarray:
    """(n, 6) int32 board-frame wire-unit IMU of a virtual wand drawing ``points``, with rests."""
    path = _timed(_fine_path(points, style.size_deg), style.speed_dps, style.rate_hz)
    before, after = int(round(style.rest_before_s * style.rate_hz)), int(round(style.rest_after_s * style.rate_hz))
    path = np.vstack([np.repeat(path[:1], before, axis=0), path, np.repeat(path[-1:], after, axis=0)])
    rot = body_rotations(pointing(path, style.pitch_deg), style.roll_deg)
    raw = physical_to_raw(ideal_imu(rot, style.rate_hz, style.lever_m)).astype(np.float64)
    if noise:
        raw += real_noise(len(raw), rng)
    limits = np.array([ACC_LIMIT_MG] * 3 + [GYRO_LIMIT_DDPS] * 3)
    return np.clip(np.rint(raw), -limits, limits).astype(np.int32)


def synthetic_recording(stroke: Stroke, label: str, style: AirStyle, seed: int, noise: bool = True) -> Recording:
    """A pen/canvas stroke as a SYNTHETIC wand recording, labelled as such."""
    rng = np.random.default_rng(seed)
    samples = synthesize(stroke.points, style, rng, noise)
    before = int(round(style.rest_before_s * style.rate_hz))
    after = int(round(style.rest_after_s * style.rate_hz))
    meta = {"synthetic": "true", "pen_source": stroke.source, "size_deg": f"{style.size_deg:.1f}",
            "speed_dps": f"{style.speed_dps:.1f}", "pitch_deg": f"{style.pitch_deg:.1f}",
            "roll_deg": f"{style.roll_deg:.1f}", "drawing_start": str(before),
            "drawing_end": str(len(samples) - after)}
    return Recording(label=label, samples=samples, rate_hz=style.rate_hz, person=f"synthetic:{stroke.person}",
                     session="synthetic-air", source=f"synthetic from {stroke.source}", meta=meta)


# --- pen strokes by vocabulary name -----------------------------------------------------------

PEN_DATASET = "unipen-digits-upper"  # digits and capitals (h19-model's loader)
SHAPE_DATASET = "quickdraw-shapes"


def _vocab_name(stroke: Stroke) -> str | None:
    """A pen/canvas stroke's label as a vocabulary name (``digit_5``, ``letter_z``, ``shape_circle``)."""
    from ..characters import is_character
    lab = stroke.label
    for name in (lab, f"shape_{lab}", f"digit_{lab}" if lab.isdigit() else "", f"letter_{lab.lower()}"):
        if name and is_character(name):
            return name
    return None


def pen_strokes(part: str = "test") -> dict[str, tuple[Stroke, ...]]:
    """Vocabulary name -> the pen (digits, letters) and canvas (shapes) strokes of ``part``
    writers, by the data sets' declared splits. Pen data missing -> only the shapes."""
    return _strokes_by_part().get(part, {})


@lru_cache(maxsize=1)
def _strokes_by_part() -> dict[str, dict[str, tuple[Stroke, ...]]]:
    """Every part at once: each data set is read once however many parts a run asks for."""
    from . import DATASETS, load_split_data
    out: dict[str, dict[str, list[Stroke]]] = {}
    for name in (PEN_DATASET, SHAPE_DATASET):
        if name not in DATASETS:
            continue
        for part, strokes in load_split_data(name).items():
            for s in strokes:
                v = _vocab_name(s)
                if v is not None and len(s.points) >= 2:
                    out.setdefault(part, {}).setdefault(v, []).append(s)
    return {p: {k: tuple(v) for k, v in by.items()} for p, by in out.items()}


def synthetic_try(char_name: str, seed: int, part: str = "test", gentle: bool = False,
                  style: AirStyle | None = None, noise: bool = True, **style_fields) -> Recording:
    """A SYNTHETIC wand try of ``char_name`` (``digit_5``, ``letter_z``, ``shape_circle``):
    a pen stroke of a ``part`` writer (seeded choice) drawn by a virtual wand in a style
    drawn from the real wand tries' ranges (``gentle``: small and slow), with rests."""
    strokes = pen_strokes(part).get(char_name)
    if not strokes:
        raise ValueError(f"no pen strokes of {char_name!r} among the {part} writers")
    rng = np.random.default_rng(seed)
    stroke = strokes[rng.integers(len(strokes))]
    style = style or draw_style(rng, gentle)
    style = replace(style, **style_fields) if style_fields else style
    return synthetic_recording(stroke, char_name, style, seed, noise)
