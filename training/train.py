"""A training run: held-out-person evaluation, then the model to ship.

1. For each person in the data, train on everyone else and test on them (through TFLM
   and the chip's spotter): the accuracy a new user can expect.
2. Train on everyone, quantize to int8, measure false triggers on motion the model
   does not know, its size, arena and cost.
3. Write the run folder (metrics.json, confusion matrix PNG, model files); with
   ``install`` make it the default model of the simulator and the firmware.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from wand.datasets import load_named, load_split, load_vocabulary, user_recordings
from wand.errors import GestureFileError
from wand.model import ModelBundle
from wand.protocol import ConfigPacket
from wand.recordings import Recording


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Hide TensorFlow's own chatter (C++ logs before absl is set up, the converter's
    prints, "Saved artifact" listings) so the run's progress lines are what the user sees.
    Errors still arrive as exceptions with their messages."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    saved = []
    for s in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            s.flush()
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            saved.append((fd, os.dup(fd)))
            os.dup2(devnull, fd)
        os.close(devnull)
    except OSError:
        pass  # no file descriptors to redirect (embedded): chatter stays
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for fd, copy in saved:
            os.dup2(copy, fd)
            os.close(copy)


with quiet():
    from . import arch as arches
    from . import evaluate, export, quantize
    import absl.logging
    absl.logging.set_verbosity(absl.logging.ERROR)
    arches.tf.get_logger().setLevel("ERROR")
from .windows import WindowSpec, cut, eval_windows, model_rate, to_float, training_windows  # noqa: E402

OTHER = "other"
Progress = Callable[[str], None]


@dataclass
class TrainConfig:
    arch: str = "wand"
    epochs: int = 40
    n_aug: int = 10
    batch: int = 64
    lr: float = 3e-3
    seed: int = 0
    spec: WindowSpec = field(default_factory=WindowSpec)
    include_user: bool = True  # add the user's own recordings (gestures/recordings)


@dataclass
class GestureData:
    classes: list[str]  # index = class id; classes[0] == "other"
    recordings: dict[str, list[Recording]]  # per trained gesture
    unseen: dict[str, list[Recording]]  # gestures never trained on (few-shot, false triggers)
    user: dict[str, list[Recording]] = field(default_factory=dict)  # the user's own tries (also in recordings)
    everyday: list[Recording] = field(default_factory=list)  # real non-gesture motion: "other"

    @property
    def source_rate(self) -> int:
        rates = {r.rate_hz for recs in self.recordings.values() for r in recs}
        return max(rates) if rates else 119

    def by_class(self, keep: Callable[[Recording], bool] = lambda r: True) -> list[list[Recording]]:
        """Recordings per class id; ``keep`` picks gesture tries (a fold's people). The everyday
        motion ("other") is always in: it is sp-sw-har's train people, never anyone's test."""
        return [list(self.everyday)] + [[r for r in self.recordings[c] if keep(r)] for c in self.classes[1:]]


EVERYDAY_DATASET = "sp-sw-har"  # real everyday motion with gyroscope; its TRAIN people only


def long_enough(user: dict[str, list], spec: WindowSpec = WindowSpec(), say: Progress = print) -> dict[str, list]:
    """The user's tries that hold one model window; each shorter one (a hand-edited file can
    be 2 samples long) is named in one line and left out, not a crash of the whole run."""
    out = {}
    for name, recs in user.items():
        keep = []
        for r in recs:
            if len(r.samples) * spec.rate_hz >= spec.window * r.rate_hz:
                keep.append(r)
            else:
                say(f"{r.source or name}: {len(r.samples)} samples at {r.rate_hz} Hz, shorter than the model's "
                    f"{spec.window / spec.rate_hz:.2f} s window; not trained on")
        if keep:
            out[name] = keep
    return out


def gather(include_user: bool = True, user_dir: Path | None = None, everyday: bool = True) -> GestureData:
    vocab = load_vocabulary()
    recs = {g.name: g.recordings() for g in vocab if g.role == "model"}
    unseen = {g.name: g.recordings() for g in vocab if g.role == "unseen"}
    user = user_recordings(user_dir) if include_user and user_dir else user_recordings() if include_user else {}
    user = long_enough(user)
    for name, user_recs in user.items():
        recs.setdefault(name, []).extend(user_recs)
        unseen.pop(name, None)  # a gesture the user taught is trained on now
    if not recs:
        raise GestureFileError("no gestures to train on: the vocabulary has no 'model' gestures and no recordings")
    moves = load_split(EVERYDAY_DATASET).apply(load_named(EVERYDAY_DATASET))["train"] if everyday else []
    return GestureData([OTHER] + list(recs), recs, unseen, user, moves)



def held_out_user(data: GestureData, cfg: TrainConfig, config: ConfigPacket,
                  report: Progress = print) -> evaluate.SpotReport | None:
    """The user's own gestures: train without the last third of each one's tries, test on those.

    Held-out people cannot measure them (usually one person recorded them), so this is the
    figure that says whether the model learnt *your* gestures.
    """
    held = {n: recs[len(recs) - max(1, len(recs) // 3):] for n, recs in data.user.items() if len(recs) >= 2}
    if not held:
        return None
    ids = {id(r) for v in held.values() for r in v}
    report(f"your gestures: test on {sum(map(len, held.values()))} of your tries "
           f"({', '.join(held)}), train on the rest")
    model, x = fit(data.by_class(lambda r: id(r) not in ids), cfg, report, prefix="  [yours] ")
    bundle = to_bundle(model, x, data.classes, cfg, data.source_rate)
    rep = evaluate.spot_report(bundle, held, config)
    report(f"  [yours] held-out tries of your gestures: spotting accuracy {rep.accuracy:.1%}")
    return rep


def _epoch_progress(total: int, report: Progress, prefix: str):
    from .arch import keras

    def line(epoch: int, logs: dict | None) -> None:
        logs = logs or {}
        acc = logs.get("accuracy", float("nan"))
        report(f"{prefix}epoch {epoch + 1}/{total}  loss {logs.get('loss', float('nan')):.3f}  train acc {acc:.3f}")
    return keras.callbacks.LambdaCallback(on_epoch_end=line)


def fit(classes: list[list[Recording]], cfg: TrainConfig, report: Progress = print, prefix: str = ""):
    """Train; returns the Keras model with its embedding output, and the training windows."""
    from .arch import keras
    keras.utils.set_random_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    ts = training_windows(classes, cfg.spec, rng, n_aug=cfg.n_aug)
    w = ts.weight if ts.weight is not None else np.ones(len(ts.y))
    counts = np.bincount(ts.y, minlength=len(classes)).astype(np.float64)
    mass = np.bincount(ts.y, weights=w, minlength=len(classes))
    weights = (w.sum() / (len(classes) * np.maximum(mass, 1e-9)))[ts.y] * w  # balance "other" vs gestures
    sym = "; ".join(f"{c}: {', '.join(v) or 'none'}" for c, v in ts.symmetries.items())
    report(f"{prefix}{len(ts.y)} training windows ({', '.join(str(int(c)) for c in counts)}); "
           f"transforms that leave a gesture unchanged: {sym}")
    model = arches.build(cfg.arch, cfg.spec.window, 6, len(classes))
    model.compile(optimizer=keras.optimizers.Adam(cfg.lr),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    schedule = keras.callbacks.LearningRateScheduler(
        lambda e, lr: cfg.lr * 0.5 * (1 + np.cos(np.pi * e / max(1, cfg.epochs))))
    model.fit(to_float(ts.x), ts.y, sample_weight=weights, batch_size=cfg.batch, epochs=cfg.epochs,
              shuffle=True, verbose=0, callbacks=[schedule, _epoch_progress(cfg.epochs, report, prefix)])
    return arches.with_embedding(model, to_float(ts.x[::4])), ts.x


def to_bundle(model, x_rep: np.ndarray, classes: list[str], cfg: TrainConfig, source_rate: int,
              info: dict | None = None) -> ModelBundle:
    with quiet():
        tflite = quantize.to_int8_tflite(model, to_float(x_rep), seed=cfg.seed)
    return export.make_bundle(tflite, classes, cfg.spec, source_rate, info)


PROTOTYPES_PER_CLASS = 20


def embedding_stats(bundle: ModelBundle, classes: list[list[Recording]], spec: WindowSpec) -> dict:
    """Embeddings of the training tries (as the wand sends them) and their mean, from TFLM.

    The host centres few-shot distances on the mean, and compares an event against these
    prototypes and the enrolled examples alike, so an enrolled gesture only wins where it
    is nearer than the model's own gesture.
    """
    clf = evaluate.TflmClassifier(bundle)
    prototypes, every = {}, []
    for label, recs in enumerate(classes):
        if label == bundle.other_class or not recs:
            continue
        windows = [cut(model_rate(r.samples, r.rate_hz, spec), [0], spec) for r in recs]
        _, emb = clf.batch(np.concatenate([w for w in windows if len(w)]))
        prototypes[bundle.classes[label]] = emb[:PROTOTYPES_PER_CLASS].tolist()
        every.append(emb)
    centre = np.concatenate(every).mean(axis=0) if every else np.zeros(bundle.embedding_dims)
    return {"prototypes": prototypes, "embedding_centre": [round(float(v), 3) for v in centre]}


def held_out_people(data: GestureData, cfg: TrainConfig, config: ConfigPacket,
                    report: Progress = print) -> dict:
    """Leave-one-person-out: train without each person, test on them."""
    people = sorted({r.person for recs in data.recordings.values() for r in recs})
    folds = []
    total_cm = None
    labels = None
    for p in people:
        train = data.by_class(lambda r: r.person != p)
        test = {c: [r for r in data.recordings[c] if r.person == p] for c in data.classes[1:]}
        test = {c: t for c, t, tr in zip(data.classes[1:], test.values(), train[1:]) if t and tr}
        if not test:
            continue
        report(f"fold: test on {p}, train on {', '.join(q for q in people if q != p)}")
        model, x = fit(train, cfg, report, prefix=f"  [{p}] ")
        bundle = to_bundle(model, x, data.classes, cfg, data.source_rate)
        clf = evaluate.TflmClassifier(bundle)
        rep = evaluate.spot_report(bundle, test, config, clf)
        xs, ys = zip(*(eval_windows(t, data.classes.index(c), cfg.spec) for c, t in test.items()))
        win_acc = evaluate.window_accuracy(clf, np.concatenate(xs), np.concatenate(ys))
        report(f"  [{p}] held-out: spotting accuracy {rep.accuracy:.1%}, window accuracy {win_acc:.1%}")
        folds.append({"person": p, "spot_accuracy": rep.accuracy, "window_accuracy": win_acc,
                      "tries": int(rep.confusion.sum()), "per_class": rep.per_class(),
                      "confusion": rep.confusion.tolist(), "labels": rep.labels, "per_take": rep.per_take})
        if labels is None:
            labels, total_cm = rep.labels, rep.confusion.copy()
        elif rep.labels == labels:
            total_cm += rep.confusion
    pooled = evaluate.SpotReport(labels or [], total_cm if total_cm is not None else np.zeros((0, 0), int))
    return {"folds": folds, "pooled": pooled}


def run(cfg: TrainConfig, out_dir: Path, install: bool = False, report: Progress = print,
        config: ConfigPacket | None = None, data: GestureData | None = None) -> dict:
    """A full run; returns the metrics written to ``out_dir/metrics.json``."""
    t0 = time.time()
    config = config or ConfigPacket()
    data = data or gather(cfg.include_user)
    out_dir.mkdir(parents=True, exist_ok=True)
    report(f"classes: {', '.join(data.classes)}; people: "
           f"{', '.join(sorted({r.person for v in data.recordings.values() for r in v}))}")
    held = held_out_people(data, cfg, config, report)
    pooled: evaluate.SpotReport = held["pooled"]
    yours = held_out_user(data, cfg, config, report)
    report("final model: all people")
    model, x = fit(data.by_class(), cfg, report, prefix="  [all] ")
    info = {"trained_on": {c: len(v) for c, v in data.recordings.items()}, "arch": cfg.arch,
            "held_out_accuracy": pooled.accuracy, "date": time.strftime("%Y-%m-%d")}
    bundle = to_bundle(model, x, data.classes, cfg, data.source_rate, info)
    bundle.info.update(embedding_stats(bundle, data.by_class(), cfg.spec))
    unseen = [r for v in data.unseen.values() for r in v]
    fpm, fp_events, fp_minutes = (evaluate.false_triggers_per_minute(bundle, unseen, config)
                                  if unseen else (0.0, 0, 0.0))
    # What `wand train --install` compares a later model against (same people, same motion).
    bundle.info["held_out"] = {
        "people": {f["person"]: {"accuracy": f["spot_accuracy"], "tries": f["tries"]} for f in held["folds"]},
        "false_triggers_per_minute": fpm, "motion": sorted(data.unseen)}
    bundle.save(out_dir / "gesture_model.tflite")
    metrics = {
        "arch": cfg.arch, "classes": data.classes, "config": asdict(cfg) | {"spec": asdict(cfg.spec)},
        "spotter": asdict(config),
        "held_out": {"accuracy": pooled.accuracy, "per_class": pooled.per_class(),
                     "labels": pooled.labels, "confusion": pooled.confusion.tolist(),
                     "folds": held["folds"]},
        "false_triggers": {"per_minute": fpm, "events": fp_events, "minutes": fp_minutes,
                           "motion": sorted(data.unseen)},
        "yours": None if yours is None else {"accuracy": yours.accuracy, "per_class": yours.per_class(),
                                             "tries": int(yours.confusion.sum())},
        "cost": evaluate.cost(bundle), "seconds": time.time() - t0,
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, default=_json_default) + "\n")
    if len(pooled.labels):
        evaluate.plot_confusion(pooled, out_dir / "confusion.png", f"{cfg.arch}: held-out people")
    if install:
        for p in export.install(bundle):
            report(f"installed {os.path.relpath(p)}")
    report(f"run folder: {out_dir}")
    return metrics


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))
