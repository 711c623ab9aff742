"""Few-shot enrolment: new gestures recognised on the host by DTW on the wand's IMU.

A few recorded tries of a new gesture are enough: no retraining, no reflashing. Each try
is replayed through the simulated wand (the firmware's twin) with the IMU stream on, and
the host cuts the segment the wand's spotter occupied exactly as it does at run time
(``events/imu.py``): those segments are the gesture's templates. While gestures are
enrolled the daemon turns the wand's IMU stream on; a gesture packet the model does not
name is cut from the stream and matched (``fewshot.py``: 1-NN DTW, rejected unless near
enough for that gesture's own spread, and clearly nearer than the second gesture and than
every template of the model's own gestures).

Those rival templates ship as an asset (``wand/assets/builtin_templates.json``): the
built-in gestures' recordings (gestures/vocabulary.toml role "model", in the repository)
cut by this same replay, so the daemon needs no recordings; ``cut_builtin_templates``
makes it and a test checks the shipped file is what it makes today.

The file holds the templates (integer samples, mg and 0.1 deg/s, at the model rate) and
each gesture's scale and rejection radius; templates are IMU, so a new model does not
invalidate them. A file from the older embedding-based enrolment loads as an empty set
with one warning, and enrolling again keeps it beside the new one
(``enrolled-<crc>.json``): nothing recorded is lost. Like ssh, a file that other users
may write is refused.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import math
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

from . import fewshot
from .errors import GestureFileError, printable
from .paths import BUILTIN_TEMPLATES_FILE, enrolled_file
from .recordings import INT16_MAX, INT16_MIN, RATE_MAX_HZ, RATE_MIN_HZ, Recording, check_gesture_name
from .trust import TrustError, read_trusted

log = logging.getLogger("wand.enrol")

FORMAT = "wand-enrolled-dtw-imu/1"
# Rejection radius: distance / the gesture's scale (the spread of its enrolment tries, see
# fewshot.py), so 1.0 = "as far as the tries are from each other". Chosen on validation data
# only (nano33-spells: enrol from train-part tries, test validation-part tries; sp-sw-har
# train people's everyday motion), through the simulated wand; see fewshot.DEFAULT_RADIUS.
DEFAULT_RADIUS = fewshot.DEFAULT_RADIUS
MAX_RADIUS = 100.0


@dataclass
class EnrolledGesture:
    name: str
    tries: list[list[list[int]]]  # per try: samples x (ax ay az mg, gx gy gz 0.1 dps)
    scale: float  # DTW distance unit for this gesture (fewshot.spread_scales)
    radius: float  # accepted up to radius x scale
    created: str = ""
    person: str = ""


@dataclass(frozen=True)
class Match:
    name: str
    distance: float  # DTW distance / the gesture's scale
    radius: float


@dataclass
class EnrolmentSet:
    rate_hz: int  # the templates' sample rate: the model rate they were cut at
    gestures: dict[str, EnrolledGesture] = field(default_factory=dict)
    path: Path | None = None
    old_format: int | None = None  # the file at ``path`` is an older (embedding) enrolment, for this model CRC
    max_ratio: float = fewshot.MAX_RATIO
    _feats: tuple[list[np.ndarray], list[str]] | None = field(default=None, repr=False)
    _stroke_feats: list[np.ndarray] | None = field(default=None, repr=False)

    def enrol(self, name: str, segments: Sequence[np.ndarray], person: str = "",
              radius: float | None = None) -> EnrolledGesture:
        """Add (or replace) a gesture from its tries' segments; ``radius`` overrides the default."""
        check_gesture_name(name)
        segs = [np.asarray(s, np.int64) for s in segments if s is not None and len(s) >= 2]
        if not segs:
            raise GestureFileError(f"no tries to enrol {name!r} with")
        radius = DEFAULT_RADIUS if radius is None else radius
        if not 0.0 < radius <= MAX_RADIUS:
            raise GestureFileError(f"radius {radius}: a multiple of the tries' spread, above 0 and at most {MAX_RADIUS:g}")
        g = EnrolledGesture(name, [s.tolist() for s in segs], 0.0, float(radius),
                            datetime.now(timezone.utc).isoformat(timespec="seconds"), person)
        self.gestures[name] = g
        self._rescale()
        return g

    def remove(self, name: str) -> None:
        self.gestures.pop(name)
        self._rescale()

    def _rescale(self) -> None:
        """Scales depend on every enrolled gesture (the floor is the nearest other gesture)."""
        self._feats = self._stroke_feats = None
        feats, owner = self._features()
        scales = fewshot.spread_scales(fewshot.pairwise(feats, feats), owner)
        for n, g in self.gestures.items():
            g.scale = scales[n]

    def _features(self) -> tuple[list[np.ndarray], list[str]]:
        if self._feats is None:
            feats, owner = [], []
            for n, g in self.gestures.items():
                for t in g.tries:
                    feats.append(fewshot.features(np.asarray(t)))
                    owner.append(n)
            self._feats = (feats, owner)
        return self._feats

    def decide(self, segment: np.ndarray | None, factor: float = 1.0, rivals: Rivals | None = None,
               shape: bool = fewshot.SHAPE_CHECK) -> fewshot.Decision:
        """The nearest gesture and whether it is accepted (``fewshot.decide``, then the stroke
        check unless ``shape`` is False); ``rivals``: the built-in gestures' templates it must beat."""
        if segment is None or len(segment) < 2 or not self.gestures:
            return fewshot.Decision(None, float("inf"), float("inf"), False)
        rivals = rivals or Rivals((), self.rate_hz)
        feats, owner = self._features()
        d = fewshot.pairwise([fewshot.features(segment)], feats + rivals.feats)[0]
        raw: dict[str, float] = {}
        for n, v in zip(owner, d):
            raw[n] = min(raw.get(n, np.inf), float(v))
        rival = float(d[len(feats):].min()) if rivals.templates else float("inf")
        dec = fewshot.decide(raw, {n: g.scale for n, g in self.gestures.items()},
                             {n: g.radius for n, g in self.gestures.items()}, self.max_ratio, factor, rival)
        if dec.accepted and shape:
            drawn = fewshot.stroke_nearest(fewshot.stroke_features(segment, self.rate_hz),
                                           self._strokes() + rivals.strokes, owner + [""] * len(rivals.templates))
            if drawn != dec.nearest:
                return dataclasses.replace(dec, accepted=False)
        return dec

    def _strokes(self) -> list[np.ndarray]:
        if self._stroke_feats is None:
            self._stroke_feats = [fewshot.stroke_features(np.asarray(t), self.rate_hz)
                                  for g in self.gestures.values() for t in g.tries]
        return self._stroke_feats

    def match(self, segment: np.ndarray | None, factor: float = 1.0, rivals: Rivals | None = None) -> Match | None:
        """The enrolled gesture this segment is, or None (rejected, or nothing enrolled)."""
        dec = self.decide(segment, factor, rivals)
        if not dec.accepted or dec.nearest is None:
            return None
        return Match(dec.nearest, dec.distance, self.gestures[dec.nearest].radius)

    def self_check(self, name: str, rivals: Rivals | None = None) -> list[str]:
        """Each of ``name``'s tries judged by the others (leave one out, everything else as
        enrolled): "recognised", or why not, so ``wand enrol`` can say what to change."""
        g = self.gestures[name]
        rivals = rivals or Rivals((), self.rate_hz)
        if len(g.tries) < 2:
            return []
        out = []
        for i, t in enumerate(g.tries):
            others = EnrolmentSet(self.rate_hz, {n: o for n, o in self.gestures.items() if n != name},
                                  max_ratio=self.max_ratio)
            others.gestures[name] = dataclasses.replace(g, tries=g.tries[:i] + g.tries[i + 1:])
            others._rescale()
            out.append(others._why(name, np.asarray(t), rivals))
        return out

    def _why(self, name: str, segment: np.ndarray, rivals: Rivals) -> str:
        dec = self.decide(segment, rivals=rivals, shape=False)
        if dec.nearest != name:
            return f"nearer your {dec.nearest!r}"
        if dec.distance > self.gestures[name].radius:
            return "too unlike the other tries"
        if dec.ratio > self.max_ratio:  # name the runner-up: another of yours, or a built-in
            feats, owner = self._features()
            d = fewshot.pairwise([fewshot.features(segment)], feats + rivals.feats)[0]
            names = [f"your {n!r}" for n in owner] + [f"the built-in {r.gesture!r}" for r in rivals.templates]
            runner_up = min((v, n) for v, n, o in zip(d, names, owner + [""] * len(rivals.templates)) if o != name)
            return f"too like {runner_up[1]}"
        if not self.decide(segment, rivals=rivals).accepted:  # the stroke check: say what it is drawn like
            owner = [n for n, g in self.gestures.items() for _ in g.tries]
            like = fewshot.stroke_nearest(fewshot.stroke_features(segment, self.rate_hz),
                                          self._strokes() + rivals.strokes,
                                          [f"your {n!r}" for n in owner]
                                          + [f"the built-in {r.gesture!r}" for r in rivals.templates])
            return f"drawn more like {like}"
        return "recognised"

    def save(self, path: str | Path | None = None) -> Path:
        path = Path(path or self.path or enrolled_file())
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.old_format is not None and path.exists():  # the older enrolment: kept beside, never overwritten
            os.replace(path, _free_name(path, f"{self.old_format:08x}"))
            self.old_format = None
        data = {"format": FORMAT, "rate_hz": self.rate_hz,
                "gestures": {n: vars(g) for n, g in sorted(self.gestures.items())}}
        self.path = write_json(path, data)
        return path


def write_json(path: Path, data: dict) -> Path:
    """Whole file or the old one, never half-written (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    os.replace(tmp, path)
    return path


def _free_name(path: Path, tag: str) -> Path:
    """``enrolled-<tag>.json``, or ``enrolled-<tag>-2.json``... if that exists already."""
    aside = path.with_name(f"{path.stem}-{tag}{path.suffix}")
    n = 2
    while aside.exists():
        aside = path.with_name(f"{path.stem}-{tag}-{n}{path.suffix}")
        n += 1
    return aside


def load(path: str | Path | None, rate_hz: int, built_in: Sequence[str] = ()) -> EnrolmentSet:
    """The enrolment file (templates at ``rate_hz``, the model rate); an empty set if there is none yet.

    Everything in it is checked here (types, ranges, names), so a hand-edited file is one
    ``GestureFileError`` line and never an error on every event; a gesture named like one
    of ``built_in`` (the model's classes) is left out with one warning saying what to do."""
    path = Path(path or enrolled_file())
    try:
        raw = read_trusted(path)
    except FileNotFoundError:
        return EnrolmentSet(rate_hz, path=path)
    except TrustError as e:
        raise GestureFileError(str(e)) from None
    except OSError as e:
        raise GestureFileError(f"{path}: cannot read ({e.strerror})") from None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("the file is not a JSON object")
        if "model_crc32" in data and "format" not in data:
            crc = int(data["model_crc32"], 16) & 0xFFFFFFFF
            log.warning("%s: enrolled by an older version (model embeddings), so not used: re-enrol with "
                        "'wand enrol NAME --replace' (your recordings are kept, and so is this file)", path)
            return EnrolmentSet(rate_hz, path=path, old_format=crc)
        if data.get("format") != FORMAT:
            raise ValueError(f"format {printable(data.get('format'))}, this version reads {FORMAT!r}")
        file_rate = data.get("rate_hz")
        if type(file_rate) is not int or not RATE_MIN_HZ <= file_rate <= RATE_MAX_HZ:
            raise ValueError(f"rate_hz {printable(file_rate)}: a whole number of samples per second, "
                             f"{RATE_MIN_HZ}..{RATE_MAX_HZ}")
        if not isinstance(data.get("gestures", {}), dict):
            raise ValueError("'gestures' must be an object of gesture name -> gesture")
        gestures = {n: _parse_gesture(n, g) for n, g in data.get("gestures", {}).items()}
        if file_rate != rate_hz:  # a model at another rate: the templates follow it
            from .wand_core.resampler import resample_block
            for g in gestures.values():
                g.tries = [resample_block(np.asarray(t), file_rate, rate_hz).tolist() for t in g.tries]
                if min(map(len, g.tries)) < 2:
                    raise ValueError(f"gesture {g.name!r}: a try too short to match at {rate_hz} Hz")
    except RecursionError:
        raise GestureFileError(f"{path}: not an enrolment file (nested too deeply)") from None
    except json.JSONDecodeError as e:
        raise GestureFileError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as e:
        raise GestureFileError(f"{path}: not an enrolment file ({printable(e)}); enrol again with "
                               "'wand enrol NAME --replace' after moving it away") from None
    for n in [n for n in gestures if n in built_in]:
        del gestures[n]
        _warn_once(path, n, f"{path}: enrolled gesture {n!r} has the name of a gesture built into the model, so it "
                            f"is not used: re-enrol it under another name ('wand enrol my_{n}') and remove it "
                            f"from this file")
    return EnrolmentSet(rate_hz, gestures, path)


_warned: set[tuple[str, str]] = set()


def _warn_once(path: Path, key: str, text: str) -> None:
    if (str(path), key) not in _warned:
        _warned.add((str(path), key))
        log.warning("%s", text)


MAX_TRIES, MAX_TRY_SAMPLES = 100, 5000  # far above what enrolment writes; bounds a hand-made file's cost


def _parse_gesture(key: str, g: object) -> EnrolledGesture:
    """One gesture of the file, every field checked, so a hand-edited file fails here and
    not on every event; names are gesture names (no escape codes reach a terminal)."""
    if not isinstance(g, dict):
        raise ValueError(f"gesture {printable(key)} must be an object")
    fields = {f.name for f in dataclasses.fields(EnrolledGesture)}
    unknown = sorted(set(g) - fields)
    if unknown or not {"name", "tries", "scale", "radius"} <= set(g):
        raise ValueError(f"gesture {printable(key)}: fields must be {', '.join(sorted(fields))}")
    if not isinstance(g["name"], str) or g["name"] != key:
        raise ValueError(f"gesture {printable(key)}: its 'name' must be its key")
    try:
        check_gesture_name(key)
    except GestureFileError as e:
        raise ValueError(str(e)) from None
    for f in ("created", "person"):
        if not isinstance(g.get(f, ""), str):
            raise ValueError(f"gesture {key!r}: {f} must be text")
    for f, top in (("scale", math.inf), ("radius", MAX_RADIUS)):
        v = g[f]
        if type(v) not in (int, float) or not (0 < v <= top and math.isfinite(v)):
            raise ValueError(f"gesture {key!r}: {f} must be a finite number above 0" + (
                f" and at most {top:g}" if math.isfinite(top) else ""))
    tries = g["tries"]
    ok = (isinstance(tries, list) and 0 < len(tries) <= MAX_TRIES
          and all(isinstance(t, list) and 2 <= len(t) <= MAX_TRY_SAMPLES and all(
              isinstance(s, list) and len(s) == 6 and all(type(v) is int and INT16_MIN <= v <= INT16_MAX for v in s)
              for s in t) for t in tries))
    if not ok:
        raise ValueError(f"gesture {key!r}: tries must be 1-{MAX_TRIES} lists of 2-{MAX_TRY_SAMPLES} samples of "
                         f"6 integers in {INT16_MIN}..{INT16_MAX}")
    return EnrolledGesture(key, tries, float(g["scale"]), float(g["radius"]), printable(g.get("created", "")),
                           printable(g.get("person", "")))


# --- templates from recorded tries ---------------------------------------------------------
@dataclass(frozen=True)
class TryCut:
    """What the host gets from one recorded try replayed through the simulated wand."""

    gesture_id: int | None  # its first gesture packet's class (None: the spotter never fired)
    segment: np.ndarray | None  # the IMU cut for it (None: samples lost, or no packet)


def cut_tries(bundle, tries: Sequence[Recording], spotting=None) -> list[TryCut]:
    """Each try replayed from a fresh start with the IMU stream on, through the host's own
    event stream (``EventStream``: ring, cut): the segment it would match at run time."""
    from .events import EventStream
    from .protocol import PACKET_TYPE_OFFSET, PKT_GESTURE, GesturePacket
    from .simwand.device import SimulatedWand, streaming

    out: dict[int, TryCut] = {}
    pending: dict[int, GesturePacket] = {}
    stream = EventStream("enrol", bundle, None, max_age_ms=None, spotting=spotting)
    for e in SimulatedWand(bundle, list(tries), name="replay", config=streaming(spotting)).replay():
        if e.packet[PACKET_TYPE_OFFSET] != PKT_GESTURE:
            stream.feed_imu(e.packet)
        elif e.take not in out:
            p = GesturePacket.decode(e.packet)
            out[e.take] = TryCut(p.gesture_id, None)
            pending[e.take] = p
        done = [t for t, p in pending.items() if stream.ring.covers(stream._last_sample(p))]
        for t in done:  # a named packet's cut ends a few samples after it: the stream brings them
            out[t] = TryCut(out[t].gesture_id, stream.cut(pending.pop(t)))
    for t, p in pending.items():  # the try ended first: cut with what there is
        out[t] = TryCut(out[t].gesture_id, stream.cut(p))
    return [out.get(i, TryCut(None, None)) for i in range(len(tries))]


# --- the model's own gestures as rivals ----------------------------------------------------
BUILTIN_FORMAT = "wand-builtin-templates/1"


@dataclass(frozen=True)
class Rival:
    gesture: str  # a class of the model
    person: str  # who recorded the try (the bench keeps a person's tries off their own templates)
    samples: np.ndarray  # (n, 6) int, mg and 0.1 dps, at the model rate


@dataclass(frozen=True)
class Rivals:
    """Built-in gesture templates an enrolled gesture must beat; ``classes``: the model's
    classes they cover (a packet the model named as another class still needs
    ``fewshot.MODEL_OVERRIDE``)."""

    templates: tuple[Rival, ...] = ()
    rate_hz: int = 50  # the templates' rate (the model's)

    @property
    def classes(self) -> set[str]:
        return {r.gesture for r in self.templates}

    @functools.cached_property
    def feats(self) -> list[np.ndarray]:
        return [fewshot.features(r.samples) for r in self.templates]

    @functools.cached_property
    def strokes(self) -> list[np.ndarray]:
        return [fewshot.stroke_features(r.samples, self.rate_hz) for r in self.templates]

    def without(self, person: str) -> "Rivals":
        return Rivals(tuple(r for r in self.templates if r.person != person), self.rate_hz)


def cut_builtin_templates(bundle, vocabulary=None) -> Rivals:
    """The model's gestures' recorded tries (vocabulary role "model"), each cut as an enrolled
    try is (``cut_tries``); tries the replay cannot cut are left out."""
    from .datasets import load_vocabulary
    out = []
    for g in vocabulary if vocabulary is not None else load_vocabulary():
        if g.role != "model" or g.name not in bundle.classes:
            continue
        recs = g.recordings()
        out += [Rival(g.name, r.person, c.segment) for r, c in zip(recs, cut_tries(bundle, recs)) if c.segment is not None]
    return Rivals(tuple(out), bundle.rate_hz)


def write_builtin_templates(rivals: Rivals, rate_hz: int, path: str | Path = BUILTIN_TEMPLATES_FILE) -> Path:
    path = Path(path)
    lines = [json.dumps({"gesture": r.gesture, "person": r.person, "samples": r.samples.tolist()},
                        separators=(",", ":")) for r in rivals.templates]
    path.write_text(f'{{"format":"{BUILTIN_FORMAT}","rate_hz":{rate_hz},"templates":[\n' + ",\n".join(lines) + "\n]}\n")
    return path


def builtin_rivals(bundle, path: str | Path = BUILTIN_TEMPLATES_FILE) -> Rivals:
    """The shipped rival templates of this model's classes, at its rate; none (with a warning)
    if the asset is missing or unreadable: then model-named packets need ``MODEL_OVERRIDE``."""
    return _load_rivals(str(path), bundle.rate_hz, tuple(bundle.classes))


@functools.lru_cache(maxsize=4)
def _load_rivals(path: str, rate_hz: int, classes: tuple[str, ...]) -> Rivals:
    try:
        data = json.loads(Path(path).read_text())
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("format") != BUILTIN_FORMAT:
            raise ValueError(f"format {data.get('format')!r}, this version reads {BUILTIN_FORMAT!r}")
        file_rate = data["rate_hz"]
        if type(file_rate) is not int or not RATE_MIN_HZ <= file_rate <= RATE_MAX_HZ:
            raise ValueError(f"rate_hz {file_rate!r:.40}: a whole number {RATE_MIN_HZ}..{RATE_MAX_HZ}")
        out = []
        for t in data["templates"]:
            x = np.asarray(t["samples"], np.int64).reshape(-1, 6)
            if len(x) < 2 or x.min() < INT16_MIN or x.max() > INT16_MAX:
                raise ValueError(f"template of {t['gesture']!r:.40}: samples must be 2 or more rows of 6 integers "
                                 f"in {INT16_MIN}..{INT16_MAX}")
            if file_rate != rate_hz:
                from .wand_core.resampler import resample_block
                x = np.asarray(resample_block(x, file_rate, rate_hz), np.int64)
            if t["gesture"] in classes:
                out.append(Rival(t["gesture"], str(t.get("person", "")), x))
    except (OSError, ValueError, KeyError, TypeError, OverflowError, RecursionError) as e:
        e = "nested too deeply" if isinstance(e, RecursionError) else printable(e)
        log.warning("%s: built-in gesture templates not usable (%s): enrolled gestures are told from the model's "
                    "only by a tighter match; reinstall wand", path, e)
        return Rivals((), rate_hz)
    return Rivals(tuple(out), rate_hz)
