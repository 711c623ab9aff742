"""Honest evaluation: held-out people, through the TFLM interpreter and the chip's spotter.

Figures are the chip's: windows go through the integer pipeline, inference runs in the
TFLM interpreter (``tflite-micro``), and decisions come from the same spotter the
firmware runs, replaying each held-out try from a fresh start as the wand sees it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from wand.model import ModelBundle
from wand.plots import save_png
from wand.protocol import GESTURE_UNKNOWN, PACKET_TYPE_OFFSET, PKT_GESTURE, ConfigPacket, GesturePacket
from wand.recordings import Recording
from wand.wand_core.classifier import TflmClassifier
from wand.wand_core.core import CoreSpec, WandCore

from .export import inspect

UNKNOWN = "(unknown)"
NONE = "(none)"
M4_HZ = 64_000_000
# Estimated cost on a Cortex-M4 with CMSIS-NN int8 kernels: ~2 cycles per MAC (SIMD
# dual 16-bit MACs, minus load/requantise overhead) plus ~3000 cycles per op call.
CYCLES_PER_MAC = 2.0
CYCLES_PER_OP = 3000


def core_for(bundle: ModelBundle, classifier, rate_hz: int, config: ConfigPacket) -> WandCore:
    spec = CoreSpec(rate_hz, bundle.rate_hz, bundle.window, bundle.hop, bundle.other_class)
    return WandCore(spec, classifier, config)


def decide_take(core: WandCore, rec: Recording, names: list[str]) -> tuple[str, list[GesturePacket]]:
    """Replay one try from a fresh start; the first gesture packet is the decision."""
    events = [GesturePacket.decode(p) for p in core.replay(rec.samples) if p[PACKET_TYPE_OFFSET] == PKT_GESTURE]
    if not events:
        return NONE, events
    first = events[0]
    return (UNKNOWN if first.gesture_id == GESTURE_UNKNOWN else names[first.gesture_id]), events


@dataclass
class SpotReport:
    labels: list[str]  # row/column order of the confusion matrix
    confusion: np.ndarray
    per_take: list[tuple[str, str, str]] = field(default_factory=list)  # (source, truth, decision)

    @property
    def accuracy(self) -> float:
        total = self.confusion.sum()
        return float(np.trace(self.confusion) / total) if total else 0.0

    def per_class(self) -> dict[str, dict[str, float]]:
        out = {}
        for i, name in enumerate(self.labels):
            tp = self.confusion[i, i]
            predicted = self.confusion[:, i].sum()
            actual = self.confusion[i, :].sum()
            if actual == 0 and predicted == 0:
                continue
            out[name] = {"precision": float(tp / predicted) if predicted else 0.0,
                         "recall": float(tp / actual) if actual else 0.0, "support": int(actual)}
        return out


def spot_report(bundle: ModelBundle, takes: dict[str, list[Recording]], config: ConfigPacket,
                classifier=None) -> SpotReport:
    classifier = classifier or TflmClassifier(bundle)
    names = list(bundle.classes)
    labels = [n for i, n in enumerate(names) if i != bundle.other_class]
    labels += [t for t in takes if t not in labels] + [UNKNOWN, NONE]
    idx = {n: i for i, n in enumerate(labels)}
    cm = np.zeros((len(labels), len(labels)), np.int64)
    cores: dict[int, WandCore] = {}
    per_take = []
    for truth, recs in takes.items():
        for rec in recs:
            core = cores.setdefault(rec.rate_hz, core_for(bundle, classifier, rec.rate_hz, config))
            decision, _ = decide_take(core, rec, names)
            cm[idx[truth], idx[decision]] += 1
            per_take.append((rec.source, truth, decision))
    return SpotReport(labels, cm, per_take)


def false_triggers_per_minute(bundle: ModelBundle, recs: list[Recording], config: ConfigPacket,
                              classifier=None) -> tuple[float, int, float]:
    """Known-gesture events while replaying motion that is none of them, back to back.

    Tries from each file are played in order without a reset, as one continuous stream.
    Returns (events per minute, events, minutes).
    """
    classifier = classifier or TflmClassifier(bundle)
    by_file: dict[str, list[Recording]] = defaultdict(list)
    for r in recs:
        by_file[r.source.partition("#")[0]].append(r)
    events = 0
    samples = 0.0
    for file_recs in by_file.values():
        core = core_for(bundle, classifier, file_recs[0].rate_hz, config)
        for rec in file_recs:
            samples += len(rec.samples) / rec.rate_hz
            for s in rec.samples:
                for p in core.push(tuple(int(v) for v in s)):
                    if p[PACKET_TYPE_OFFSET] == PKT_GESTURE and GesturePacket.decode(p).gesture_id != GESTURE_UNKNOWN:
                        events += 1
    minutes = samples / 60.0
    return (events / minutes if minutes else 0.0), events, minutes


def window_accuracy(classifier: TflmClassifier, x: np.ndarray, y: np.ndarray) -> float:
    probs, _ = classifier.batch(x)
    return float((probs.argmax(axis=1) == y).mean()) if len(y) else 0.0


def cost(bundle: ModelBundle) -> dict[str, float]:
    facts = inspect(bundle.tflite)
    cycles = facts.macs * CYCLES_PER_MAC + CYCLES_PER_OP * facts.op_calls
    return {"model_bytes": len(bundle.tflite), "arena_bytes": bundle.arena_bytes, "macs": facts.macs,
            "params": facts.params, "op_kinds": len(facts.ops), "m4_latency_ms": 1000.0 * cycles / M4_HZ}


def plot_confusion(report: SpotReport, path: Path, title: str) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keep = [i for i in range(len(report.labels))
            if report.confusion[i].sum() or report.confusion[:, i].sum()]
    cm = report.confusion[np.ix_(keep, keep)]
    labels = [report.labels[i] for i in keep]
    fig, ax = plt.subplots(figsize=(1.2 * len(labels) + 2, 1.0 * len(labels) + 1.5))
    ax.imshow(cm, cmap="Blues")
    for (r, c), v in np.ndenumerate(cm):
        ax.text(c, r, str(v), ha="center", va="center", color="white" if v > cm.max() / 2 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("spotted by the wand")
    ax.set_ylabel("performed")
    ax.set_title(f"{title}\naccuracy {report.accuracy:.1%} over {cm.sum()} tries")
    fig.tight_layout()
    return save_png(fig, path, dpi=110)
