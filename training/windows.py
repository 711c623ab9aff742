"""Recordings -> int8 model windows, built by the chip's own integer pipeline.

Every window goes through ``wand.simwand`` (integer resampler, then features), so the
model trains on exactly the numbers the firmware will feed it.

Which windows and labels, and why (see ``wand/simwand/spotter.py``): the spotter
classifies windows that start at a motion onset, at ``hop`` steps. So

* aligned windows, starting 0..``max_offset`` model samples after the onset -> the
  gesture's class (the offsets cover a gate that fires a little later than the data
  set's own trigger, and the spotter's later inferences);
* reversed tries (see ``augment.reverse``) -> "other".

Windows that start mid-stroke need no label: after a decision the spotter waits for
the wand to be still before it looks again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wand.recordings import Recording
from wand.simwand.features import to_input_block
from wand.simwand.resample import resample_block

from .augment import augment, reverse


@dataclass(frozen=True)
class WindowSpec:
    rate_hz: int = 50
    window: int = 36  # 0.72 s: the core of a stroke; the data set's tries are 1 s long
    hop: int = 4
    max_inferences: int = 3
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


def training_windows(classes: list[list[Recording]], spec: WindowSpec, rng: np.random.Generator,
                     n_aug: int = 8, other_class: int = 0, offset_step: int = 2,
                     reverse_classes: set[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Augmented windows and labels. ``classes[c]`` are the tries of class c (c != other)."""
    xs: list[np.ndarray] = []
    ys: list[int] = []

    def add(w: np.ndarray, label: int) -> None:
        if len(w):
            xs.append(w)
            ys.extend([label] * len(w))

    aligned = list(range(0, spec.max_offset + 1, offset_step))
    for label, recs in enumerate(classes):
        if label == other_class or not recs:
            continue
        for rec in recs:
            for a in range(n_aug):
                raw = rec.samples if a == 0 else augment(rec.samples, rng)
                x = model_rate(raw, rec.rate_hz, spec)
                add(cut(x, aligned, spec), label)
                if reverse_classes is None or label in reverse_classes:
                    add(cut(model_rate(augment(reverse(raw), rng) if a else reverse(raw), rec.rate_hz, spec),
                            aligned, spec), other_class)
    if not xs:
        raise ValueError("no training windows: recordings are shorter than one window")
    return np.concatenate(xs), np.array(ys, dtype=np.int64)


def eval_windows(recs: list[Recording], label: int, spec: WindowSpec) -> tuple[np.ndarray, np.ndarray]:
    """The windows the spotter would classify for each try (no augmentation)."""
    ws = [cut(model_rate(r.samples, r.rate_hz, spec), spec.eval_offsets, spec) for r in recs]
    x = np.concatenate(ws) if ws else np.zeros((0, spec.window, 6), np.int8)
    return x, np.full(len(x), label, dtype=np.int64)


def to_float(x: np.ndarray) -> np.ndarray:
    """int8 windows -> the float the Keras model sees (input scale 1/128, zero point 0)."""
    return x.astype(np.float32) / 128.0
