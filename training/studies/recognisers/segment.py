"""Where a candidate gesture begins and ends in continuous motion: two segmenters.

``onset_segments``: the firmware spotter itself (``wand/wand_core/spotter``) driven
through its gates with a classifier that never decides, so every onset runs the full
capture (window + hops) and re-arms after the quiet samples, as on the chip when nothing is
recognised. Each onset is one candidate the model would be asked about. It keeps the rest
rule this study was measured with (``STUDY_SPOTTING``: 0.12 s under 60 deg/s); the wand's
is now a 0.3 s hold under 20 deg/s, which leaves fewer candidates in everyday motion.

``still_segments``: a gesture begins as the wand leaves rest and ends when it rests
again. Rest = gyro magnitude under ``still_dps`` and acceleration magnitude within
``still_acc_g`` of 1 g, for at least ``rest_s``; stillness shorter than that inside a
motion is a pause and stays in the segment. Motion that did not start from rest (the
first motion of a stream) or lasts longer than ``max_s`` (walking, fidgeting) is no
candidate; neither is one with too little turn, extent or acceleration to be drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wand.protocol import ConfigPacket
from wand.wand_core.features import motion
from wand.wand_core.resampler import resample_block
from wand.wand_core.spotter import Spotter, State

from . import Segment, raw_to_physical
from .dtw_imu import resample
from .stroke import extent, gyro_stroke


@dataclass(frozen=True)
class StillnessParams:
    rate_hz: int = 50
    smooth_s: float = 0.1  # moving average before the rest test (tremor, sensor noise)
    still_dps: float = 30.0
    still_acc_g: float = 0.15
    # rest this long before and after; shorter pauses stay inside. 0.3 s chosen on validation
    # people (study.segmenter_rows): 3-13 candidates/h against 29-96 at 0.2 s, same tries found
    rest_s: float = 0.3
    min_s: float = 0.3
    max_s: float = 3.0
    min_turn_deg: float = 45.0  # integral of |gyro| over the segment ...
    min_extent_deg: float = 12.0  # ... and the drawn stroke's larger side, or
    min_acc_g: float = 0.6  # a push: peak | |a| - 1 g | (translations barely turn the wand)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def rest_mask(imu: np.ndarray, p: StillnessParams) -> np.ndarray:
    k = max(1, int(round(p.smooth_s * p.rate_hz)))
    kernel = np.ones(k) / k
    gyro = np.convolve(np.linalg.norm(imu[:, 3:6], axis=1), kernel, mode="same")
    acc = np.convolve(np.abs(np.linalg.norm(imu[:, :3], axis=1) - 1.0), kernel, mode="same")
    return (gyro < p.still_dps) & (acc < p.still_acc_g)


def still_spans(imu: np.ndarray, p: StillnessParams = StillnessParams()) -> list[tuple[int, int]]:
    """Candidate [start, end) spans (at ``p.rate_hz``) of a stream already at that rate."""
    rests = [(a, b) for a, b in _runs(rest_mask(imu, p)) if b - a >= p.rest_s * p.rate_hz]
    spans = []
    for (_, start), (end, _) in zip(rests, rests[1:]):
        n = end - start
        if not p.min_s * p.rate_hz <= n <= p.max_s * p.rate_hz:
            continue
        x = imu[start:end]
        turn = np.linalg.norm(x[:, 3:6], axis=1).sum() / p.rate_hz
        push = np.abs(np.linalg.norm(x[:, :3], axis=1) - 1.0).max()
        drawn = turn >= p.min_turn_deg and extent(gyro_stroke(x, p.rate_hz)) >= p.min_extent_deg
        if drawn or push >= p.min_acc_g:
            spans.append((start, end))
    return spans


def still_segments(stream: Segment, p: StillnessParams = StillnessParams()) -> list[Segment]:
    x = resample(stream.imu, stream.rate_hz, p.rate_hz)
    return [Segment(stream.label, stream.person, p.rate_hz, x[a:b], None, f"{stream.source}@{a / p.rate_hz:.2f}s")
            for a, b in still_spans(x, p)]


STUDY_SPOTTING = ConfigPacket(gyro_quiet_ddps=600, quiet_samples=6)  # the issue-15 figures' rest rule


def onset_spans(raw: np.ndarray, rate_hz: int, config: ConfigPacket = STUDY_SPOTTING, rate_out: int = 50,
                window: int = 36, hop: int = 4) -> list[tuple[int, int]]:
    """Today's spotter on a raw stream (mg, 0.1 dps): [start, end) of each capture, at ``rate_out``."""
    x = resample_block(np.asarray(raw), rate_hz, rate_out)
    spot = Spotter(config, window, hop)
    never = [255] + [0] * 3  # "other" with full confidence: the spotter never decides
    spans, start = [], None
    period_ms = 1000 / rate_out
    for i, s in enumerate(x):
        before = spot.state
        acc_l1, gyro_l1 = motion(tuple(int(v) for v in s))
        t_ms = int(i * period_ms)
        if spot.on_sample(acc_l1, gyro_l1, t_ms):
            spot.on_inference(never, (0,) * 8, t_ms)
        if before == State.IDLE and spot.state == State.CAPTURE:
            start = i
        if start is not None and spot.state != State.CAPTURE:
            spans.append((start, i))
            start = None
    return spans


def onset_segments(stream: Segment, rate_out: int = 50) -> list[Segment]:
    raw = stream.raw()
    x = raw_to_physical(resample_block(raw, int(round(stream.rate_hz)), rate_out))
    return [Segment(stream.label, stream.person, rate_out, x[a:b], None, f"{stream.source}@{a / rate_out:.2f}s")
            for a, b in onset_spans(raw, int(round(stream.rate_hz)), rate_out=rate_out)]
