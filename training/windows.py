"""Recordings -> int8 model windows, built by the chip's own integer pipeline.

Every window goes through ``wand.wand_core`` (integer resampler, then features), so the
model trains on exactly the numbers the firmware will feed it.

Which windows and labels, and why (see ``wand/wand_core/spotter.py``): the spotter
classifies windows that start at a motion onset, at ``hop`` steps. So

* aligned windows, starting 0..``max_offset`` model samples after the onset -> the
  gesture's class (the offsets cover a gate that fires a little later than the data
  set's own trigger, and the spotter's later inferences);
* the same tries reversed or mirrored left-right (``augment.TRANSFORMS``) -> "other",
  when that clearly changes the gesture; a transform that leaves a gesture unchanged
  -> the gesture.

* real everyday motion (sp-sw-har train people, a watch mapped into the board frame:
  sitting, standing up, walking, turning) -> "other": every window of it with motion
  over the spotter's onset gate, at a stride, as recorded and once augmented (the
  roll and tilt of ``augment`` stand for the other ways a wand is held), weighted to
  ``EVERYDAY_SHARE`` of the "other" class. Without it "other" had never seen motion
  that is not a gesture, and the wand fired on it.

Windows that start mid-stroke need no label: after a decision the spotter waits for
the wand to be still before it looks again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wand.protocol import ConfigPacket
from wand.recordings import Recording
from wand.wand_core.features import to_input_block
from wand.wand_core.resampler import resample_block

from .augment import TRANSFORMS, augment


@dataclass(frozen=True)
class WindowSpec:
    rate_hz: int = 50
    window: int = 36  # 0.72 s: the core of a stroke; the data set's tries are 1 s long
    hop: int = 4
    max_inferences: int = 4  # as the spotter's default: ConfigPacket.max_inferences
    max_offset: int = 10  # aligned training windows start 0..max_offset samples after onset

    @property
    def eval_offsets(self) -> list[int]:
        """Where the spotter's inferences start after an onset."""
        return [k * self.hop for k in range(self.max_inferences)]


def model_rate(raw: np.ndarray, rate_in: int, spec: WindowSpec) -> np.ndarray:
    return resample_block(raw, rate_in, spec.rate_hz)


def cut(x_model: np.ndarray, starts: list[int], spec: WindowSpec) -> np.ndarray:
    """int8 windows (k, W, 6) starting at ``starts`` (model-rate samples)."""
    feats = to_input_block(x_model)
    starts = [s for s in starts if 0 <= s and s + spec.window <= len(feats)]
    if not starts:
        return np.zeros((0, spec.window, 6), np.int8)
    return np.stack([feats[s:s + spec.window] for s in starts])


# Transforms whose result is learnt as "other": reversal and the left-right mirror.
# Measured (held-out people, 2 seeds): these cut false triggers on unknown motion from
# ~24 to ~16 per minute at the same accuracy; adding the up-down mirrors as well cost
# 10-15 points of held-out accuracy (a sloppy stroke is near its up-down mirror image).
OTHER_TRANSFORMS = {"rev", "lr"}


@dataclass
class TrainingSet:
    x: np.ndarray  # (n, W, 6) int8 windows
    y: np.ndarray  # class (0 = other)
    symmetries: dict[int, list[str]]  # per class: transforms that leave it unchanged
    weight: np.ndarray | None = None  # per window, before class balancing (None: all 1)


SAME_RATIO = 1.3  # below: the transform leaves the gesture unchanged
OTHER_RATIO = 2.0  # at or above: clearly another gesture; in between: too close to call


def transform_distances(classes: list[list[Recording]], spec: WindowSpec,
                        other_class: int = 0) -> dict[int, dict[str, float]]:
    """How far each transform moves each gesture, measured on its aligned windows.

    The ratio of the transformed tries' mean nearest-neighbour distance to the originals
    over the originals' own nearest-neighbour spacing (push_forward played backwards
    measures about 1.0; a circle mirrored, about 2.2).
    """
    out: dict[int, dict[str, float]] = {}
    for label, recs in enumerate(classes):
        if label == other_class or len(recs) < 2:
            continue

        def windows(f) -> np.ndarray:
            return np.stack([cut(model_rate(f(r.samples.astype(np.int64)), r.rate_hz, spec), [0], spec)[0]
                             .astype(np.float64).ravel() for r in recs])

        base = windows(TRANSFORMS["id"])
        d = np.linalg.norm(base[:, None] - base[None], axis=2)
        np.fill_diagonal(d, np.inf)
        spacing = d.min(axis=1).mean()
        if not spacing > 0:  # identical tries (a replayed simulator): no spread to measure by
            continue
        out[label] = {name: float(np.linalg.norm(windows(f)[:, None] - base[None], axis=2).min(axis=1).mean()
                                  / spacing) for name, f in TRANSFORMS.items() if name != "id"}
    return out


def training_windows(classes: list[list[Recording]], spec: WindowSpec, rng: np.random.Generator,
                     n_aug: int = 8, other_class: int = 0, offset_step: int = 2) -> TrainingSet:
    """Augmented and transformed windows with labels. ``classes[c]``: tries of class c;
    ``classes[other_class]``: everyday-motion recordings (may be empty)."""
    ratios = transform_distances(classes, spec, other_class)
    syms = {c: [t for t, r in v.items() if r < SAME_RATIO] for c, v in ratios.items()}
    xs: list[np.ndarray] = []
    ys: list[int] = []
    everyday_at: list[tuple[int, int]] = []  # (first, end) of the everyday windows in ys
    aligned = list(range(0, spec.max_offset + 1, offset_step))
    for label, recs in enumerate(classes):
        if label == other_class or not recs:
            continue
        labels = {"id": label} | {t: label for t in syms.get(label, [])}
        labels |= {t: other_class for t in OTHER_TRANSFORMS
                   if t not in labels and ratios.get(label, {}).get(t, OTHER_RATIO) >= OTHER_RATIO}
        for rec in recs:
            for a in range(n_aug):
                raw = rec.samples if a == 0 else augment(rec.samples, rng)
                for name, y in labels.items():
                    w = cut(model_rate(TRANSFORMS[name](raw), rec.rate_hz, spec), aligned, spec)
                    xs.append(w)
                    ys.extend([y] * len(w))
    if classes[other_class]:  # everyday motion, drawn last: the gesture windows stay as without it
        xs.append(everyday_windows(classes[other_class], spec, rng))
        everyday_at.append((len(ys), len(ys) + len(xs[-1])))
        ys.extend([other_class] * len(xs[-1]))
    if not xs:
        raise ValueError("no training windows: no recordings, or all shorter than one window")
    y = np.array(ys, np.int64)
    weight = np.ones(len(y))
    n_everyday = sum(b - a for a, b in everyday_at)
    n_transformed = int((y == other_class).sum()) - n_everyday
    if n_everyday and n_transformed:  # everyday motion gets EVERYDAY_SHARE of "other", however many windows
        for a, b in everyday_at:
            weight[a:b] = EVERYDAY_SHARE / (1 - EVERYDAY_SHARE) * n_transformed / n_everyday
    return TrainingSet(np.concatenate(xs), y, syms, weight)


EVERYDAY_STRIDE = 24  # model samples between everyday-motion windows (~2100 windows from 23 min)
EVERYDAY_AUG = 1  # augmented copies of each everyday recording, besides the recording itself
EVERYDAY_SHARE = 0.5  # of the "other" class's weight; the rest: reversed and mirrored gestures


def moving_starts(x_model: np.ndarray, spec: WindowSpec, stride: int, phase: int = 0) -> list[int]:
    """Window starts (every ``stride`` samples) whose window holds motion over the spotter's
    default onset gate: the only windows a spotter could ever classify."""
    gate = ConfigPacket()
    acc = np.abs(x_model[:, :3]).sum(axis=1) >= gate.acc_gate_mg
    gyro = np.abs(x_model[:, 3:]).sum(axis=1) >= gate.gyro_gate_ddps
    moving = np.concatenate([[0], np.cumsum(acc | gyro)])
    last = len(x_model) - spec.window
    return [s for s in range(phase, last + 1, stride) if moving[s + spec.window] > moving[s]]


def everyday_windows(recs: list[Recording], spec: WindowSpec, rng: np.random.Generator,
                     n_aug: int = EVERYDAY_AUG, stride: int = EVERYDAY_STRIDE) -> np.ndarray:
    """int8 "other" windows from real everyday motion (no gesture in it)."""
    xs = [np.zeros((0, spec.window, 6), np.int8)]
    for rec in recs:
        for a in range(1 + n_aug):
            raw = rec.samples if a == 0 else augment(rec.samples, rng)
            x = model_rate(raw, rec.rate_hz, spec)
            xs.append(cut(x, moving_starts(x, spec, stride, int(rng.integers(stride))), spec))
    return np.concatenate(xs)


def eval_windows(recs: list[Recording], label: int, spec: WindowSpec) -> tuple[np.ndarray, np.ndarray]:
    """The windows the spotter would classify for each try (no augmentation)."""
    ws = [cut(model_rate(r.samples, r.rate_hz, spec), spec.eval_offsets, spec) for r in recs]
    x = np.concatenate(ws) if ws else np.zeros((0, spec.window, 6), np.int8)
    return x, np.full(len(x), label, dtype=np.int64)


def to_float(x: np.ndarray) -> np.ndarray:
    """int8 windows -> the float the Keras model sees (input scale 1/128, zero point 0)."""
    return x.astype(np.float32) / 128.0
