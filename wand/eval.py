"""Measure the installed recogniser on anyone's recordings (``wand eval``).

The recogniser is exactly what ``wand run`` uses: the installed (or ``--model``) model
through the TFLM interpreter and the firmware's spotter, with the config's spotting
settings, and the host naming events with the enrolment file (model gestures, enrolled
gestures, "unknown"). Three protocols:

* tries (``wand eval DIR``): each wand-csv try replayed from a fresh start; its first event
  is the decision. Per-gesture accuracy, confusion, rejected (unknown or no event). Tries of
  gestures the recogniser does not know should be rejected; accepting one is a false accept.
* streams (``--stream FILE...``): long recordings with no gestures in them; every named
  event is a false trigger; per hour of recording.
* few-shot (``--enrol K DIR``): per person and gesture, enrol K random tries (as
  ``wand enrol`` does) into an otherwise empty enrolment set, then decide that person's other
  tries of it (accuracy) and their tries of their other gestures (false accepts: named as
  the enrolled gesture); repeated over ``draws`` random draws.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .errors import GestureFileError, WandError
from .plots import save_png
from .recordings import Recording, read_wand_csv
from .streams import UNKNOWN, WandReplay

NONE = "(none)"  # no event at all: the spotter never saw the gesture start
Say = Callable[[str], None]


# --- the recogniser -------------------------------------------------------------------------

@dataclass
class Installed:
    bundle: object
    config_path: Path
    replay: WandReplay

    @property
    def model_gestures(self) -> list[str]:
        return list(self.bundle.gesture_names)

    @property
    def enrolled(self):
        return self.replay.enrolled

    @property
    def known(self) -> set[str]:
        return set(self.model_gestures) | set(self.enrolled.gestures if self.enrolled else {})

    def describe(self) -> dict:
        return {"model": str(self.bundle.path), "model_crc32": f"{self.bundle.crc32:08x}",
                "config": str(self.config_path), "enrolled": sorted(self.enrolled.gestures) if self.enrolled else [],
                "spotting": vars(self.replay.spotting).copy()}


def installed(model: str | None = None, config: str | None = None, enrolled: str | None = None,
              say: Say = print) -> Installed:
    """Model, config and enrolment file loaded the way ``wand run`` loads them."""
    from .config import example_path, load_config
    from .enrol import load
    from .model import load_model
    from .paths import config_file

    bundle = load_model(model)
    path = Path(config) if config else config_file()
    if not config and not path.exists():
        say(f"no config at {path}; using the TV example's spotting settings, as 'wand run' would")
        path = example_path("tv")
    cfg = load_config(path)
    enrol = load(enrolled, bundle.rate_hz)
    return Installed(bundle, Path(path), WandReplay(bundle, cfg.spotting, enrol))


def progress(items, total: int, what: str):
    """A progress bar on a terminal (stderr); nothing when output is not a terminal."""
    from tqdm import tqdm
    return tqdm(items, total=total, desc=what, unit="try", disable=None, leave=False)


# --- reading ------------------------------------------------------------------------------------

def read_tries(paths: Iterable[str | Path], say: Say, known: Iterable[str] = ()) -> list[Recording]:
    """wand-csv files (folders are searched for *.csv); a bad or mislabelled file is named in
    one line and left out, the rest are read. Mislabelled: the file sits in a folder named
    after a gesture (one the recogniser knows or another file's header names) that is not
    the gesture its header names. Other folder names (people, sessions) are fine."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.rglob("*.csv") if not f.name.startswith("."))
        elif p.exists():
            files.append(p)
        else:
            say(f"{p}: no such file or folder; skipped")
    read = []
    for f in files:
        try:
            rec = read_wand_csv(f)
        except GestureFileError as e:
            say(f"{e}; skipped")
            continue
        if rec.samples.shape[0] < 2:
            say(f"{f}: only {rec.samples.shape[0]} sample(s); skipped")
            continue
        read.append((f, rec))
    gestures = set(known) | {rec.label for _, rec in read}
    out = []
    for f, rec in read:
        folder = f.parent.name
        if folder in gestures and folder != rec.label:
            say(f"{f}: its header says gesture {rec.label!r} but it is in folder {folder!r}; skipped "
                "(fix the '# gesture:' line or move the file)")
            continue
        out.append(rec)
    return out


# --- tries ----------------------------------------------------------------------------------------

@dataclass
class TriesReport:
    labels: list[str]  # rows: performed gestures
    decisions: list[str]  # columns: what the recogniser said (gestures, unknown, (none))
    confusion: np.ndarray
    known: list[str]
    per_take: list[tuple[str, str, str, str]] = field(default_factory=list)  # source, person, truth, decision

    def row(self, label: str) -> dict:
        r = self.confusion[self.labels.index(label)]
        n = int(r.sum())
        col = {d: int(v) for d, v in zip(self.decisions, r)}
        rejected = col.get(UNKNOWN, 0) + col.get(NONE, 0)
        if label in self.known:
            correct = col.get(label, 0)
            return {"tries": n, "correct": correct, "accuracy": correct / n if n else 0.0, "rejected": rejected,
                    "wrong": n - correct - rejected}
        return {"tries": n, "rejected": rejected, "false_accepts": n - rejected,
                "false_accept_rate": (n - rejected) / n if n else 0.0}

    def summary(self) -> dict:
        known = [l for l in self.labels if l in self.known]
        n = sum(self.row(l)["tries"] for l in known)
        correct = sum(self.row(l)["correct"] for l in known)
        unseen = [l for l in self.labels if l not in self.known]
        un = sum(self.row(l)["tries"] for l in unseen)
        fa = sum(self.row(l)["false_accepts"] for l in unseen)
        people: dict[str, list[bool]] = defaultdict(list)
        for _, person, truth, dec in self.per_take:
            if truth in self.known:
                people[person].append(truth == dec)
        return {"known_tries": n, "accuracy": correct / n if n else None, "unseen_tries": un,
                "unseen_false_accept_rate": fa / un if un else None,
                "per_person_accuracy": {p: float(np.mean(v)) for p, v in sorted(people.items())}}

    def as_dict(self) -> dict:
        return {"protocol": "tries", "summary": self.summary(), "per_gesture": {l: self.row(l) for l in self.labels},
                "confusion": {"rows": self.labels, "columns": self.decisions, "counts": self.confusion.tolist()},
                "per_take": [dict(zip(("source", "person", "truth", "decision"), t)) for t in self.per_take]}


def decide(rec: Installed, tries: list[Recording]) -> list[str]:
    out = []
    for t in progress(tries, len(tries), "replaying tries"):
        take = rec.replay.first_take(t)
        d = None if take is None else rec.replay.name(take)
        out.append(NONE if d is None else d.gesture)
    return out


def eval_tries(rec: Installed, tries: list[Recording]) -> TriesReport:
    decisions = decide(rec, tries)
    labels = sorted({t.label for t in tries}, key=lambda l: (l not in rec.known, l))
    cols = [g for g in rec.model_gestures] + sorted(rec.known - set(rec.model_gestures))
    cols += sorted({d for d in decisions if d not in cols and d not in (UNKNOWN, NONE)}) + [UNKNOWN, NONE]
    cm = np.zeros((len(labels), len(cols)), np.int64)
    for t, d in zip(tries, decisions):
        cm[labels.index(t.label), cols.index(d)] += 1
    per_take = [(t.source, t.person, t.label, d) for t, d in zip(tries, decisions)]
    return TriesReport(labels, cols, cm, sorted(rec.known), per_take)


# --- streams ---------------------------------------------------------------------------------------

@dataclass
class StreamsReport:
    files: list[dict]  # source, hours, triggers, by_gesture

    @property
    def hours(self) -> float:
        return sum(f["hours"] for f in self.files)

    @property
    def triggers(self) -> int:
        return sum(f["triggers"] for f in self.files)

    def as_dict(self) -> dict:
        return {"protocol": "stream", "hours": self.hours, "false_triggers": self.triggers,
                "false_triggers_per_hour": self.triggers / self.hours if self.hours else None, "files": self.files}


def eval_streams(rec: Installed, recordings: list[Recording]) -> StreamsReport:
    files = []
    for r in progress(recordings, len(recordings), "replaying streams"):
        named = [d for d in rec.replay.run(r.samples, r.rate_hz) if d.gesture != UNKNOWN]
        hours = r.duration_s / 3600.0
        files.append({"source": r.source, "hours": hours, "triggers": len(named),
                      "per_hour": len(named) / hours if hours else None,
                      "by_gesture": dict(Counter(d.gesture for d in named))})
    return StreamsReport(files)


# --- few-shot ---------------------------------------------------------------------------------------

@dataclass
class EnrolReport:
    k: int
    draws: int
    seed: int
    rows: list[dict]  # person, gesture, accuracy, false_accept_rate, tests, others (means over draws)
    skipped: list[str]

    def summary(self) -> dict:
        if not self.rows:
            return {"accuracy": None, "false_accept_rate": None}
        acc = [r["accuracy"] for r in self.rows]
        fa = [r["false_accept_rate"] for r in self.rows if r["false_accept_rate"] is not None]
        return {"accuracy": float(np.mean(acc)), "false_accept_rate": float(np.mean(fa)) if fa else None,
                "pairs": len(self.rows), "people": len({r["person"] for r in self.rows}),
                "per_person_accuracy": {p: float(np.mean([r["accuracy"] for r in self.rows if r["person"] == p]))
                                        for p in sorted({r["person"] for r in self.rows})}}

    def as_dict(self) -> dict:
        return {"protocol": "enrol", "k": self.k, "draws": self.draws, "seed": self.seed, "summary": self.summary(),
                "per_person_gesture": self.rows, "skipped": self.skipped}


def eval_enrol(rec: Installed, tries: list[Recording], k: int, draws: int = 5, seed: int = 0,
               say: Say = print) -> EnrolReport:
    """The few-shot protocol (module docstring). Templates are cut from the wand the way
    ``wand enrol`` cuts them; test tries are replayed with the IMU stream on and decided with
    the config's spotting, the way the daemon decides them."""
    from .enrol import EnrolmentSet, cut_tries
    from .streams import WandReplay

    if k < 1:
        raise WandError(f"--enrol {k}: enrol at least 1 try")
    bundle = rec.bundle
    cuts = cut_tries(bundle, tries, rec.replay.spotting)  # what `wand enrol` would take from each try
    replay = WandReplay(bundle, rec.replay.spotting, None, rec.replay.classifier, imu=True)
    test_takes = [replay.first_take(t) for t in progress(tries, len(tries), "replaying tries")]
    by_pg: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, t in enumerate(tries):
        by_pg[(t.person, t.label)].append(i)
    rng = np.random.default_rng(seed)
    rows, skipped = [], []
    for (person, gesture), idx in sorted(by_pg.items()):
        if len(idx) <= k:
            skipped.append(f"{person}/{gesture}: {len(idx)} tries, need more than {k}")
            continue
        others = [i for (p, g), ii in by_pg.items() if p == person and g != gesture for i in ii]
        accs, fas = [], []
        for _ in range(draws):
            chosen = set(rng.choice(idx, size=k, replace=False).tolist())
            segments = [cuts[i].segment for i in sorted(chosen) if cuts[i].segment is not None]
            test = [i for i in idx if i not in chosen]
            es = EnrolmentSet(bundle.rate_hz)
            if segments:  # none: no try reached the wand as a new gesture, nothing could be enrolled
                es.enrol(gesture, segments, person=person)

            def named(i: int) -> str:
                take = test_takes[i]
                if take is None:
                    return NONE
                return replay.name(take, enrolled=es).gesture

            accs.append(float(np.mean([named(i) == gesture for i in test])))
            if others:
                fas.append(float(np.mean([named(i) == gesture for i in others])))
        rows.append({"person": person, "gesture": gesture, "tries": len(idx), "tests": len(idx) - k,
                     "others": len(others), "accuracy": float(np.mean(accs)),
                     "accuracy_sd": float(np.std(accs)),
                     "false_accept_rate": float(np.mean(fas)) if fas else None})
    for line in skipped:
        say(f"few-shot: skipped {line}")
    return EnrolReport(k, draws, seed, rows, skipped)


# --- output -----------------------------------------------------------------------------------------

def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def table(rows: list[list[str]], head: list[str]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows)]
    fmt = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths))  # noqa: E731
    return "\n".join([fmt(head), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


def tries_text(rep: TriesReport) -> str:
    rows = []
    for l in rep.labels:
        r = rep.row(l)
        if l in rep.known:
            rows.append([l, r["tries"], pct(r["accuracy"]), r["wrong"], r["rejected"], "-"])
        else:
            rows.append([l + " (not known)", r["tries"], "-", "-", r["rejected"], pct(r["false_accept_rate"])])
    s = rep.summary()
    out = [table(rows, ["gesture", "tries", "accuracy", "wrong", "rejected", "false accepts"]), ""]
    out.append(f"known gestures: {pct(s['accuracy'])} of {s['known_tries']} tries recognised"
               + (f"; unknown gestures accepted: {pct(s['unseen_false_accept_rate'])} of {s['unseen_tries']}"
                  if s["unseen_tries"] else ""))
    if len(s["per_person_accuracy"]) > 1:
        out.append("per person: " + ", ".join(f"{p} {pct(a)}" for p, a in s["per_person_accuracy"].items()))
    out.append("confusion (rows performed, columns decided):")
    out.append(table([[l] + [str(v) for v in row] for l, row in zip(rep.labels, rep.confusion)], [""] + rep.decisions))
    return "\n".join(out)


def streams_text(rep: StreamsReport) -> str:
    rows = [[Path(f["source"]).name, f"{f['hours'] * 60:.1f}", f["triggers"],
             "-" if f["per_hour"] is None else f"{f['per_hour']:.1f}",
             ", ".join(f"{g} {n}" for g, n in sorted(f["by_gesture"].items()))] for f in rep.files]
    d = rep.as_dict()
    per_hour = "-" if d["false_triggers_per_hour"] is None else f"{d['false_triggers_per_hour']:.1f}"
    return (table(rows, ["file", "minutes", "triggers", "per hour", "gestures"]) +
            f"\n\n{rep.triggers} false triggers in {rep.hours:.3f} h of recordings: {per_hour} per hour")


def enrol_text(rep: EnrolReport) -> str:
    rows = [[r["person"], r["gesture"], r["tests"], f"{pct(r['accuracy'])} ± {100 * r['accuracy_sd']:.1f}",
             pct(r["false_accept_rate"])] for r in rep.rows]
    s = rep.summary()
    return (table(rows, ["person", "gesture", "tests", "accuracy", "false accepts"]) +
            f"\n\n{rep.k} tries enrolled, {rep.draws} draws (seed {rep.seed}): accuracy {pct(s['accuracy'])}, "
            f"other gestures accepted as the enrolled one {pct(s['false_accept_rate'])}")


def plot(report, path: Path, title: str) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if isinstance(report, TriesReport):
        cm = report.confusion
        fig, ax = plt.subplots(figsize=(1.0 * len(report.decisions) + 2.5, 0.8 * len(report.labels) + 2))
        ax.imshow(cm / np.maximum(cm.sum(axis=1, keepdims=True), 1), cmap="Blues", vmin=0, vmax=1)
        share = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
        for (r, c), v in np.ndenumerate(cm):
            ax.text(c, r, str(v), ha="center", va="center", color="white" if share[r, c] > 0.5 else "black")
        ax.set_xticks(range(len(report.decisions)), report.decisions, rotation=30, ha="right")
        ax.set_yticks(range(len(report.labels)), report.labels)
        ax.set_xlabel("decided by the recogniser")
        ax.set_ylabel("performed")
        s = report.summary()
        ax.set_title(f"{title}\naccuracy {pct(s['accuracy'])} over {s['known_tries']} tries of known gestures")
    elif isinstance(report, StreamsReport):
        fig, ax = plt.subplots(figsize=(max(5, 0.5 * len(report.files) + 2), 4))
        ax.bar(range(len(report.files)), [f["per_hour"] or 0 for f in report.files])
        ax.set_xticks(range(len(report.files)), [Path(f["source"]).name for f in report.files], rotation=45,
                      ha="right", fontsize=7)
        ax.set_ylabel("false triggers per hour")
        ax.set_title(f"{title}\n{report.triggers} false triggers in {report.hours:.3f} h")
    else:
        labels = [f"{r['person']}/{r['gesture']}" for r in report.rows]
        fig, ax = plt.subplots(figsize=(max(5, 0.45 * len(labels) + 2), 4))
        x = np.arange(len(labels))
        ax.bar(x - 0.2, [100 * r["accuracy"] for r in report.rows], 0.4, label="accuracy")
        ax.bar(x + 0.2, [100 * (r["false_accept_rate"] or 0) for r in report.rows], 0.4, label="false accepts")
        ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=7)
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.legend()
        ax.set_title(f"{title}\n{report.k} tries enrolled, {report.draws} draws")
    fig.tight_layout()
    return save_png(fig, path, dpi=110)


def to_json(report, rec: Installed, png: Path | None) -> str:
    return json.dumps(report.as_dict() | {"recogniser": rec.describe(), "png": str(png) if png else None},
                      indent=2, default=str)
