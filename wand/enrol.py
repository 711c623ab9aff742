"""Few-shot enrolment: new gestures recognised on the host by DTW on the wand's IMU.

A few recorded tries of a new gesture are enough: no retraining, no reflashing. Each try
is replayed through the simulated wand (the firmware's twin) with the IMU stream on, and
the host cuts the segment the wand's spotter occupied exactly as it does at run time
(``events/imu.py``): those segments are the gesture's templates. While gestures are
enrolled the daemon turns the wand's IMU stream on; a gesture packet the model does not
name is cut from the stream and matched (``fewshot.py``: 1-NN DTW, rejected unless near
enough for that gesture's own spread, and clearly nearer than the second gesture).

The file holds the templates (integer samples, mg and 0.1 deg/s, at the model rate) and
each gesture's scale and rejection radius; templates are IMU, so a new model does not
invalidate them. A file from the older embedding-based enrolment loads as an empty set
with one warning, and enrolling again keeps it beside the new one
(``enrolled-<crc>.json``): nothing recorded is lost. Like ssh, a file that other users
may write is refused.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

from . import fewshot
from .errors import GestureFileError, WandError
from .paths import enrolled_file
from .recordings import Recording, check_gesture_name
from .trust import check_private

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
        self._feats = None
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

    def decide(self, segment: np.ndarray | None, factor: float = 1.0) -> fewshot.Decision:
        """The nearest gesture and whether it is accepted (``fewshot.decide``)."""
        if segment is None or len(segment) < 2 or not self.gestures:
            return fewshot.Decision(None, float("inf"), float("inf"), False)
        feats, owner = self._features()
        d = fewshot.pairwise([fewshot.features(segment)], feats)[0]
        raw: dict[str, float] = {}
        for n, v in zip(owner, d):
            raw[n] = min(raw.get(n, np.inf), float(v))
        return fewshot.decide(raw, {n: g.scale for n, g in self.gestures.items()},
                              {n: g.radius for n, g in self.gestures.items()}, self.max_ratio, factor)

    def match(self, segment: np.ndarray | None, factor: float = 1.0) -> Match | None:
        """The enrolled gesture this segment is, or None (rejected, or nothing enrolled)."""
        dec = self.decide(segment, factor)
        if not dec.accepted or dec.nearest is None:
            return None
        return Match(dec.nearest, dec.distance, self.gestures[dec.nearest].radius)

    def save(self, path: str | Path | None = None) -> Path:
        path = Path(path or self.path or enrolled_file())
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.old_format is not None and path.exists():  # the older enrolment: kept beside, never overwritten
            os.replace(path, _free_name(path, f"{self.old_format:08x}"))
            self.old_format = None
        data = {"format": FORMAT, "rate_hz": self.rate_hz,
                "gestures": {n: vars(g) for n, g in sorted(self.gestures.items())}}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".enrolled-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, separators=(",", ":"))
            f.write("\n")
        os.replace(tmp, path)  # whole file or the old one: never half-written
        self.path = path
        return path


def _free_name(path: Path, tag: str) -> Path:
    """``enrolled-<tag>.json``, or ``enrolled-<tag>-2.json``... if that exists already."""
    aside = path.with_name(f"{path.stem}-{tag}{path.suffix}")
    n = 2
    while aside.exists():
        aside = path.with_name(f"{path.stem}-{tag}-{n}{path.suffix}")
        n += 1
    return aside


def load(path: str | Path | None, rate_hz: int) -> EnrolmentSet:
    """The enrolment file (templates at ``rate_hz``, the model rate); an empty set if there is none yet."""
    path = Path(path or enrolled_file())
    if not path.exists():
        return EnrolmentSet(rate_hz, path=path)
    try:
        check_private(path)
    except WandError as e:
        raise GestureFileError(str(e)) from None
    try:
        data = json.loads(path.read_text())
        if "model_crc32" in data and "format" not in data:
            crc = int(data["model_crc32"], 16)
            log.warning("%s: enrolled by an older version (model embeddings), so not used: re-enrol with "
                        "'wand enrol NAME --replace' (your recordings are kept, and so is this file)", path)
            return EnrolmentSet(rate_hz, path=path, old_format=crc)
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, this version reads {FORMAT!r}")
        file_rate = int(data["rate_hz"])
        gestures = {n: EnrolledGesture(**g) for n, g in data.get("gestures", {}).items()}
        for g in gestures.values():
            _check_gesture(g)
    except json.JSONDecodeError as e:
        raise GestureFileError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    except (KeyError, TypeError, ValueError, AttributeError, OSError) as e:
        raise GestureFileError(f"{path}: not an enrolment file ({e})") from None
    if file_rate != rate_hz:  # a model at another rate: the templates follow it
        from .wand_core.resampler import resample_block
        for g in gestures.values():
            g.tries = [resample_block(np.asarray(t), file_rate, rate_hz).tolist() for t in g.tries]
    return EnrolmentSet(rate_hz, gestures, path)


def _check_gesture(g: EnrolledGesture) -> None:
    """Shapes and types, so a hand-edited file fails here and not on every event."""
    check_gesture_name(g.name)
    ok = (isinstance(g.radius, (int, float)) and 0 < g.radius <= MAX_RADIUS
          and isinstance(g.scale, (int, float)) and g.scale > 0 and g.tries
          and all(isinstance(t, list) and len(t) >= 2 and all(
              isinstance(s, list) and len(s) == 6 and all(type(v) is int for v in s) for s in t) for t in g.tries))
    if not ok:
        raise ValueError(f"gesture {g.name!r}: tries must be lists of samples of 6 integers, "
                         f"scale above 0 and radius in 0..{MAX_RADIUS:g}")


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
