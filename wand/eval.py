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
* few-shot (``--enrol K DIR``): per person, enrol K random tries (as ``wand enrol`` does: a
  drawing where fewer than half reach the wand as a gesture) of every gesture of theirs but
  one, left out in turn; decide the enrolled gestures' other tries
  (accuracy) and the left-out one's (other gestures accepted as an enrolled one); ``draws``
  random draws per left-out gesture.

Every protocol counts why a try was not recognised: no intent (no drawing after a rest),
never cut (no event), unknown, or another gesture; accuracies per person and per gesture
carry 95% Wilson intervals over the distinct tries. ``--hold-still S`` appends S s of rest
to recordings that stop at the gesture's end (``hold_still``: in memory only).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .errors import GestureFileError, WandError
from .plots import save_png
from .recordings import MAX_TRY_S, Recording, read_wand_csv
from .protocol import PACKET_TYPE_OFFSET
from .streams import UNKNOWN, WandReplay

NONE = "(none)"  # no event at all: the spotter never saw the gesture start (or the stroke never ended)
NO_INTENT = "(no intent)"  # the stroke path never saw a drawing start after a rest
# Why a try was not recognised, by its decision: the rejection causes the JSON counts.
CAUSES = ("no_intent", "never_cut", "unknown", "other_gesture")


def cause(truth: str, decision: str) -> str:
    """"correct", or why not: no intent (no drawing after a rest), never cut (no event), unknown (the wand
    saw something but named nothing), or another gesture."""
    if decision == truth:
        return "correct"
    return {NO_INTENT: "no_intent", NONE: "never_cut", UNKNOWN: "unknown"}.get(decision, "other_gesture")


def proportion(k: float, n: int) -> dict:
    """k of n with its 95% Wilson interval (over distinct tries)."""
    from .bench import wilson
    lo, hi = wilson(k, n) if n else (None, None)
    return {"n": n, "rate": k / n if n else None, "ci95": [lo, hi]}
Say = Callable[[str], None]


# --- the recogniser -------------------------------------------------------------------------

@dataclass
class Installed:
    bundle: object
    config_path: Path
    replay: WandReplay
    strokes: object = None  # the default profile's StrokeConfigPacket, sent or not (its intent rule)
    fallback: bool = False  # no config: the TV example's settings stand in

    @property
    def model_gestures(self) -> list[str]:
        return list(self.bundle.gesture_names)

    @property
    def enrolled(self):
        return self.replay.enrolled

    @property
    def characters(self) -> list[str]:
        """The characters the wand listens for: those the config's default profile maps."""
        from .characters import STROKE_LABELS
        sent = self.replay.strokes
        return [] if sent is None else [n for i, n in enumerate(STROKE_LABELS) if sent.active_mask >> i & 1]

    @property
    def known(self) -> set[str]:
        return set(self.model_gestures) | set(self.enrolled.gestures if self.enrolled else {}) | set(self.characters)

    def describe(self) -> dict:
        return {"model": str(self.bundle.path), "model_crc32": f"{self.bundle.crc32:08x}",
                "config": str(self.config_path), "enrolled": sorted(self.enrolled.gestures) if self.enrolled else [],
                "characters": self.characters,
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
    strokes = cfg.stroke_config(cfg.default_profile, bundle.gesture_names)  # what `wand run` sends for that profile
    return Installed(bundle, Path(path), WandReplay(bundle, cfg.spotting, enrol, strokes=strokes), strokes,
                     fallback=not config and path == example_path("tv"))


def listen_for(rec: Installed, labels: Iterable[str], say: Say = print) -> Installed:
    """The characters the tries name, as the wand would listen for them. With no config
    (the TV example stands in) the active set becomes exactly those characters, as a
    profile mapping them would send; with a config whose profile lacks some, say so (they
    can only be missed) and keep the config: it is what `wand run` does."""
    from .characters import is_character, mask_of
    from .config import over_gesture_for
    from .protocol import STROKE_FLAG_ENABLED
    labels = set(labels)
    named = sorted(l for l in labels if is_character(l))
    missing = [c for c in named if c not in rec.characters]
    if not named or (not rec.fallback and not missing) or (rec.fallback and named == rec.characters):
        return rec
    if not rec.fallback:
        say(f"the config's profile does not listen for {len(missing)} character(s) the tries name "
            f"({', '.join(missing[:6])}{' ...' if len(missing) > 6 else ''}): they can only be missed; "
            "give --config with a profile that maps them (e.g. the typing example)")
        return rec
    strokes = dataclasses.replace(rec.strokes, active_mask=mask_of(named), flags=rec.strokes.flags | STROKE_FLAG_ENABLED,
                                  over_gesture=over_gesture_for(rec.strokes, labels, rec.model_gestures))
    say(f"no config: listening for the {len(named)} character(s) the tries name, as a profile mapping them would")
    replay = WandReplay(rec.bundle, rec.replay.spotting, rec.replay.enrolled, rec.replay.classifier, strokes=strokes)
    return dataclasses.replace(rec, replay=replay, strokes=strokes)


def progress(items, total: int, what: str):
    """A progress bar on a terminal (stderr); nothing when output is not a terminal."""
    from tqdm import tqdm
    return tqdm(items, total=total, desc=what, unit="try", disable=None, leave=False)


# --- reading ------------------------------------------------------------------------------------

def _csv_files(folder: Path, say: Say) -> list[Path]:
    """Every *.csv file under ``folder`` (not hidden ones; symlinked folders not followed),
    walked with a stack, not recursion: a tree a thousand folders deep, or a folder that
    cannot be listed (named in one line), is no reason to stop."""
    found: list[Path] = []
    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as entries:
                for e in entries:
                    if e.is_dir(follow_symlinks=False):
                        stack.append(Path(e.path))
                    elif e.name.endswith(".csv") and not e.name.startswith("."):
                        found.append(Path(e.path))
        except OSError as e:
            say(f"{here}: cannot list ({e.strerror}); skipped")
    return sorted(found)


def read_tries(paths: Iterable[str | Path], say: Say, known: Iterable[str] = (),
               max_s: float = MAX_TRY_S) -> list[Recording]:
    """wand-csv files (folders are searched for *.csv); a bad or mislabelled file is named in
    one line and left out, the rest are read. Mislabelled: the file sits in a folder named
    after a gesture (one the recogniser knows or another file's header names) that is not
    the gesture its header names. Other folder names (people, sessions) are fine."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += _csv_files(p, say)
        elif p.exists():
            files.append(p)
        else:
            say(f"{p}: no such file or folder; skipped")
    read = []
    for f in files:
        try:
            recs = _read_file(f, say, max_s)
        except GestureFileError as e:
            say(f"{e}; skipped")
            continue
        for rec in recs:
            if rec.samples.shape[0] < 2:
                say(f"{rec.source or f}: only {rec.samples.shape[0]} sample(s); skipped")
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


def _read_file(f: Path, say: Say, max_s: float = MAX_TRY_S) -> list[Recording]:
    """A wand-csv try, or a tiny-trainable-instruments (tti-csv) file of tries, which carries
    no gesture names: they come from the project's vocabulary (``gestures/vocabulary.toml``
    lists each file under the gesture it holds), so ``wand eval gestures`` reads the
    project's own recordings."""
    from .datasets import TTI_HEADER, read_tti_csv
    from .trust import TrustError, read_regular
    try:  # a FIFO or device is refused here, before any read could hang on it
        first = read_regular(f, 4096)[:4096].decode("utf-8", "replace").splitlines()[:1] or [""]
    except TrustError as e:
        raise GestureFileError(str(e)) from None
    except OSError as e:
        raise GestureFileError(f"{f}: cannot read ({e.strerror})") from None
    first = first[0]
    if [c.strip() for c in first.split(",")] != TTI_HEADER:
        return [read_wand_csv(f, max_s)]
    named = _vocabulary_files().get(_tti_key(f))
    if named is None:
        say(f"{f}: a tti-csv file that gestures/vocabulary.toml does not name, so its gesture is unknown; "
            "skipped (list it there, or convert it: wand import FILE --gesture NAME)")
        return []
    return read_tti_csv(f, label=named[0], person=named[1])


def _tti_key(f: Path) -> str:
    return f.resolve().as_posix()


def _vocabulary_files() -> dict[str, tuple[str, str]]:
    """Where the vocabulary's tti-csv sources sit on this machine -> (gesture, person). Each
    source is matched by its data set folder and file, wherever that folder is (the shared
    data sets, or the copy under gestures/datasets/)."""
    from .datasets import dataset_roots, load_vocabulary
    out: dict[str, tuple[str, str]] = {}
    for g in load_vocabulary():
        for src in g.sources:
            if src.get("format", "tti-csv") != "tti-csv":
                continue
            for root in dataset_roots():
                path = root / src["dataset"] / src["file"]
                if path.exists():
                    out[_tti_key(path)] = (g.name, src.get("person", ""))
    return out


def hold_still(rec: Recording, seconds: float, before_s: float = 0.0) -> Recording:
    """``rec`` with ``seconds`` of rest appended (and ``before_s`` put before it), for
    recordings cut at the gesture's end (and start) (an evaluation option: nothing is
    written). The rest is the wand held still where the try ended (began): gravity alone
    (1 g along the mean direction of the last (first) 5 accelerometer samples), no rotation
    (gyro 0)."""
    if (seconds <= 0 and before_s <= 0) or not rec.has_gyro:
        return rec

    def rest(acc: np.ndarray, s: float) -> np.ndarray:
        norm = float(np.linalg.norm(acc))
        gravity = acc / norm * 1000.0 if norm > 0 else np.array([0.0, 0.0, 1000.0])
        out = np.zeros((int(round(max(s, 0.0) * rec.rate_hz)), 6), np.int32)
        out[:, :3] = np.round(gravity).astype(np.int32)
        return out
    x = rec.samples
    head = rest(x[:5, :3].astype(np.float64).mean(axis=0), before_s)
    tail = rest(x[-5:, :3].astype(np.float64).mean(axis=0), seconds)
    return dataclasses.replace(rec, samples=np.concatenate([head, x, tail]))


def unframed(recordings: list[Recording], strokes, model_rate_hz: int) -> tuple[int, int]:
    """How many tries have no hold before their first turn, and how many are still turning at
    their last sample: recordings cut at the gesture's start or end, which the wand's intent
    rule (hold, draw, hold) cannot bracket. Rule of ``strokes`` (a StrokeConfigPacket):
    |gx|+|gy|+|gz| under ``rest_dps`` for ``rest_samples`` model-rate samples before the
    first sample over ``start_dps``, and for ``end_samples`` after the last."""
    no_hold = no_end = 0
    for r in recordings:
        if not r.has_gyro:
            continue
        l1 = np.abs(r.samples[:, 3:6].astype(np.int64)).sum(axis=1)
        turning = np.flatnonzero(l1 >= strokes.start_dps * 10)
        if not len(turning):
            continue
        hold = int(np.ceil(strokes.rest_samples / model_rate_hz * r.rate_hz))
        end = int(np.ceil(strokes.end_samples / model_rate_hz * r.rate_hz))
        no_hold += _longest_run(l1[:turning[0]] < strokes.rest_dps * 10) < hold
        no_end += _longest_run(l1[turning[-1] + 1:] < strokes.rest_dps * 10) < end
    return no_hold, no_end


def _longest_run(flags: np.ndarray) -> int:
    best = run = 0
    for f in flags.tolist():
        run = run + 1 if f else 0
        best = max(best, run)
    return best


def unframed_note(drawn: list[Recording], rec: "Installed") -> str | None:
    """One line when drawn tries (characters, drawings) look cut at the drawing's start or
    end: what the wand makes of them, and what to do. (Gestures need no such note: the
    gesture spotter counts a reset as rest, and needs no still end.)"""
    from .protocol import StrokeConfigPacket
    strokes = rec.strokes or StrokeConfigPacket()
    no_hold, no_end = unframed(drawn, strokes, rec.bundle.rate_hz)
    if not (no_hold or no_end):
        return None
    n = len(drawn)
    return (f"{no_hold} of {n} drawn tries start turning with no {strokes.rest_samples / rec.bundle.rate_hz:.1f} s "
            f"hold before and {no_end} end still turning (no {strokes.end_samples / rec.bundle.rate_hz:.1f} s still "
            "at the end): recordings cut at the drawing's start or end, which the wand's hold-draw-hold rule cannot "
            "bracket (no intent, never cut); --hold-still 1 puts rest before and after each try (evaluation only)")


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
        rejected = col.get(UNKNOWN, 0) + col.get(NONE, 0) + col.get(NO_INTENT, 0)
        if label in self.known:
            correct = col.get(label, 0)
            return {"tries": n, "correct": correct, "accuracy": correct / n if n else 0.0, "rejected": rejected,
                    "wrong": n - correct - rejected}
        return {"tries": n, "rejected": rejected, "false_accepts": n - rejected,
                "false_accept_rate": (n - rejected) / n if n else 0.0}

    def causes(self, label: str | None = None) -> dict[str, int]:
        """Rejections by cause for one performed gesture (None: every known gesture)."""
        got = Counter(cause(t, d) for _, _, t, d in self.per_take
                      if t in self.known and (label is None or t == label))
        return {c: got.get(c, 0) for c in CAUSES}

    def accuracy_by(self, key: int) -> dict[str, dict]:
        """Accuracy with 95% Wilson intervals per person (key 1) or gesture (key 2), known gestures only."""
        groups: dict[str, list[bool]] = defaultdict(list)
        for take in self.per_take:
            if take[2] in self.known:
                groups[take[key]].append(take[2] == take[3])
        return {g: proportion(sum(v), len(v)) for g, v in sorted(groups.items())}

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
        return {"protocol": "tries", "summary": self.summary(),
                "per_gesture": {l: self.row(l) | ({"causes": self.causes(l)} if l in self.known else {})
                                for l in self.labels},
                "accuracy_per_person": self.accuracy_by(1), "accuracy_per_gesture": self.accuracy_by(2),
                "rejections": self.causes(),
                "confusion": {"rows": self.labels, "columns": self.decisions, "counts": self.confusion.tolist()},
                "per_take": [dict(zip(("source", "person", "truth", "decision"), t)) for t in self.per_take]}


def decide(rec: Installed, tries: list[Recording]) -> list[str]:
    """Each try's decision: its first event (a gesture try, as the bench scores it); for a
    character (``digit_5`` ...) see ``decide_character``."""
    from .characters import is_character
    out = []
    for t in progress(tries, len(tries), "replaying tries"):
        if is_character(t.label) and rec.replay.strokes is not None:
            out.append(decide_character(rec.replay, t))
            continue
        take = rec.replay.first_take(t)
        d = None if take is None else rec.replay.name(take)
        out.append(NONE if d is None else d.gesture)
    return out


def decide_character(replay, t: Recording) -> str:
    """A drawn character: see ``first_named``, on the try's packets from a fresh event stream."""
    packets = [p for _, p in replay.packets(t.samples, t.rate_hz)]
    return first_named(packets, replay._events(), replay.drew)


def first_named(packets: list[bytes], events, drew: bool) -> str:
    """The first event that names something (an "unknown" from the gesture spotter while
    drawing does nothing; the stroke comes at the drawing's end). Nothing named: "unknown"
    if a stroke was read but nothing active passed the threshold (or no drawing matched);
    "(none)" if a drawing started but no stroke was cut (no rest after it; too short, long
    or small); "(no intent)" if no drawing ever started after a rest (no rest before it)."""
    from .protocol import PKT_STROKE
    stroke_seen = False
    for p in packets:
        stroke_seen = stroke_seen or p[PACKET_TYPE_OFFSET] == PKT_STROKE
        for e in WandReplay.feed(events, p):
            if e.gesture != UNKNOWN:
                return e.gesture
    for e in events.flush():
        if e.gesture != UNKNOWN:
            return e.gesture
    return UNKNOWN if stroke_seen else NONE if drew else NO_INTENT


def eval_tries(rec: Installed, tries: list[Recording]) -> TriesReport:
    decisions = decide(rec, tries)
    labels = sorted({t.label for t in tries}, key=lambda l: (l not in rec.known, l))
    cols = [g for g in rec.model_gestures] + sorted(rec.known - set(rec.model_gestures))
    cols += sorted({d for d in decisions if d not in cols and d not in (UNKNOWN, NONE, NO_INTENT)})
    cols += [UNKNOWN, NONE] + ([NO_INTENT] if NO_INTENT in decisions else [])
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
    rows: list[dict]  # person, gesture, tests, accuracy(_sd), causes, others, false_accept_rate (means over draws)
    skipped: list[str]

    def summary(self) -> dict:
        if not self.rows:
            return {"accuracy": None, "false_accept_rate": None}
        acc = [r["accuracy"] for r in self.rows if r["accuracy"] is not None]
        fa = [r["false_accept_rate"] for r in self.rows if r["false_accept_rate"] is not None]
        people = sorted({r["person"] for r in self.rows})
        return {"accuracy": float(np.mean(acc)) if acc else None,
                "false_accept_rate": float(np.mean(fa)) if fa else None,
                "pairs": len(self.rows), "people": len(people),
                "per_person_accuracy": {p: float(np.mean([r["accuracy"] for r in self.rows if r["person"] == p
                                                          and r["accuracy"] is not None] or [np.nan]))
                                        for p in people},
                "accuracy_per_person": {p: self._pooled([r for r in self.rows if r["person"] == p]) for p in people},
                "accuracy_per_gesture": {g: self._pooled([r for r in self.rows if r["gesture"] == g])
                                         for g in sorted({r["gesture"] for r in self.rows})},
                "rejections": {c: sum(r["causes"][c] for r in self.rows) for c in CAUSES}}

    @staticmethod
    def _pooled(rows: list[dict]) -> dict:
        """Mean accuracy over draws, with its 95% Wilson interval over the distinct test tries."""
        rows = [r for r in rows if r["accuracy"] is not None]
        n = sum(r["tests"] for r in rows)
        return proportion(sum(r["accuracy"] * r["tests"] for r in rows), n)

    def as_dict(self) -> dict:
        return {"protocol": "enrol", "k": self.k, "draws": self.draws, "seed": self.seed, "summary": self.summary(),
                "per_person_gesture": self.rows, "skipped": self.skipped}


def eval_enrol(rec: Installed, tries: list[Recording], k: int, draws: int = 5, seed: int = 0,
               say: Say = print, drawings: bool = False) -> EnrolReport:
    """The few-shot protocol, as ``wand bench fewshot`` runs it: per person, K random tries of
    every gesture of that person are enrolled together, but one gesture is left out in turn
    (each is left out ``draws`` times): its tries are the "other gesture" that must not be
    accepted as an enrolled one; the enrolled gestures' other tries must be named right.
    Templates are cut from the wand the way ``wand enrol`` cuts them; test tries are replayed
    with the IMU stream on and decided with the config's spotting, as the daemon decides them.
    A person with one gesture: it is enrolled alone (no other gesture to test).
    ``drawings``: enrolled as drawings instead (``wand enrol --drawing``: see ``_drawings``)."""
    if k < 1:
        raise WandError(f"--enrol {k}: enrol at least 1 try")
    if drawings:
        new_set, add, decided = _drawings(rec, tries)
    else:
        new_set, add, decided = _gestures(rec, tries)
    by_person: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, t in enumerate(tries):
        by_person[t.person][t.label].append(i)
    rng = np.random.default_rng(seed)
    rows, skipped = [], []
    for person, gestures in sorted(by_person.items()):
        names = sorted(g for g, idx in gestures.items() if len(idx) > k)
        skipped += [f"{person}/{g}: {len(idx)} tries, need more than {k}" for g, idx in sorted(gestures.items())
                    if g not in names]
        rows += _enrol_person(person, {g: gestures[g] for g in names}, k, draws, rng, new_set, add, decided)
    for line in skipped:
        say(f"few-shot: skipped {line}")
    return EnrolReport(k, draws, seed, rows, skipped)


@dataclass
class _Enrolled:
    """One round's enrolments as ``wand enrol`` makes them: gestures, and the drawings it
    falls back to for tries too gentle for the gesture spotter (``stroke_enrol.prefers_drawing``)."""

    gestures_set: object
    drawings: object

    @property
    def gestures(self) -> set[str]:
        return set(self.gestures_set.gestures) | set(self.drawings.gestures)


def _stroke_config(rec: Installed):
    """The config's stroke settings (its intent rule and active set), the spotter on."""
    import dataclasses as dc

    from .protocol import STROKE_FLAG_ENABLED, StrokeConfigPacket
    base = rec.strokes or StrokeConfigPacket(active_mask=0)
    return dc.replace(base, flags=base.flags | STROKE_FLAG_ENABLED)


def _gestures(rec: Installed, tries: list[Recording]):
    """The gestures protocol's parts, as ``wand enrol NAME`` enrols: the segments the wand's
    spotter cuts from the tries; where fewer than half the tries reach the wand as a gesture
    (too gentle for its gate) and more are cut as drawings, a drawing instead. Test tries are
    replayed with the IMU stream on and named by the host; a round with a drawing enrolled
    replays them with the stroke spotter on too (the config's intent rule and active set)."""
    from .enrol import EnrolmentSet, cut_tries
    from .events import EventStream
    from .stroke_enrol import StrokeEnrolment, drawn_stroke, prefers_drawing
    bundle = rec.bundle
    cuts = cut_tries(bundle, tries, rec.replay.spotting)  # what `wand enrol` would take from each try
    replay = WandReplay(bundle, rec.replay.spotting, None, rec.replay.classifier, imu=True)
    takes = [replay.first_take(t) for t in progress(tries, len(tries), "replaying tries")]
    cfg = _stroke_config(rec)
    drawing_replay = WandReplay(bundle, rec.replay.spotting, None, rec.replay.classifier, imu=True, strokes=cfg)
    strokes: dict[int, object] = {}
    played: dict[int, tuple[list[bytes], bool]] = {}

    def stroke(i: int):
        if i not in strokes:
            strokes[i] = drawn_stroke(tries[i], cfg)
        return strokes[i]

    def new_set() -> _Enrolled:
        return _Enrolled(EnrolmentSet(bundle.rate_hz), StrokeEnrolment())

    def add(es: _Enrolled, g: str, chosen: list[int], person: str) -> None:
        segments = [cuts[i].segment for i in chosen if cuts[i].segment is not None]

        def drawn() -> list:
            return [stroke(i).points for i in chosen if stroke(i) is not None]
        if prefers_drawing(len(segments), len(chosen), lambda: len(drawn())):
            es.drawings.enrol(g, drawn(), person=person)  # stroke() keeps each try's cut
            return
        if segments:  # none: no try reached the wand as a new gesture, nothing could be enrolled
            es.gestures_set.enrol(g, segments, person=person)

    def decided(i: int, es: _Enrolled) -> str:
        if not es.drawings.gestures:  # gestures alone: the wand as it was, stroke spotter off
            return NONE if takes[i] is None else replay.name(takes[i], enrolled=es.gestures_set).gesture
        if i not in played:
            t = tries[i]
            played[i] = ([p for _, p in drawing_replay.packets(t.samples, t.rate_hz)], drawing_replay.drew)
        events = EventStream("eval", bundle, es.gestures_set, max_age_ms=None, spotting=rec.replay.spotting,
                             drawings=es.drawings, strokes=cfg)
        return first_named(played[i][0], events, played[i][1])
    return new_set, add, decided


def _drawings(rec: Installed, tries: list[Recording]):
    """The drawings protocol's parts: templates are the strokes ``wand enrol --drawing`` cuts
    (rest added around each try, as it does); each test try is replayed as it is through the
    twin with the stroke spotter on (the config's intent rule and active set) and the IMU
    stream on, and named by the host from the stream (``EventStream`` with the drawings)."""
    from .events import EventStream
    from .stroke_enrol import StrokeEnrolment, drawn_stroke
    cfg = _stroke_config(rec)
    templates = [drawn_stroke(t, cfg) for t in progress(tries, len(tries), "cutting strokes")]
    replay = WandReplay(rec.bundle, rec.replay.spotting, None, rec.replay.classifier, imu=True, strokes=cfg)
    played = []
    for t in progress(tries, len(tries), "replaying tries"):
        played.append(([p for _, p in replay.packets(t.samples, t.rate_hz)], replay.drew))

    def add(es, g: str, chosen: list[int], person: str) -> None:
        strokes = [templates[i].points for i in chosen if templates[i] is not None]
        if strokes:
            es.enrol(g, strokes, person=person)

    def decided(i: int, es) -> str:
        events = EventStream("eval", rec.bundle, None, max_age_ms=None, spotting=rec.replay.spotting, drawings=es,
                             strokes=cfg)
        return first_named(played[i][0], events, played[i][1])
    return StrokeEnrolment, add, decided


def _enrol_person(person: str, gestures: dict[str, list[int]], k: int, draws: int, rng, new_set, add,
                  decided) -> list[dict]:
    names = sorted(gestures)
    rounds = draws * len(names) if len(names) > 1 else draws
    accs: dict[str, list[float]] = defaultdict(list)
    others: dict[str, list[float]] = defaultdict(list)
    causes: dict[str, Counter] = defaultdict(Counter)

    for d in range(rounds):
        left = names[d % len(names)] if len(names) > 1 else None
        es = new_set()
        tests: list[tuple[str, int]] = []
        for g in names:
            if g == left:
                continue
            chosen = set(rng.choice(gestures[g], size=k, replace=False).tolist())
            add(es, g, sorted(chosen), person)
            tests += [(g, i) for i in gestures[g] if i not in chosen]
        got = [(g, cause(g, decided(i, es))) for g, i in tests]
        for g in {g for g, _ in tests}:
            mine = [c for t, c in got if t == g]
            accs[g].append(float(np.mean([c == "correct" for c in mine])))
            causes[g].update(c for c in mine if c != "correct")
        if left is not None:
            others[left].append(float(np.mean([decided(i, es) in es.gestures for i in gestures[left]])))
    return [{"person": person, "gesture": g, "tries": len(gestures[g]), "tests": len(gestures[g]) - k,
             "others": len(gestures[g]) if len(names) > 1 else 0,
             "accuracy": float(np.mean(accs[g])) if accs[g] else None,
             "accuracy_sd": float(np.std(accs[g])) if accs[g] else None,
             "causes": {c: causes[g].get(c, 0) for c in CAUSES},
             "false_accept_rate": float(np.mean(others[g])) if others[g] else None} for g in names]


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
    rows = [[r["person"], r["gesture"], r["tests"],
             "-" if r["accuracy"] is None else f"{pct(r['accuracy'])} ± {100 * r['accuracy_sd']:.1f}",
             pct(r["false_accept_rate"]), ", ".join(f"{c} {n}" for c, n in r["causes"].items() if n)]
            for r in rep.rows]
    s = rep.summary()
    return (table(rows, ["person", "gesture", "tests", "accuracy", "accepted when left out", "rejections (all draws)"])
            + f"\n\n{rep.k} tries enrolled of every gesture but one left out in turn, {rep.draws} draws each "
            f"(seed {rep.seed}): accuracy {pct(s['accuracy'])}, left-out gestures accepted as an enrolled one "
            f"{pct(s['false_accept_rate'])}")


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
        ax.bar(x - 0.2, [100 * (r["accuracy"] or 0) for r in report.rows], 0.4, label="accuracy")
        ax.bar(x + 0.2, [100 * (r["false_accept_rate"] or 0) for r in report.rows], 0.4, label="false accepts")
        ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=7)
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.legend()
        ax.set_title(f"{title}\n{report.k} tries enrolled, {report.draws} draws")
    fig.tight_layout()
    return save_png(fig, path, dpi=110)


def to_json(report, rec: Installed, png: Path | None, hold_still_s: float = 0.0) -> str:
    return json.dumps(report.as_dict() | {"recogniser": rec.describe(), "png": str(png) if png else None,
                                          "hold_still_s": hold_still_s}, indent=2, default=str)
