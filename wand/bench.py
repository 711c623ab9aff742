"""`wand bench`: the figures, each against baselines measured in the same run.

model    per data set and its declared person split, side by side: ours (the wand's
         pipeline through the simulator, int8 TFLM), the TFLM magic_wand example's recipe
         (training/baselines/tflm_magic_wand.py), 1-NN DTW and MiniRocket + ridge; mean and
         sd over seeds, a t interval over seeds and a Wilson interval over the test tries
         fewshot  enrolment of gestures the model never learned: accuracy with 1, 3, 5 tries,
         and false matches on other gestures
vocabulary  >= 8 stroke shapes on held-out players (Quick, Draw!) and on real wand strokes
daemon   packet -> output latency (p50/p99) and events/s through the daemon, against
         handling each packet directly in the notification callback
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import math
import random
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .demo import format_table
from .errors import WandError
from .paths import FIRMWARE_DIR, runs_dir
from .plots import save_png

# Issue 15's targets (test people, continuous streams).
TARGETS = {"accuracy": 0.97, "false_triggers_per_hour": 1.0, "fewshot_accuracy_3": 0.97, "vocabulary": 8,
           "model_bytes": 16 * 1024, "arena_bytes": 16 * 1024}
SMOKE = "smoke run, not a figure"


def _out_dir(args) -> Path:
    out = Path(args.out) if getattr(args, "out", None) else runs_dir() / time.strftime("bench-%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


# --- intervals ----------------------------------------------------------------------------
def t_interval(values: list[float], level: float = 0.95) -> tuple[float, float]:
    """Student t interval for the mean over seeds (what retraining varies); nan for < 2 seeds."""
    from scipy import stats
    if len(values) < 2:
        return (math.nan, math.nan)
    m, se = float(np.mean(values)), float(np.std(values, ddof=1)) / math.sqrt(len(values))
    if se == 0:
        return (m, m)
    return tuple(float(v) for v in stats.t.interval(level, len(values) - 1, loc=m, scale=se))


def wilson(successes: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion over ``n`` distinct test tries.

    The tries, not tries x seeds: seeds retrain on the same people, so pooling them would
    count each try several times. ``successes`` may be a mean over seeds (rounded).
    """
    from scipy import stats
    if n <= 0:
        return (math.nan, math.nan)
    ci = stats.binomtest(int(round(successes)), n).proportion_ci(confidence_level=level, method="wilson")
    return (float(ci.low), float(ci.high))


def poisson_rate(events: float, hours: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for a rate per hour from ``events`` counted over ``hours``."""
    from scipy import stats
    if hours <= 0:
        return (math.nan, math.nan)
    k, a = int(round(events)), 1 - level
    lo = stats.chi2.ppf(a / 2, 2 * k) / 2 if k > 0 else 0.0
    hi = stats.chi2.ppf(1 - a / 2, 2 * k + 2) / 2
    return (float(lo / hours), float(hi / hours))


def rate_cell(scores: list[dict]) -> str:
    """False triggers per hour over seeds: mean ± sd, and a Poisson interval on one stream's hours."""
    fph = [sc["false_triggers_per_hour"] for sc in scores]
    hours = scores[0]["non_gesture_hours"]
    lo, hi = poisson_rate(np.mean([sc["false_triggers"] for sc in scores]), hours)
    sd = np.std(fph, ddof=1) if len(fph) > 1 else 0.0
    return f"{np.mean(fph):.0f} ± {sd:.0f} (95% {lo:.0f}-{hi:.0f}; {hours:.2f} h)"


@dataclass
class Figure:
    """One method's accuracy on one task: per seed, on the same test tries each time."""

    method: str
    per_seed: list[float]
    tries: int  # distinct test tries per seed
    people: list[str]  # test people
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def mean(self) -> float:
        return float(np.mean(self.per_seed)) if self.per_seed else math.nan

    @property
    def sd(self) -> float:
        return float(np.std(self.per_seed, ddof=1)) if len(self.per_seed) > 1 else 0.0

    @property
    def t95(self) -> tuple[float, float]:
        return t_interval(self.per_seed)

    @property
    def wilson95(self) -> tuple[float, float]:
        return wilson(self.mean * self.tries, self.tries)

    def cells(self) -> list[str]:
        lo, hi = self.t95
        wl, wh = self.wilson95
        # A proportion: the t interval is cut to 0-100% (with 3 seeds it can overshoot).
        t = "-" if math.isnan(lo) else f"{max(lo, 0.0):.1%}-{min(hi, 1.0):.1%}"
        return [f"{self.mean:.1%} ± {self.sd:.1%}", t, f"{wl:.1%}-{wh:.1%}"]

    def to_json(self) -> dict:
        return asdict(self) | {"mean": self.mean, "sd": self.sd, "t95": self.t95, "wilson95": self.wilson95}


def target_verdict(ok: bool, quick: bool, measured: bool = True) -> str:
    """'met' only for a full run that measured the figure; a smoke run never claims one."""
    if quick:
        return SMOKE
    if not measured:
        return "not measured"
    return "met" if ok else "NOT met"


# --- model -------------------------------------------------------------------------------
@dataclass
class Budget:
    """Training effort: the full recipes, or a smoke run that only proves the plumbing."""

    quick: bool = False

    @property
    def tflm(self) -> dict:
        from training.baselines import tflm_magic_wand as tm
        return {"epochs": 2, "steps": 20} if self.quick else {"epochs": tm.EPOCHS, "steps": tm.STEPS_PER_EPOCH}

    @property
    def ours(self) -> dict:
        return {"epochs": 2, "n_aug": 1} if self.quick else {"epochs": 40, "n_aug": 10}

    @property
    def thresholds(self) -> dict:
        """The stream's threshold sweep: three points prove the plot in a smoke run."""
        return {"thresholds": (128, 232, 255)} if self.quick else {}


def _need_extra() -> None:
    from training.baselines import INSTALL, missing
    gone = missing()
    if gone:
        raise WandError(f"wand bench model needs the bench extra ({'; '.join(gone)}): {INSTALL}")


def _per_try(pred: np.ndarray, truth: np.ndarray, per: int) -> np.ndarray:
    """Score per try when each try is scored on ``per`` windows (the TFLM example pads two ways)."""
    return (np.asarray(pred) == np.asarray(truth)).reshape(-1, per).mean(axis=1)


def _confusion(labels: list[str], truth, pred):
    from training.evaluate import SpotReport
    cm = np.zeros((len(labels), len(labels)), np.int64)
    for t, p in zip(truth, pred):
        cm[labels.index(t), labels.index(p)] += 1
    return SpotReport(list(labels), cm)


def tflm_task(seeds: list[int], budget: Budget, out: Path, report=print) -> dict:
    """The TFLM example's own data and person split: the example, DTW, MiniRocket."""
    from training.baselines import deterministic, dtw, minirocket
    from training.baselines import tflm_magic_wand as tm

    scores: dict[str, list[float]] = {"tflm": [], "dtw": [], "minirocket": []}
    neg_accept: dict[str, list[float]] = {k: [] for k in scores}
    stream_scores: list[dict] = []
    extra: dict = {"float_accuracy_as_published": [], "dynamic_range_accuracy": [], "model_bytes": None,
                   "dynamic_range_bytes": None}
    confusions = {}
    p = None
    for i, seed in enumerate(seeds):
        deterministic(seed)
        p = tm.prepare_seed(seed)
        rec = p.test_recorded
        y = p.y_test
        is_neg = y == tm.LABELS.index("negative")
        report(f"[tflm-magic-wand seed {seed} ({i + 1}/{len(seeds)})] TFLM example: {len(p.x_train)} training "
               f"windows, {budget.tflm['epochs']} epochs x {budget.tflm['steps']} steps")
        res = tm.train_and_test(p, seed, report=report, **budget.tflm)
        preds = {"tflm": res.test_pred}
        extra["float_accuracy_as_published"].append(res.float_accuracy_as_published)
        extra["dynamic_range_accuracy"].append(float(_per_try(res.dynamic_pred[rec], y[rec], 2).mean()))
        extra["model_bytes"], extra["dynamic_range_bytes"] = len(res.tflite_float), len(res.tflite_dynamic)
        report(f"[tflm-magic-wand seed {seed}] the example's firmware loop on a continuous stream")
        stream_scores.append(_tflm_stream_score(res.tflite_float, seed))
        report(f"[tflm-magic-wand seed {seed}] 1-NN DTW")
        tries_pred = dtw.fit_predict([np.asarray(t.data) for t in p.train],
                                     [tm.LABELS.index(t.label) for t in p.train],
                                     [np.asarray(t.data) for t in p.test])
        preds["dtw"] = np.repeat(tries_pred, 2)  # one decision per try, scored like the others
        report(f"[tflm-magic-wand seed {seed}] MiniRocket + ridge")
        xw, yw = tm.windows(p.train, np.random.default_rng(seed))
        preds["minirocket"] = minirocket.fit_predict(xw, yw, p.x_test, seed)
        for k, pr in preds.items():
            scores[k].append(float(_per_try(pr[rec], y[rec], 2).mean()))
            neg_accept[k].append(float(np.mean(pr[rec & is_neg] != y[rec & is_neg])))
            confusions.setdefault(k, ([], []))
            confusions[k][0].extend(tm.LABELS[v] for v in y[rec])
            confusions[k][1].extend(tm.LABELS[v] for v in pr[rec])
        report(f"[tflm-magic-wand seed {seed}] " + ", ".join(f"{k} {v[-1]:.1%}" for k, v in scores.items()))
    n_tries = int(p.test_recorded.sum() // 2)
    n_neg = int((p.test_recorded & (p.y_test == tm.LABELS.index("negative"))).sum())
    neg_seconds = n_neg // 2 * 120 / tm.RATE_HZ
    people = sorted({t.name for t in p.test if not t.name.startswith("negative")})
    names = {"tflm": "TFLM magic_wand example (its recipe, float as deployed)", "dtw": "1-NN DTW (dtaidistance)",
             "minirocket": "MiniRocket + ridge (aeon)"}
    figs = {k: Figure(names[k], v, n_tries, people, extra={"negatives_taken_as_gesture": neg_accept[k]})
            for k, v in scores.items()}
    figs["tflm"].extra.update(extra)
    figs["tflm"].extra["stream"] = stream_scores
    fph = [sc["false_triggers_per_hour"] for sc in stream_scores]
    for k, (t, pr) in confusions.items():
        from training.evaluate import plot_confusion
        plot_confusion(_confusion(list(tm.LABELS), t, pr), out / f"confusion-tflm-{k}.png",
                       f"{names[k]}\ntflm-magic-wand test people, {len(seeds)} seeds pooled")
    base = figs["tflm"]
    rows = [[f.method, *f.cells(), _ratio(f.mean, base.mean),
             f"{np.mean(f.extra['negatives_taken_as_gesture']):.1%}",
             f"{rate_cell(stream_scores)}, recall {np.mean([sc['recall'] for sc in stream_scores]):.0%}"
             if k == "tflm" else "not run (no spotter)"]
            for k, f in figs.items()]
    rows.append(["ours (wand pipeline)", "n/a: the data has no gyroscope; the wand's pipeline needs one",
                 "", "", "", "", ""])
    report("\n" + format_table(["tflm-magic-wand, its person split", "accuracy mean ± sd", "95% t (seeds)",
                                 "95% Wilson (tries)", "vs TFLM example", "recorded negatives taken as a gesture",
                                 "false triggers / h, continuous stream"], rows))
    s0 = stream_scores[0]
    report(f"stream: the example's firmware loop (one inference per sample, 5-inference average >= 0.8, 25 "
           f"inferences' suppression) over {s0['background_hours'] * 60:.1f} min of everyday motion (TFLM negative1 "
           f"+ 5 sp-sw-har test people's accelerometer) with the {s0['known_tries']} test tries inserted "
           f"({s0['non_gesture_hours'] * 60:.1f} min non-gesture time).")
    report(f"rests on: test people {', '.join(people)}: {n_tries} tries ({n_tries - n_neg // 2} gesture tries + "
           f"{n_neg // 2} pieces of recorded negative motion, {neg_seconds:.0f} s), each padded two ways as the "
           f"example does; {len(seeds)} seed(s) {seeds}; trained on 6 people (+ the recipe's generated "
           f"negatives). The example as it scored itself (float, incl. its generated test negatives): "
           f"{np.mean(extra['float_accuracy_as_published']):.1%}; its dynamic-range .tflite on the same tries: "
           f"{np.mean(extra['dynamic_range_accuracy']):.1%}; per seed {', '.join(f'{v:.1%}' for v in scores['tflm'])} "
           f"(a seed whose network collapses to the class prior scores near the negatives' share).")
    return {"task": "tflm-magic-wand", "seeds": seeds, "figures": {k: f.to_json() for k, f in figs.items()},
            "negative_seconds": neg_seconds, "stream": stream_scores, "false_triggers_per_hour": fph}


def _tflm_stream_score(tflite_float: bytes, seed: int) -> dict:
    """The TFLM example's firmware loop over its test people's tries inserted into everyday motion."""
    from training.baselines import tflm_magic_wand as tm

    from . import streams
    from .datasets.frames import SPARKFUN_EDGE_TO_BOARD
    stream, known = streams.tflm_stream(seed)
    # The stream is in the board frame; the example's model reads the SparkFun Edge's own axes.
    sparkfun = np.asarray(stream.samples, np.float64) @ np.asarray(SPARKFUN_EDGE_TO_BOARD, np.float64)
    hits = [streams.Detection(i, g, "model", c) for i, g, c in tm.spot_stream(tflite_float, sparkfun)]
    return streams.score(stream, hits, known).as_dict()


def _wand_tries(recs, rate: int = 25) -> list[np.ndarray]:
    """Accelerometer (mg) at the TFLM example's 25 Hz, by the wand's own integer resampler."""
    from .wand_core.resampler import resample_block
    return [resample_block(r.samples, r.rate_hz, rate)[:, :3].astype(np.float64) for r in recs]


def _features(recs, spec) -> list[np.ndarray]:
    """What our model sees: the int8 features at the model rate, whole try."""
    from training.windows import model_rate

    from .wand_core.features import to_input_block
    return [to_input_block(model_rate(r.samples, r.rate_hz, spec)).astype(np.float64) for r in recs]


def _ours(data, train_people: set[str], test_people: set[str], seed: int, budget: Budget, config, stream,
          report, curve_path: Path | None = None) -> dict:
    """Ours: train on the train people, replay the test people's tries and the continuous stream."""
    from training import evaluate
    from training.train import TrainConfig, fit, to_bundle

    from . import streams
    cfg = TrainConfig(seed=seed, include_user=False, **budget.ours)
    train = data.by_class(lambda r: r.person in train_people)
    test = {c: [r for r in data.recordings[c] if r.person in test_people] for c in data.classes[1:]}
    model, x = fit(train, cfg, report=lambda s: report(s) if re.search(r"epoch \d*0/", s) else None,
                   prefix=f"  [ours seed {seed}] ")
    with contextlib.redirect_stdout(io.StringIO()):  # the converter prints the model's signature
        bundle = to_bundle(model, x, data.classes, cfg, data.source_rate)
    clf = evaluate.TflmClassifier(bundle)
    rep = evaluate.spot_report(bundle, test, config, clf)
    unseen = evaluate.spot_report(bundle, data.unseen, config, clf) if data.unseen else None
    accepted = (sum(1 for _, _, d in unseen.per_take if d not in (evaluate.UNKNOWN, evaluate.NONE))
                if unseen else 0)
    report(f"  [ours seed {seed}] continuous stream: {stream[0].duration_s / 60:.1f} min through the wand's pipeline")
    replay = streams.WandReplay(bundle, config)
    sc = streams.score(stream[0], replay.run(stream[0].samples, stream[0].rate_hz), stream[1])
    if curve_path is not None:
        report(f"  [ours seed {seed}] threshold sweep on the stream")
        curve = streams.wand_threshold_curve(replay, stream[0], stream[1], **budget.thresholds)
        streams.plot_curve(curve, curve_path, f"ours (seed {seed}): test people's tries in everyday motion")
    return {"per_take": rep.per_take, "unseen_accepted": accepted,
            "unseen_tries": len(unseen.per_take) if unseen else 0, "stream": sc.as_dict(),
            "cost": evaluate.cost(bundle)}


def wand_task(seeds: list[int], budget: Budget, out: Path, report=print) -> dict:
    """The wand's gesture data on its declared person split: ours, the TFLM recipe, DTW, MiniRocket."""
    from training.baselines import deterministic, dtw, minirocket
    from training.baselines import tflm_magic_wand as tm
    from training.evaluate import plot_confusion
    from training.train import gather
    from training.windows import WindowSpec

    from .datasets import load_split
    from .protocol import ConfigPacket
    from .streams import standard_stream

    split = load_split("tiny-trainable-instruments")
    data = gather(include_user=False)
    gestures = data.classes[1:]
    people = sorted({r.person for v in data.recordings.values() for r in v})
    train_people = {p for p in people if split.part_of_person(p) == "train"}
    test_people = {p for p in people if split.part_of_person(p) == "test"}
    tr = [r for g in gestures for r in data.recordings[g] if r.person in train_people]
    te = [r for g in gestures for r in data.recordings[g] if r.person in test_people]
    y_tr = [gestures.index(r.label) for r in tr]
    y_te = [gestures.index(r.label) for r in te]
    unseen = [r for v in data.unseen.values() for r in v]
    config, spec = ConfigPacket(), WindowSpec()
    labels = gestures + ["negative"]
    per = {k: [] for k in ("ours", "tflm", "dtw", "minirocket")}
    accepted = {k: [] for k in ("ours", "tflm")}
    stream_scores = []
    conf = {k: ([], []) for k in per}
    cost = None
    f_tr, f_te = _features(tr, spec), _features(te, spec)
    for i, seed in enumerate(seeds):
        deterministic(seed)
        tag = f"[wand seed {seed} ({i + 1}/{len(seeds)})]"
        report(f"{tag} ours: train {', '.join(sorted(train_people))}, test {', '.join(sorted(test_people))}")
        stream = standard_stream(data.source_rate, seed)
        o = _ours(data, train_people, test_people, seed, budget, config, stream, report,
                  out / "accuracy-vs-false-triggers-ours.png" if i == 0 else None)
        cost = o["cost"]
        per["ours"].append(float(np.mean([truth == d for _, truth, d in o["per_take"]])))
        conf["ours"][0].extend(t for _, t, _ in o["per_take"])
        conf["ours"][1].extend(d for _, _, d in o["per_take"])
        accepted["ours"].append(o["unseen_accepted"] / max(1, o["unseen_tries"]))
        stream_scores.append(o["stream"])
        report(f"{tag} TFLM example recipe (accelerometer, 25 Hz)")
        rng = random.Random(seed)
        train_t = [tm.Try(gestures[y], "", t.tolist()) for y, t in zip(y_tr, _wand_tries(tr))]
        train_t += tm.generate_negative_data(rng)  # its negative class: the recipe's generated windows
        x_tr, yy = _windows_labelled(tm.augment_data(train_t, rng), labels, np.random.default_rng(seed))
        x_te, y_te2 = _windows_labelled([tm.Try(gestures[y], "", t.tolist()) for y, t in zip(y_te, _wand_tries(te))],
                                        labels, np.random.default_rng(seed + 1))
        x_un, _ = _windows_labelled([tm.Try("negative", "unseen", t.tolist()) for t in _wand_tries(unseen)],
                                    labels, np.random.default_rng(seed + 2)) if unseen else (None, None)
        pr_te, pr_un = _tflm_recipe(x_tr, yy, x_te, x_un, len(labels), seed, budget, report)
        per["tflm"].append(float(_per_try(pr_te, y_te2, 2).mean()))
        conf["tflm"][0].extend(labels[v] for v in y_te2)
        conf["tflm"][1].extend(labels[v] for v in pr_te)
        if pr_un is not None:
            accepted["tflm"].append(float((pr_un != labels.index("negative")).mean()))
        report(f"{tag} 1-NN DTW, MiniRocket")
        d = dtw.fit_predict(f_tr, y_tr, f_te)
        length = max(len(f) for f in f_tr)
        m = minirocket.fit_predict(minirocket.fixed_length(f_tr, length), np.array(y_tr),
                                   minirocket.fixed_length(f_te, length), seed)
        for k, pr in (("dtw", d), ("minirocket", m)):
            per[k].append(float(np.mean(np.asarray(pr) == np.asarray(y_te))))
            conf[k][0].extend(gestures[v] for v in y_te)
            conf[k][1].extend(gestures[v] for v in pr)
        report(f"{tag} " + ", ".join(f"{k} {v[-1]:.1%}" for k, v in per.items()))
    names = {"ours": "ours (wand pipeline, simulator, int8 TFLM)",
             "tflm": "TFLM magic_wand recipe (accel, 25 Hz, float)",
             "dtw": "1-NN DTW on our int8 features (dtaidistance)", "minirocket": "MiniRocket + ridge (aeon)"}
    figs = {k: Figure(names[k], v, len(te), sorted(test_people)) for k, v in per.items()}
    for k, acc in accepted.items():
        figs[k].extra["unseen_accepted"] = acc
    fph = [s["false_triggers_per_hour"] for s in stream_scores]
    figs["ours"].extra["stream"] = stream_scores
    for k, (t, pr) in conf.items():
        labs = list(dict.fromkeys(list(gestures) + sorted(set(pr) - set(gestures))))
        plot_confusion(_confusion(labs, t, pr), out / f"confusion-wand-{k}.png",
                       f"{names[k]}\nwand data, test people, {len(seeds)} seeds pooled")
    base = figs["tflm"]
    rows = []
    for k, f in figs.items():
        acc = f.extra.get("unseen_accepted")
        rows.append([f.method, *f.cells(), _ratio(f.mean, base.mean),
                     f"{np.mean(acc):.1%}" if acc else "100% (closed set, no rejection)",
                     rate_cell(stream_scores) if k == "ours" else "not run (no spotter)"])
    report("\n" + format_table(["wand data, declared split", "accuracy mean ± sd", "95% t (seeds)",
                                 "95% Wilson (tries)", "vs TFLM recipe", "unseen-gesture tries taken as a gesture",
                                 "false triggers / h, continuous stream"], rows))
    s0 = stream_scores[0]
    report(f"rests on: train {', '.join(sorted(train_people))}; test {', '.join(sorted(test_people))}: {len(te)} "
           f"tries of {len(gestures)} gestures; {len(seeds)} seed(s) {seeds}. Unseen gestures: {len(unseen)} tries of "
           f"{len(data.unseen)} gestures no model learned (by a validation person). Stream: "
           f"{s0['background_hours'] * 60:.1f} min of everyday motion by 5 sp-sw-har test people "
           f"({s0['non_gesture_hours'] * 60:.1f} min non-gesture time) with the test tries inserted; ours recalls "
           f"{np.mean([s['recall'] for s in stream_scores]):.1%} of them there, precision "
           f"{np.mean([s['precision'] for s in stream_scores]):.1%}.")
    return {"task": "wand", "split": "tiny-trainable-instruments", "seeds": seeds,
            "figures": {k: f.to_json() for k, f in figs.items()}, "stream": stream_scores,
            "false_triggers_per_hour": fph, "vocabulary": len(gestures), "cost": cost}


def _windows_labelled(tries, labels: list[str], rng) -> tuple[np.ndarray, np.ndarray]:
    """The TFLM example's two padded windows per try, with the labels of this task."""
    from training.baselines import tflm_magic_wand as tm
    x = np.zeros((2 * len(tries), tm.SEQ_LENGTH, 3), np.float32)
    y = np.zeros(2 * len(tries), np.int32)
    for i, t in enumerate(tries):
        x[2 * i], x[2 * i + 1] = tm.pad(t.data, rng)
        y[2 * i] = y[2 * i + 1] = labels.index(t.label)
    return x, y


def _tflm_recipe(x_tr, y_tr, x_te, x_un, classes: int, seed: int, budget: Budget, report):
    from training.baselines import tflm_magic_wand as tm
    res = tm.train_and_test(tm.Prepared([], [], [], x_tr, y_tr, x_te, np.zeros(len(x_te), np.int32)), seed,
                            report=report, classes=classes, **budget.tflm)
    return res.test_pred, (tm.run_tflite(res.tflite_float, x_un[..., None]).argmax(axis=1)
                           if x_un is not None else None)


def model_targets(tasks: dict, quick: bool, report=print) -> list[tuple[str, str]]:
    """Issue 15's targets that the model bench measures, each with its verdict."""
    wand = tasks.get("wand")
    checks = []
    if wand:
        ours = wand["figures"]["ours"]
        acc = ours["mean"]
        low = ours["wilson95"][0]
        verdict = target_verdict(acc >= TARGETS["accuracy"] and acc > 0, quick)
        if verdict == "met" and low < TARGETS["accuracy"]:
            verdict = f"met on the mean, not established (95% lower bound {low:.1%} over {ours['tries']} tries)"
        checks.append((f"built-in gestures, held-out people >= {TARGETS['accuracy']:.0%} (ours {acc:.1%})", verdict))
        checks.append((f"vocabulary >= {TARGETS['vocabulary']} built-in gestures ({wand['vocabulary']})",
                       target_verdict(wand["vocabulary"] >= TARGETS["vocabulary"] and acc > 0, quick)))
        fph = wand.get("false_triggers_per_hour") or []
        mean_fph = float(np.mean(fph)) if fph else math.nan
        verdict = target_verdict(mean_fph <= TARGETS["false_triggers_per_hour"] and acc > 0, quick,
                                 measured=bool(fph))
        streams_ = wand.get("stream") or []
        if verdict == "met" and streams_:
            high = poisson_rate(np.mean([sc["false_triggers"] for sc in streams_]), streams_[0]["non_gesture_hours"])[1]
            if high > TARGETS["false_triggers_per_hour"]:
                verdict = f"met on the mean, not established (95% upper bound {high:.1f}/h)"
        checks.append((f"false triggers <= {TARGETS['false_triggers_per_hour']:.0f} per hour of everyday motion "
                       f"(ours {mean_fph:.1f}/h)", verdict))
        base = wand["figures"]["tflm"]["mean"]
        checks.append((f"ours >= TFLM recipe on the same folds ({acc:.1%} vs {base:.1%})",
                       target_verdict(acc >= base and acc > 0, quick)))
    for name, verdict in checks:
        report(f"target: {name}: {verdict}")
    return checks


# --- on the chip ---------------------------------------------------------------------------
def qemu_instructions(bundle) -> str:
    """Instructions per inference that `make -C firmware/tests qemu-check` measured: the core,
    this model and the Arduino TFLM library's kernels on a Cortex-M4 under QEMU (a TCG plugin
    counts them). Stale when the model changed since: the row says so."""
    path = FIRMWARE_DIR.parent / "tests" / "m4_measured.json"
    try:
        m = json.loads(path.read_text())
        count = m["instructions_per_inference"]
    except (OSError, ValueError, KeyError):
        return "not measured: make -C firmware/tests qemu-check"
    installed = f"{bundle.crc32:08x}"
    if m["model_crc32"] != installed:
        return f"{count} (for model {m['model_crc32']}, not the installed {installed}: re-run qemu-check)"
    return f"{count} (measured, installed model)"


def on_chip(bundle, results: dict, quick: bool, report=print) -> dict:
    """The installed model as the chip runs it, against the issue's limits and the TFLM example."""
    from training import evaluate
    c = evaluate.cost(bundle)
    ins = qemu_instructions(bundle)
    tflm_bytes = results.get("tflm", {}).get("figures", {}).get("tflm", {}).get("extra", {}).get("model_bytes")
    rows = [["model bytes (int8 .tflite)", c["model_bytes"], f"<= {TARGETS['model_bytes']}",
             target_verdict(c["model_bytes"] <= TARGETS["model_bytes"], quick),
             f"{tflm_bytes} (float, as deployed)" if tflm_bytes else "-"],
            ["arena bytes (TFLM, host build)", c["arena_bytes"], f"<= {TARGETS['arena_bytes']}",
             target_verdict(c["arena_bytes"] <= TARGETS["arena_bytes"], quick), "-"],
            ["MACs / inference", c["macs"], "", "", "-"],
            ["instructions / inference (Cortex-M4, QEMU)", ins, "", "", "-"]]
    report("\n" + format_table(["on the chip: installed model", "value", "target", "verdict",
                                 "TFLM magic_wand example"], rows))
    return c | {"qemu_instructions": ins}


def bench_model(out: Path, quick: bool = False, seeds: list[int] | None = None,
                tasks: tuple[str, ...] = ("tflm", "wand"), report=print, model_path: str | None = None) -> dict:
    _need_extra()
    seeds = seeds or ([0] if quick else [0, 1, 2])
    budget = Budget(quick)
    if quick:
        report(f"--quick: {SMOKE}s (a few training steps, seed {seeds}); the figures come from a full run")
    t0 = time.time()
    results: dict = {}
    if "tflm" in tasks:
        results["tflm"] = tflm_task(seeds, budget, out, report)
    if "wand" in tasks:
        results["wand"] = wand_task(seeds, budget, out, report)
    from .model import load_model
    results["on_chip"] = on_chip(load_model(model_path), results, quick, report)
    results["targets"] = model_targets(results, quick, report)
    results["quick"] = quick
    results["seconds"] = time.time() - t0
    results["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    plot_accuracy_vs_false(results, out / "accuracy-vs-false.png")
    (out / "bench-model.json").write_text(json.dumps(results, indent=2, default=_json_default))
    report(f"plots and bench-model.json in {out}")
    return results


def plot_accuracy_vs_false(results: dict, path: Path) -> Path:
    """Each method: accuracy (t interval) against how often motion it should ignore is taken."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for task, key, xlabel in (("tflm", "negatives_taken_as_gesture", "recorded negatives"),
                              ("wand", "unseen_accepted", "unseen gestures")):
        for name, f in results.get(task, {}).get("figures", {}).items():
            xs = f["extra"].get(key)
            if xs is None:
                continue
            lo, hi = f["t95"]
            yerr = None if math.isnan(lo) else [[f["mean"] - lo], [hi - f["mean"]]]
            ax.errorbar([np.mean(xs)], [f["mean"]], yerr=yerr, fmt="o" if task == "tflm" else "s", capsize=3,
                        label=f"{task}: {f['method']} ({xlabel})")
    ax.set_xlabel("share of non-gesture motion taken as a gesture")
    ax.set_ylabel("accuracy on test people")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return save_png(fig, path, dpi=110)


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


# --- few-shot ------------------------------------------------------------------------------
# The product path: each recorded try replayed from a fresh start through the simulated wand
# with the IMU stream on (once; the wand is deterministic), its packets then fed per enrolment
# into the host's EventStream (ring -> cut -> DTW match), exactly as the daemon names them.
FEWSHOT_SHOTS = (1, 3, 5)


@dataclass
class FewShotData:
    name: str
    who: str  # people, and the protocol
    enrol_pool: dict[str, list]  # gesture -> tries enrolment draws from
    test_pool: dict[str, list] | None  # gesture -> tries tested (None: the rest of enrol_pool)


def fewshot_data(quick: bool = False) -> list[FewShotData]:
    """tti-20210623's unseen gestures (vocabulary role "unseen"; the tti split's validation
    person); nano33-spells (one person, split by try: enrol from train-part tries, test on
    test-part tries) unless quick."""
    from .datasets import load_split_data, load_vocabulary
    vocab = load_vocabulary()
    tti = {g.name: g.recordings() for g in vocab if g.role == "unseen"}
    if quick:
        tti = {n: r[:8] for n, r in tti.items()}
    out = [FewShotData("tti-20210623 (unseen gestures)", "1 person (tti-20210623), enrol K tries, test the rest",
                       tti, None)]
    if not quick:
        parts = load_split_data("nano33-spells")
        by = lambda part: {lab: [r for r in parts[part] if r.label == lab] for lab in sorted({r.label for r in parts[part]})}
        out.append(FewShotData("nano33-spells", "1 person, enrol K train-part tries, test the test-part tries",
                               by("train"), by("test")))
    return out


@dataclass
class Replayed:
    """What the host gets from each try and stream: packets (IMU on), the enrolment cut,
    and the first gesture packet (for the embedding baseline)."""

    takes: list  # per try: packets up to its first gesture packet, or None
    cuts: list  # per try: wand.enrol.TryCut


def _replay_tries(bundle, replay, tries) -> Replayed:
    from .enrol import cut_tries
    return Replayed([replay.first_take(t) for t in tries], cut_tries(bundle, tries))


def _everyday_packets(replay, quick: bool) -> tuple[list[list[bytes]], float, list[str]]:
    """sp-sw-har validation and test people, each recording replayed through the simulated wand
    (IMU on). The few-shot rule was chosen on the train people's motion only, so both parts
    are unseen by it: together they give twice the hours of either (0.33 h)."""
    from .datasets import load_split_data
    parts = load_split_data("sp-sw-har")
    recs = parts["validation"] + parts["test"]
    if quick:
        recs = recs[:2]
    hours = sum(r.duration_s for r in recs) / 3600
    return [[p for _, p in replay.packets(np.asarray(r.samples), r.rate_hz)] for r in recs], hours, \
        sorted({r.person for r in recs})


def _dtw_ceiling(templates: list[tuple[str, np.ndarray]], queries: list[tuple[str, np.ndarray]]) -> list[bool]:
    from .fewshot import pairwise
    if not queries:
        return []
    d = pairwise([q for _, q in queries], [t for _, t in templates])
    return [templates[j][0] == n for j, (n, _) in zip(d.argmin(axis=1), queries)]


def _whole_try(bundle, rec) -> np.ndarray:
    from .fewshot import features
    from .wand_core.resampler import resample_block
    return features(resample_block(rec.samples, rec.rate_hz, bundle.rate_hz))


def bench_fewshot(out: Path, trials: int = 10, report=print, model_path: str | None = None,
                  quick: bool = False, seeds: list[int] | None = None) -> dict:
    from training.studies.recognisers.embedding import EmbeddingSet, name_packet

    from .datasets import load_vocabulary
    from .enrol import EnrolmentSet, builtin_rivals
    from .events import EventStream
    from .model import load_model
    from .protocol import PACKET_TYPE_OFFSET, PKT_GESTURE, GesturePacket
    from .simwand.device import first_gesture_packets
    from .streams import WandReplay

    seeds = seeds or ([0] if quick else [0, 1, 2])
    bundle = load_model(model_path)
    replay = WandReplay(bundle, imu=True)
    centre = list(bundle.info.get("embedding_centre", [0.0] * bundle.embedding_dims))
    known = [r for g in load_vocabulary() if g.role == "model" for r in g.recordings()]
    if quick:
        known = known[::6]
    known_takes = [replay.first_take(r) for r in known]
    rivals = builtin_rivals(bundle)
    known_rivals = {r.person: rivals.without(r.person) for r in known}  # a try never meets its own template
    known_packets = first_gesture_packets(bundle, known)
    days, day_hours, day_people = _everyday_packets(replay, quick)
    day_gestures = [[GesturePacket.decode(p) for p in ps if p[PACKET_TYPE_OFFSET] == PKT_GESTURE] for ps in days]
    report(f"few-shot through the product path: {len(known)} built-in gesture tries, {day_hours:.2f} h of everyday "
           f"motion (sp-sw-har validation and test people {', '.join(day_people)}) replayed through the simulated wand")
    results: dict = {"datasets": {}, "everyday_hours": day_hours, "everyday_people": day_people, "seeds": seeds,
                     "trials_per_seed": trials, "quick": quick}
    for data in fewshot_data(quick):
        names = list(data.enrol_pool)
        pools = {"enrol": data.enrol_pool, "test": data.test_pool or data.enrol_pool}
        rep = {k: {n: _replay_tries(bundle, replay, recs) for n, recs in pool.items()} for k, pool in pools.items()}
        firsts = {k: {n: first_gesture_packets(bundle, recs) for n, recs in pool.items()} for k, pool in pools.items()}
        whole = {k: {n: [_whole_try(bundle, r) for r in recs] for n, recs in pool.items()} for k, pool in pools.items()}
        rows = {}
        for shots in FEWSHOT_SHOTS:
            per: dict[str, dict[str, list[float]]] = {}
            n_genuine = n_other = 0
            for seed in seeds:
                rng = random.Random(f"{data.name}/{shots}/{seed}")
                counts: dict[str, dict[str, list]] = {}
                for t in range(trials):
                    left = names[t % len(names)]  # each gesture left out in turn: its tries are "other gestures"
                    es, emb = EnrolmentSet(bundle.rate_hz), EmbeddingSet(centre)
                    tests, templates = [], []
                    for n in names:
                        idx = list(range(len(pools["enrol"][n])))
                        rng.shuffle(idx)
                        chosen = idx[:shots]
                        if n == left:
                            tests += [(None, i) for i in range(len(pools["test"][n]))] if data.test_pool \
                                else [(None, i) for i in idx]
                            continue
                        segs = [rep["enrol"][n].cuts[i].segment for i in chosen]
                        if any(s is not None for s in segs):
                            es.enrol(f"g{names.index(n)}", [s for s in segs if s is not None])
                        embs = [GesturePacket.decode(firsts["enrol"][n][i]).embedding for i in chosen
                                if firsts["enrol"][n][i] is not None]
                        if embs:
                            emb.enrol(f"g{names.index(n)}", embs)
                        templates += [(n, whole["enrol"][n][i]) for i in chosen]
                        rest = range(len(pools["test"][n])) if data.test_pool else idx[shots:]
                        tests += [(n, i) for i in rest]
                    pool_of = {n: (left if n is None else n) for n, _ in tests}
                    label = {f"g{i}": n for i, n in enumerate(names)}

                    def dtw_named(take) -> str | None:
                        d = None if take is None else replay.name(take, enrolled=es)
                        return label[d.gesture] if d is not None and d.source == "enrolled" else None

                    def dtw_named_known(take, person: str) -> str | None:
                        if take is None:
                            return None
                        events = EventStream("eval", bundle, es, max_age_ms=None, spotting=replay.spotting,
                                             rivals=known_rivals[person])
                        got = [e for p in take for e in replay.feed(events, p)] + events.flush()
                        return label[got[0].gesture] if got and got[0].source == "enrolled" else None

                    def emb_named(first) -> str | None:
                        if first is None:
                            return None
                        g, src = name_packet(bundle, emb, GesturePacket.decode(first))
                        return label[g] if src == "enrolled" else None
                    c = counts.setdefault("x", {k: [] for k in ("dtw_acc", "dtw_other", "emb_acc", "emb_other",
                                                                "ceiling", "dtw_model", "emb_model", "dtw_day", "emb_day")})
                    for truth, i in tests:
                        src = pool_of[truth]
                        got_d = dtw_named(rep["test"][src].takes[i])
                        got_e = emb_named(firsts["test"][src][i])
                        if truth is None:
                            c["dtw_other"].append(got_d is not None)
                            c["emb_other"].append(got_e is not None)
                        else:
                            c["dtw_acc"].append(got_d == truth)
                            c["emb_acc"].append(got_e == truth)
                    c["ceiling"] += _dtw_ceiling(templates, [(n, whole["test"][n][i]) for n, i in tests if n is not None])
                    c["dtw_model"].append(np.mean([dtw_named_known(t, r.person) is not None
                                                   for t, r in zip(known_takes, known)]))
                    c["emb_model"].append(np.mean([emb_named(p) is not None for p in known_packets]))
                    c["dtw_day"].append(sum(_stream_enrolled(replay, es, ps) for ps in days))
                    c["emb_day"].append(sum(emb_named(p.encode()) is not None for ps in day_gestures for p in ps))
                    n_genuine = sum(1 for n, _ in tests if n is not None)
                    n_other = sum(1 for n, _ in tests if n is None)
                for k, v in counts["x"].items():
                    per.setdefault(k, {}).setdefault("seeds", []).append(
                        float(np.sum(v)) / trials / day_hours if k.endswith("_day") else float(np.mean(v)))
                    per[k].setdefault("events", []).append(float(np.sum(v)) / trials if k.endswith("_day") else 0.0)
            rows[shots] = {k: v for k, v in per.items()} | {"genuine_per_trial": n_genuine, "other_per_trial": n_other}
        n_tries = sum(len(v) for v in pools["test"].values())
        results["datasets"][data.name] = {"who": data.who, "gestures": names, "tries": n_tries, "rows": rows}
        _fewshot_table(data, rows, n_tries, len(known), day_hours, seeds, trials, report)
    three = results["datasets"][fewshot_data(quick)[0].name]["rows"][3]
    acc, other = float(np.mean(three["dtw_acc"]["seeds"])), float(np.mean(three["dtw_other"]["seeds"]))
    day = float(np.mean(three["dtw_day"]["seeds"]))
    ok = acc >= TARGETS["fewshot_accuracy_3"] and other <= 0.01 and day <= 1.0
    report(f"target: custom gestures >= {TARGETS['fewshot_accuracy_3']:.0%} at 3 tries ({acc:.1%}), <= 1% of other "
           f"gestures ({other:.1%}) and <= 1/h of everyday motion ({day:.1f}/h) accepted: {target_verdict(ok, quick)}")
    (out / "bench-fewshot.json").write_text(json.dumps(results, indent=2, default=_json_default))
    return results


def _stream_enrolled(replay, es, packets: list[bytes]) -> int:
    """Enrolled events the host names in one everyday-motion recording's packets."""
    events = replay._events(es)
    got = [e for p in packets for e in replay.feed(events, p)] + events.flush()
    return sum(e.source == "enrolled" for e in got)


def _fewshot_table(data: FewShotData, rows: dict, n_tries: int, n_known: int, hours: float, seeds: list[int],
                   trials: int, report) -> None:
    def prop(v: dict, n: int) -> str:
        m = float(np.mean(v["seeds"]))
        sd = float(np.std(v["seeds"], ddof=1)) if len(v["seeds"]) > 1 else 0.0
        lo, hi = wilson(m * n, n)
        return f"{m:.1%} ± {sd:.1%} [{lo:.0%}-{hi:.0%}]"

    def rate(v: dict) -> str:
        m = float(np.mean(v["seeds"]))
        sd = float(np.std(v["seeds"], ddof=1)) if len(v["seeds"]) > 1 else 0.0
        lo, hi = poisson_rate(float(np.mean(v["events"])), hours)
        return f"{m:.1f} ± {sd:.1f} [{lo:.1f}-{hi:.1f}]"
    table = []
    for shots, r in rows.items():
        g, o = r["genuine_per_trial"], r["other_per_trial"]
        table.append([shots, "DTW on the IMU (product)", prop(r["dtw_acc"], g), prop(r["dtw_other"], o),
                      prop(r["dtw_model"], n_known), rate(r["dtw_day"]), prop(r["ceiling"], g)])
        table.append([shots, "embedding k-NN (before)", prop(r["emb_acc"], g), prop(r["emb_other"], o),
                      prop(r["emb_model"], n_known), rate(r["emb_day"]), ""])
    report("\n" + format_table([f"{data.name}: tries", "method", "accuracy, enrolled gestures",
                                 "other gestures accepted", "built-in gesture tries taken", "everyday motion / h",
                                 "ceiling: closed-set DTW"], table))
    report(f"rests on: {data.who}; gestures {', '.join(data.enrol_pool)}, {n_tries} test tries; each enrolment leaves "
           f"one gesture out (its tries = other gestures); {n_known} built-in gesture tries (tti-data, tti-peter; each "
           f"against the other person's rival templates only); "
           f"{hours:.2f} h everyday motion; {trials} enrolments x {len(seeds)} seeds; mean ± sd over seeds "
           f"[95% Wilson over the test tries / Poisson over the hours]. Ceiling: 1-NN DTW on the whole try, no rejection, "
           f"no model.")


def _dtw_available() -> bool:
    try:
        import dtaidistance  # noqa: F401
        return True
    except ImportError:
        return False


# --- daemon --------------------------------------------------------------------------------
def _bench_setup():
    from .config import example_path, load_config
    from .model import load_model
    from .outputs import OutputSet
    from .protocol import GesturePacket

    bundle = load_model()
    config = load_config(example_path("tv"))
    gid = bundle.classes.index(bundle.gesture_names[0])

    def packet(i: int) -> bytes:
        return GesturePacket(i & 0xFFFF, gid, 230, 100, i * 20, (1,) * 8).encode()
    return bundle, config, OutputSet(config.midi, dry_run=True), packet


def _direct(events: int) -> tuple[list[float], float]:
    """Baseline: decode, map and perform inside the notification callback."""
    from .events import EventStream
    from .mapper import Mapper

    bundle, config, outputs, packet = _bench_setup()
    stream, mapper = EventStream("bench", bundle, None, None), Mapper(config)
    latencies = []
    t0 = time.perf_counter()
    for i in range(events):
        start = time.perf_counter()
        ev = stream.feed(packet(i))
        for a in mapper.map(ev).actions:
            outputs.perform(a, ev)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies, events / (time.perf_counter() - t0)


async def _through_daemon(events: int) -> tuple[list[float], float]:
    """Latency: one notification at a time, to action performed. Rate: all at once."""
    from .daemon import Daemon, WandState
    from .events import EventStream

    bundle, config, outputs, packet = _bench_setup()
    daemon = Daemon(config, bundle, outputs, None, line=lambda s: None)
    st = WandState("bench", "bench", stream=EventStream("bench", bundle, None, None))
    daemon.wands["bench"] = st
    latencies: list[float] = []
    sent: dict[int, float] = {}
    waiting = asyncio.Event()

    def performed(p) -> None:
        latencies.append((time.perf_counter() - sent[p.event.seq]) * 1000)
        waiting.set()
    daemon.on_performed = performed
    stop = asyncio.Event()
    worker = asyncio.create_task(daemon.perform_events(stop))
    for i in range(events):
        waiting.clear()
        sent[i & 0xFFFF] = time.perf_counter()
        daemon._on_packet(st, packet(i))
        await waiting.wait()
    burst_done = asyncio.Event()
    count = [0]

    def counted(p) -> None:
        count[0] += 1
        if count[0] == events:
            burst_done.set()
    daemon.on_performed = counted
    t0 = time.perf_counter()
    for i in range(events, 2 * events):
        daemon._on_packet(st, packet(i))
    await burst_done.wait()
    rate = events / (time.perf_counter() - t0)
    stop.set()
    await worker
    daemon._pool.shutdown()
    return latencies, rate


def bench_daemon(out: Path, events: int = 2000, report=print) -> dict:
    res = {}
    for name, direct in (("daemon (queue + output worker)", False), ("baseline: in the BLE callback", True)):
        lat, rate = _direct(events) if direct else asyncio.run(_through_daemon(events))
        lat.sort()
        res[name] = {"p50_ms": statistics.median(lat), "p99_ms": lat[int(0.99 * (len(lat) - 1))], "events_per_s": rate}
    d, b = res["daemon (queue + output worker)"], res["baseline: in the BLE callback"]
    rows = [[n, f"{v['p50_ms']:.3f}", f"{v['p99_ms']:.3f}", f"{v['events_per_s']:.0f}"] for n, v in res.items()]
    rows.append(["daemon / baseline", _ratio(d["p50_ms"], b["p50_ms"]), _ratio(d["p99_ms"], b["p99_ms"]),
                 _ratio(d["events_per_s"], b["events_per_s"])])
    report(format_table(["path (dry-run outputs)", "p50 ms", "p99 ms", "events/s"], rows))
    report(f"{events} gesture packets, notification -> action performed. The daemon pays a thread hand-off "
           "so a held key or slow program never blocks the radio; a wand sends at most a few events/s.")
    (out / "bench-daemon.json").write_text(json.dumps(res, indent=2))
    return res


def bench_recognisers(out: Path, seeds: int = 3, quick: bool = False) -> None:
    """Issue 15's few-shot methods side by side on validation people (training/studies/recognisers):
    today's CNN k-NN, DTW on the IMU, the gyro stroke, with rejection calibrated on everyday
    motion; and the two segmenters' candidates per hour."""
    _need_extra()
    from training.studies.recognisers import study
    args = ["--out", str(out / "recognisers"), "--seeds", str(1 if quick else seeds)] + (["--quick"] if quick else [])
    study.main(args)


def bench_vocabulary(out: Path, seeds: int = 3, quick: bool = False) -> None:
    """Issue 15's vocabulary: >= 8 stroke shapes on held-out Quick, Draw! players, and the
    canvas-trained classifier on real wand strokes (training/studies/vocabulary_study.py)."""
    _need_extra()
    from training.studies import vocabulary_study
    vocabulary_study.main(["--out", str(out / "vocabulary"), "--seeds", str(seeds)] + (["--quick"] if quick else []))


def air_spotter():
    """The intent rule ``wand bench air`` runs: the firmware twin's stroke spotter with the
    StrokeConfigPacket's defaults; while the twin is not in the tree, the intent study's
    prototype of the same rule."""
    from .bench_air import twin_spotter
    from .protocol import StrokeConfigPacket
    twin = twin_spotter()
    if twin is not None:
        return twin, "the firmware twin (wand/wand_core/stroke.py), StrokeConfigPacket defaults"
    from training.studies.intent_study import prototype_spotter, rule_of
    return prototype_spotter(rule_of(StrokeConfigPacket())), \
        "hold-draw-hold prototype (training/studies/intent_study.py), StrokeConfigPacket defaults"


def bench_cli(args) -> int:
    out = _out_dir(args)
    if args.what in ("model", "all"):
        seeds = list(range(args.seeds)) if getattr(args, "seeds", None) else None
        tasks = ("tflm", "wand") if getattr(args, "task", "all") == "all" else (args.task,)
        bench_model(out, quick=args.quick, seeds=seeds, tasks=tasks, model_path=args.model)
    if args.what in ("fewshot", "all"):
        bench_fewshot(out, trials=3 if args.quick else 12, model_path=args.model, quick=args.quick)
    if args.what in ("recognisers", "all"):
        bench_recognisers(out, seeds=args.seeds or 3, quick=args.quick)
    if args.what in ("vocabulary", "all"):
        bench_vocabulary(out, seeds=args.seeds or 3, quick=args.quick)
    if args.what in ("strokes", "all"):
        from .bench_strokes import bench_strokes
        bench_strokes(out, quick=args.quick, seeds=list(range(args.seeds)) if getattr(args, "seeds", None) else None)
    if args.what in ("daemon", "all"):
        bench_daemon(out, events=200 if args.quick else 2000)
    if args.what in ("control", "all"):
        from .bench_control import bench_control  # issue 21: continuous control
        bench_control(out, quick=args.quick)
    if args.what in ("air", "all"):
        from .bench_air import bench_air
        from training.studies.stroke_enrol_study import choose, sweep
        bench_air(out, *air_spotter(), quick=args.quick, seeds=args.seeds or 3,
                  custom=lambda part, radii, seeds: sweep(part, radii, seeds), choose_radius=choose)
    print(f"results in {out}")
    return 0
