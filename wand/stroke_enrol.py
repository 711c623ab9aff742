"""Your own hand: enrolled drawings, matched inside the intent bracket (issue 19 item 5).

``wand enrol letter_z`` personalises a built-in character and ``wand enrol --drawing
NAME`` enrols a drawing of your own. Each try is replayed through the firmware's twin
(``wand_core.stroke``: rest, draw, rest), and the stroke it cuts (where the wand pointed,
projected as the wand does) is the template. At run time the wand's stroke packet is
matched against them on the stroke the host cuts from the IMU stream the same way:
1-NN DTW on the size- and position-free shape (``strokes.normalise_points``) with the
few-shot rule of ``fewshot.py`` (distance over the tries' own spread, within the radius,
clearly nearer than the second gesture). Inside the bracket, matching no longer has to
reject everyday motion (nothing reaches it without a hold, a drawing and a hold), so the
radius could open; measured on validation tries (``training/studies/stroke_enrol_study.py``,
3 tries, each gesture left out in turn, 5 seeds, 1 s of rest added around each try):
tti-data (30 tries) 79 / 88 / 92 / 92 / 94 / 95% accuracy at radius 0.75 / 1 / 1.25 / 1.5 /
2 / 2.5 with 0 / 0 / 0 / 0 / 12 / 36% of the left-out gesture accepted; nano33-spells
validation part (25) 59 / 64 / 64 / 64 / 64 / 64% with 9 / 15 / 19 / 23 / 46 / 54%. Opening
past 1.25 buys almost no accuracy and many other gestures, so ``DEFAULT_STROKE_RADIUS`` is
1.25 (least summed shortfall from >= 95% and <= 1% other). A match must also be drawn within
``SIZE_FACTOR`` of its tries' size (chosen with the radius on the same tries; the test person's
left-out gestures accepted 56.7% -> 9.3% at 76.2 -> 73.3% accuracy).

Your way of a built-in character (``wand enrol letter_z``) fills in where the wand's model
read nothing; where it read another active character, the model stays
(``events.naming.drawn_wins``): on real air-written letters drawings-first lost to the model
alone (82.7% vs 85.2%, 54% vs 3% of a left-out letter taken), model-first won (90.9%, 8%).

The templates live in their own file beside the IMU enrolments
(``enrolled-strokes.json``), so an older ``enrolled.json`` is read as it always was and
nothing recorded is overwritten. Like ssh, a file others may write is refused.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from . import fewshot
from .errors import GestureFileError, WandError
from .protocol import StrokeConfigPacket
from .recordings import Recording, check_gesture_name

FORMAT = "wand-enrolled-strokes/1"
# distance / the tries' spread: chosen on validation tries (see the module docstring); the
# IMU enrolments' 1.25 had to reject everyday motion too.
DEFAULT_STROKE_RADIUS = 1.25
MAX_RADIUS = 100.0
# A match must also be drawn about as large as the drawing's own tries: the stroke's larger side
# within this factor of their median (0: no such check). DTW compares unit-size shapes, so a small
# wobble of a swipe, which turns the wand a few degrees, matched a 40-degree diagonal's shape.
# Chosen on validation tries with the radius (training/studies/stroke_enrol_study.py, 3 tries, 5
# seeds, radius 1.25): factor off / 2.5 / 2 / 1.75 / 1.5: tti-data 92.4 / 92.4 / 92.4 / 90.0 /
# 86.2%, nano33-spells 63.5% all, other gestures accepted 0 / 0 / 0 / 0 / 0% and 19.2 / 19.2 /
# 18.4 / 17.6 / 16.8%: 2 has the least summed shortfall from >= 95% and <= 1% other.
SIZE_FACTOR = 2.0
# The nearest drawing must be at most this fraction of the distance to the next nearest
# (fewshot.decide's ratio test); the IMU few-shot's 0.9 before it was chosen for drawings.
# On validation (training/studies/stroke_enrol_study.py --size-factors 2 --ratios ..., the
# same people, tries and seeds as the radius; training/results/stroke_enrol/validation-ratios.*),
# at radius 1.25, ratio 0.4 / 0.5 / 0.6 / 0.7 / 0.8 / 0.9: tti-data 92.4% and 0% other
# throughout; nano33-spells 52.0 / 59.5 / 61.0 / 63.5 / 63.5 / 63.5% with 0 / 0 / 4.8 / 7.2 /
# 9.6 / 18.4% of other gestures accepted: 0.5 (with radius 1.25 still) has the least summed
# shortfall from >= 95% with <= 1% other (0.381; 0.9: 0.515).
STROKE_MAX_RATIO = 0.5
PAD_S = 1.0  # rest held before and after a recorded try that starts or stops at the drawing


@dataclass
class EnrolledDrawing:
    name: str
    tries: list[list[list[int]]]  # per try: the stroke's points (1/65536 units, x right, y up)
    scale: float = 0.0  # fewshot.spread_scales over every enrolled drawing
    radius: float = DEFAULT_STROKE_RADIUS
    created: str = ""
    person: str = ""


def shape(points: Sequence[Sequence[int]]) -> np.ndarray | None:
    """What DTW compares: the stroke resampled by arc length, centred, unit size."""
    from .strokes import normalise_points
    p = normalise_points(np.asarray(points, np.float64))
    return None if p is None else np.ascontiguousarray(p)


@dataclass
class StrokeEnrolment:
    gestures: dict[str, EnrolledDrawing] = field(default_factory=dict)
    path: Path | None = None
    max_ratio: float = STROKE_MAX_RATIO  # the study varies it; never saved

    def enrol(self, name: str, strokes: Sequence[Sequence[Sequence[int]]], person: str = "",
              radius: float | None = None) -> EnrolledDrawing:
        check_gesture_name(name)
        tries = [[list(map(int, p)) for p in s] for s in strokes if s is not None and shape(s) is not None]
        if not tries:
            raise GestureFileError(f"no drawn strokes to enrol {name!r} with")
        radius = DEFAULT_STROKE_RADIUS if radius is None else float(radius)
        if not 0.0 < radius <= MAX_RADIUS:
            raise GestureFileError(f"radius {radius}: a multiple of the tries' spread, above 0 and at most {MAX_RADIUS:g}")
        g = EnrolledDrawing(name, tries, 0.0, radius, datetime.now(timezone.utc).isoformat(timespec="seconds"), person)
        self.gestures[name] = g
        self._rescale()
        return g

    def _templates(self) -> tuple[list[np.ndarray], list[str]]:
        feats, owner = [], []
        for n, g in self.gestures.items():
            for t in g.tries:
                feats.append(shape(t))
                owner.append(n)
        return feats, owner

    def _rescale(self) -> None:
        feats, owner = self._templates()
        for n, s in fewshot.spread_scales(fewshot.pairwise(feats, feats), owner).items():
            self.gestures[n].scale = s

    def decide(self, points: Sequence[Sequence[int]] | None, size_factor: float = SIZE_FACTOR) -> fewshot.Decision:
        """The nearest drawing by shape (``fewshot.decide``), accepted only if drawn within
        ``size_factor`` of the size of its tries (0: any size)."""
        q = None if points is None else shape(points)
        if q is None or not self.gestures:
            return fewshot.Decision(None, float("inf"), float("inf"), False)
        feats, owner = self._templates()
        d = fewshot.pairwise([q], feats)[0]
        raw = {g: float(min(d[i] for i in range(len(owner)) if owner[i] == g)) for g in self.gestures}
        dec = fewshot.decide(raw, {n: g.scale for n, g in self.gestures.items()},
                             {n: g.radius for n, g in self.gestures.items()}, self.max_ratio)
        if dec.accepted and size_factor and not _size_alike(points, self.gestures[dec.nearest].tries, size_factor):
            return dataclasses.replace(dec, accepted=False)
        return dec

    def match(self, points: Sequence[Sequence[int]] | None, size_factor: float = SIZE_FACTOR) -> str | None:
        return self.decide(points, size_factor).name

    def save(self, path: str | Path | None = None) -> Path:
        from .enrol import write_json
        path = Path(path or self.path or stroke_enrolled_file())
        data = {"format": FORMAT, "gestures": {n: vars(g) for n, g in sorted(self.gestures.items())}}
        self.path = write_json(path, data)
        return path


def _size_alike(points: Sequence[Sequence[int]], tries: list, factor: float) -> bool:
    """The stroke's larger side within ``factor`` of the median of the tries' (both > 0)."""
    from .strokes import extent
    mine = extent(np.asarray(points, np.float64))
    theirs = float(np.median([extent(np.asarray(t, np.float64)) for t in tries]))
    return mine > 0 and theirs > 0 and theirs / factor <= mine <= theirs * factor


def stroke_enrolled_file() -> Path:
    from .paths import enrolled_file
    return enrolled_file().with_name("enrolled-strokes.json")


def load_strokes(path: str | Path | None = None) -> StrokeEnrolment:
    """The enrolled drawings; an empty set if there is no file yet."""
    from .trust import check_private
    path = Path(path) if path else stroke_enrolled_file()
    if not path.exists():
        return StrokeEnrolment(path=path)
    try:
        check_private(path)
        data = json.loads(path.read_text())
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, this version reads {FORMAT!r}")
        gestures = {n: EnrolledDrawing(**g) for n, g in data["gestures"].items()}
        for n, g in gestures.items():
            _check(n, g)
    except json.JSONDecodeError as e:
        raise GestureFileError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    except (WandError, KeyError, TypeError, ValueError, AttributeError, OSError, RecursionError) as e:
        what = "nested too deeply" if isinstance(e, RecursionError) else str(e).rstrip(".")
        raise GestureFileError(f"{path}: not an enrolled-drawings file ({what}); move it away and enrol again") from None
    return StrokeEnrolment(gestures, path)


POINT_LIMIT = 1 << 31  # a stroke point's coordinates (1/65536 units) are int32 on the chip


def _number(v) -> bool:
    return isinstance(v, float) and math.isfinite(v) or type(v) is int and abs(v) < 1 << 64  # isfinite(10**400) overflows


def _check(name: str, g: EnrolledDrawing) -> None:
    """One enrolled drawing as it was written, or the reason it is not (the caller names the file)."""
    check_gesture_name(g.name)
    if name != g.name:
        raise ValueError(f"drawing {name!r} is named {g.name!r} inside")
    if not (_number(g.radius) and 0 < g.radius <= MAX_RADIUS):
        raise ValueError(f"drawing {g.name!r}: radius {g.radius!r:.40} is not a number above 0 and at most {MAX_RADIUS:g}")
    if not (_number(g.scale) and 1e-9 < g.scale < 1e9):
        raise ValueError(f"drawing {g.name!r}: scale {g.scale!r:.40} is not a number between 1e-9 and 1e9")
    for f in ("created", "person"):  # the daemon keys a cache on them: a list there failed on every drawing
        if not isinstance(getattr(g, f), str):
            raise ValueError(f"drawing {g.name!r}: {f} must be text")
    if not (isinstance(g.tries, list) and g.tries):
        raise ValueError(f"drawing {g.name!r} has no tries")
    for k, t in enumerate(g.tries, start=1):
        if not (isinstance(t, list) and len(t) >= 2 and all(
                isinstance(p, list) and len(p) == 2 and all(type(v) is int and -POINT_LIMIT < v < POINT_LIMIT for v in p)
                for p in t)):
            raise ValueError(f"drawing {g.name!r}, try {k}: not a list of 2 or more [x, y] integer points")
        if shape(t) is None:
            raise ValueError(f"drawing {g.name!r}, try {k}: its points do not move (a stroke of no length)")


# --- cutting strokes the way the wand does ------------------------------------------------------

def padded(rec: Recording, seconds: float = PAD_S) -> Recording:
    """A try with ``seconds`` of rest before and after it (gravity where it starts and ends,
    no rotation): recordings that start at the motion trigger or stop at the drawing's end."""
    from .eval import hold_still
    return hold_still(rec, seconds, before_s=seconds)


def strokes_of(rec: Recording, config: StrokeConfigPacket | None = None, model_rate_hz: int = 50,
               dropped: list | None = None) -> list:
    """Every stroke the firmware's twin cuts from a recording (``wand_core.stroke.Stroke``:
    its points and int8 input), as the wand would with ``config``'s intent rule, from power-on.
    ``dropped``: gets the ``Outcome`` of each bracket the spotter ended without a stroke."""
    from .wand_core.gyro_bias import GyroBias
    from .wand_core.resampler import Resampler
    from .wand_core.stroke import StrokeSpotter, StrokeState
    res = Resampler(rec.rate_hz, model_rate_hz)
    spotter = StrokeSpotter(config or StrokeConfigPacket(), model_rate_hz)
    bias = GyroBias()  # the chip's offset tracker, from power-on
    out, n = [], 0
    for raw in np.asarray(rec.samples, np.int64).tolist():
        for s in res.push(tuple(raw)):
            bias.update(s)
            before = spotter.state
            stroke = spotter.on_sample(bias.correct(s), n * 1000 // model_rate_hz)
            n += 1
            if stroke is not None:
                out.append(stroke)
            elif dropped is not None and before == StrokeState.DRAWING and spotter.state != StrokeState.DRAWING:
                dropped.append(spotter.outcome)
    return out


def prefers_drawing(gesture_cuts: int, tries: int, drawing_cuts: Callable[[], int]) -> bool:
    """``wand enrol NAME`` (and ``wand eval --enrol``) enrol a drawing instead of a gesture when
    fewer than half the tries reach the wand as a gesture (too gentle for its 200 deg/s gate: a
    letter written slowly in the air) and more of them are drawings cut between two rests
    (which start at 40 deg/s). ``drawing_cuts`` counts those, asked only when needed (it
    replays the tries)."""
    return 2 * gesture_cuts < tries and drawing_cuts() > gesture_cuts


def drawn_stroke(rec: Recording, config: StrokeConfigPacket | None = None, pad_s: float = PAD_S,
                 dropped: list | None = None):
    """The longest stroke of a try held still before and after (None: no drawing was cut;
    ``dropped`` gets why the spotter ended a drawing without a stroke)."""
    found = strokes_of(padded(rec, pad_s) if pad_s else rec, config, dropped=dropped)
    return max(found, key=lambda s: s.samples) if found else None
