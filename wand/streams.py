"""Continuous streams: real everyday motion with real gesture tries inserted, replayed
through the wand's own pipeline, scored event by event.

How a stream is made (``build_stream``, deterministic for a seed):

* Background: real everyday-motion recordings (sp-sw-har in the board frame; for an
  accelerometer-only recogniser also the TFLM negatives), in a seeded random order, each
  resampled to the stream rate (the wand IMU's rate) and joined end to end.
* Gesture tries: real held-out tries, each used once, inserted at random times (uniform
  over the background, at least ``min_gap_s`` apart), never inside another.
* Rests: before and after each try, a stretch of REAL stillness cut from the background
  recordings (runs where the sensor is still: angular rate under 20 deg/s, or with no
  gyroscope an acceleration within 80 mg of 1 g and steady, for at least 0.3 s), drawn at
  random and chained to the drawn rest length. Never synthetic noise.

Splices are abrupt: where a watch recording meets a wand try the gravity direction jumps
(the sensors were held differently); that is stated, not smoothed over with made-up samples.

Scoring (``score``): a detection matches an inserted try when it comes between the try's
start and ``tolerance_s`` after its end. The first detection in a try's window decides
it (right label: hit; other label: confusion); later ones there are extra. Detections
outside every window are false triggers, counted per hour of non-gesture time (the
stream minus the tries' windows; the hours are reported with the figure). Tries of
gestures the recogniser does not know ("unseen") should get no detection; one that does
is a false accept. "unknown" events (motion the wand could not name) are not triggers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from .plots import save_png
from .protocol import PACKET_TYPE_OFFSET, PKT_GESTURE, PKT_STROKE, ConfigPacket, StrokeConfigPacket
from .recordings import ACC_GYRO, ACC_ONLY, Recording

STILL_GYRO_DDPS = 200  # |gx|+|gy|+|gz| under 20 deg/s: held still
STILL_ACC_MG = 80  # no gyro: |a| within this of 1 g ...
STILL_ACC_STEADY_MG = 40  # ... and moving less than this within the run (std)
STILL_MIN_S = 0.3
UNKNOWN = "unknown"


# --- building ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Insert:
    """Ground truth: one real try placed in the stream."""

    label: str
    start: int  # first sample of the try (stream samples)
    end: int  # one past its last sample
    person: str
    source: str


@dataclass(frozen=True)
class Piece:
    """Provenance of one stretch of the stream."""

    kind: str  # "background", "rest" or "gesture"
    start: int
    end: int
    source: str


@dataclass
class Stream:
    samples: np.ndarray  # (n, 6) or (n, 3) int32, board frame, mg / 0.1 dps
    rate_hz: int
    channels: str
    inserts: list[Insert]
    pieces: list[Piece]
    seed: int
    people: dict[str, list[str]] = field(default_factory=dict)  # "background" / "gesture" -> people

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate_hz

    def seconds(self, kind: str) -> float:
        return sum(p.end - p.start for p in self.pieces if p.kind == kind) / self.rate_hz

    def as_recording(self, label: str = "stream") -> Recording:
        return Recording(label=label, samples=self.samples, rate_hz=self.rate_hz, person="mixed",
                         source=f"stream seed {self.seed}", channels=self.channels)


def resample(rec: Recording, rate_hz: int, channels: str) -> np.ndarray:
    """A recording at ``rate_hz`` (linear interpolation between its real samples) with only
    ``channels`` (dropping a real gyroscope is allowed; adding one never is)."""
    from .wand_core.resampler import resample_block
    x = rec.samples if channels == ACC_GYRO else rec.samples[:, :3]
    if rec.rate_hz == rate_hz:
        return np.asarray(x, np.int32).copy()
    return resample_block(x, rec.rate_hz, rate_hz).astype(np.int32)


def still_runs(samples: np.ndarray, rate_hz: int, min_s: float = STILL_MIN_S) -> list[tuple[int, int]]:
    """(start, end) of the stretches where the sensor is held still, at least ``min_s`` long."""
    if samples.shape[1] == 6:
        still = np.abs(samples[:, 3:]).sum(axis=1) < STILL_GYRO_DDPS
    else:
        mag = np.linalg.norm(samples[:, :3].astype(np.float64), axis=1)
        k = max(3, int(0.2 * rate_hz))
        ker = np.ones(k) / k
        mean = np.convolve(mag, ker, mode="same")
        sd = np.sqrt(np.maximum(np.convolve(mag * mag, ker, mode="same") - mean * mean, 0.0))
        still = (np.abs(mag - 1000.0) < STILL_ACC_MG) & (sd < STILL_ACC_STEADY_MG)
    runs, start = [], None
    for i, s in enumerate(np.append(still, False)):
        if s and start is None:
            start = i
        elif not s and start is not None:
            if i - start >= min_s * rate_hz:
                runs.append((start, i))
            start = None
    return runs


def chain_pieces(pieces: Sequence[np.ndarray], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples chained from randomly drawn real ``pieces`` (the last one cut short)."""
    chunks, have = [], 0
    while have < n:
        s = pieces[rng.integers(len(pieces))]
        chunks.append(s[: n - have])
        have += len(chunks[-1])
    return np.concatenate(chunks)


def _channels(recs: Iterable[Recording]) -> str:
    return ACC_GYRO if all(r.channels == ACC_GYRO for r in recs) else ACC_ONLY


def build_stream(background: Sequence[Recording], tries: Sequence[Recording], rate_hz: int, seed: int = 0,
                 rest_s: tuple[float, float] = (0.6, 2.0), min_gap_s: float = 8.0,
                 channels: str | None = None) -> Stream:
    """Everyday motion with each try inserted once at a random time, between real rests."""
    if not background:
        raise ValueError("a stream needs everyday-motion recordings to put the gestures in")
    channels = channels or _channels(list(background) + list(tries))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(background))
    bg_parts = [(background[i], resample(background[i], rate_hz, channels)) for i in order]
    stills = [x[a:b] for _, x in bg_parts for a, b in still_runs(x, rate_hz)]
    if tries and not stills:
        raise ValueError("no still stretch in the background recordings to make rests from")
    bg = np.concatenate([x for _, x in bg_parts])
    bg_pieces, at = [], 0
    for rec, x in bg_parts:
        bg_pieces.append((at, at + len(x), rec.source))
        at += len(x)
    gap = int(min_gap_s * rate_hz)
    n_tries = len(tries)
    if n_tries and len(bg) < gap * (n_tries + 1):
        raise ValueError(f"{len(bg) / rate_hz / 60:.1f} min of background is too short for {n_tries} tries "
                         f"{min_gap_s:g} s apart")
    # cut points: uniform over the background, spaced by at least `gap` (sorted uniform draws
    # over the slack, then the spacing added back)
    slack = len(bg) - gap * (n_tries + 1)
    cuts = np.sort(rng.integers(0, slack + 1, size=n_tries)) + gap * np.arange(1, n_tries + 1) if n_tries else []
    try_order = rng.permutation(n_tries)
    out: list[np.ndarray] = []
    pieces: list[Piece] = []
    inserts: list[Insert] = []
    pos = 0  # in the stream
    prev = 0  # in the background

    def emit(kind: str, x: np.ndarray, source: str) -> None:
        nonlocal pos
        if len(x):
            out.append(x)
            pieces.append(Piece(kind, pos, pos + len(x), source))
            pos += len(x)

    def emit_background(a: int, b: int) -> None:
        for s, e, src in bg_pieces:
            lo, hi = max(a, s), min(b, e)
            if lo < hi:
                emit("background", bg[lo:hi], src)

    def rest() -> np.ndarray:
        return chain_pieces(stills, int(rng.uniform(*rest_s) * rate_hz), rng)

    for cut, ti in zip(cuts, try_order):
        emit_background(prev, int(cut))
        prev = int(cut)
        emit("rest", rest(), "still stretches of the background")
        rec = tries[ti]
        x = resample(rec, rate_hz, channels)
        inserts.append(Insert(rec.label, pos, pos + len(x), rec.person, rec.source))
        emit("gesture", x, rec.source)
        emit("rest", rest(), "still stretches of the background")
    emit_background(prev, len(bg))
    people = {"background": sorted({r.person for r in background}), "gesture": sorted({r.person for r in tries})}
    return Stream(np.concatenate(out).astype(np.int32), rate_hz, channels, inserts, pieces, seed, people)


# --- the wand's pipeline ------------------------------------------------------------------

@dataclass(frozen=True)
class Detection:
    sample: int  # stream (input) sample after which the wand sent the event
    gesture: str  # model class, enrolled gesture, or "unknown"
    source: str  # "model", "enrolled", "unknown"
    confidence: float


class MemoClassifier:
    """The TFLM classifier with its answers kept: the interpreter is deterministic, so a
    window seen again (another threshold, another replay) gives the same output."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self._memo: dict[bytes, tuple[list[int], tuple[int, ...]]] = {}

    def __call__(self, window: np.ndarray):
        key = np.asarray(window, np.int8).tobytes()
        if key not in self._memo:
            self._memo[key] = self.inner(window)
        return self._memo[key]


class WandReplay:
    """The recogniser ``wand run`` uses: the model through TFLM and the firmware's spotter
    (``WandCore``) with the config's spotting settings, then the host naming events the way
    the daemon does (``EventStream``: model gestures, enrolled gestures, unknown). While
    gestures are enrolled the wand streams its IMU, as the daemon asks it to (``imu``:
    force the stream on or off). ``strokes``: the stroke spotter's settings and active set
    (the config's profile), run beside the gesture spotter with the shipped stroke model;
    None: gestures only."""

    def __init__(self, bundle, spotting: ConfigPacket | None = None, enrolled=None, classifier=None,
                 imu: bool | None = None, strokes: StrokeConfigPacket | None = None) -> None:
        from .wand_core.classifier import TflmClassifier
        self.bundle, self.enrolled = bundle, enrolled
        self.spotting = spotting or ConfigPacket()
        self.classifier = classifier or MemoClassifier(TflmClassifier(bundle))
        self.imu = imu
        self.strokes = strokes if strokes is not None and strokes.enabled else None
        self.drew = False  # the last replay: the stroke spotter saw a drawing start after a rest

    def with_threshold(self, threshold: int) -> "WandReplay":
        return WandReplay(self.bundle, dataclasses.replace(self.spotting, threshold=threshold), self.enrolled,
                          self.classifier, self.imu, self.strokes)

    def streaming(self) -> bool:
        if self.imu is not None:
            return self.imu
        return bool(self.enrolled is not None and self.enrolled.gestures)

    def _core(self, rate_hz: int):
        from .simwand.device import streaming
        from .wand_core.core import CoreSpec, WandCore
        spec = CoreSpec(rate_hz, self.bundle.rate_hz, self.bundle.window, self.bundle.hop, self.bundle.other_class)
        config = streaming(self.spotting) if self.streaming() else self.spotting
        if self.strokes is None:
            return WandCore(spec, self.classifier, config)
        from .simwand.device import shipped_stroke_classifier
        return WandCore(spec, self.classifier, config, stroke_classifier=shipped_stroke_classifier(),
                        stroke_config=self.strokes)

    def _events(self, enrolled=None):
        from .events import EventStream
        return EventStream("eval", self.bundle, enrolled if enrolled is not None else self.enrolled, max_age_ms=None,
                           spotting=self.spotting)

    def packets(self, samples: np.ndarray, rate_hz: int) -> Iterator[tuple[int, bytes]]:
        """Replay one continuous recording from power-on: (input sample index, packet): gesture
        packets, and IMU packets while streaming."""
        if samples.shape[1] != 6:
            raise ValueError("the wand's pipeline needs accelerometer and gyroscope (6 columns)")
        core = self._core(rate_hz)
        from .wand_core.stroke import StrokeState
        self.drew = False
        for i, s in enumerate(np.asarray(samples, np.int64).tolist()):
            for p in core.push(tuple(s)):
                yield i, p
            self.drew = self.drew or core.strokes.state == StrokeState.DRAWING

    @staticmethod
    def feed(events, packet: bytes) -> list:
        """One packet of any kind into an ``EventStream``: the events it gives."""
        if packet[PACKET_TYPE_OFFSET] in (PKT_GESTURE, PKT_STROKE):
            e = events.feed(packet)
            return [] if e is None else [e]
        return events.feed_imu(packet)

    def name(self, packets: bytes | list[bytes], enrolled=None) -> Detection | None:
        """What the daemon makes of a try's packets (``first_take``; or one gesture packet):
        its first event, from a fresh event stream."""
        events = self._events(enrolled)
        got = []
        for p in [packets] if isinstance(packets, (bytes, bytearray)) else packets:
            got += self.feed(events, p)
        got += events.flush()
        return None if not got else Detection(0, got[0].gesture, got[0].source, got[0].confidence)

    def run(self, samples: np.ndarray, rate_hz: int) -> list[Detection]:
        """Every event the host would see while the recording plays."""
        events, out = self._events(), []
        for i, p in self.packets(samples, rate_hz):
            out += [Detection(i, e.gesture, e.source, e.confidence) for e in self.feed(events, p)]
        out += [Detection(len(samples) - 1, e.gesture, e.source, e.confidence) for e in events.flush()]
        return out

    def first_take(self, rec: Recording) -> list[bytes] | None:
        """One try replayed from a fresh start (as ``training.evaluate``): its packets up to its
        first gesture (or stroke) packet (None: the spotter never fired; ``drew`` says whether
        the stroke spotter saw a drawing start after a rest)."""
        out = []
        for _, p in self.packets(rec.samples, rec.rate_hz):
            out.append(p)
            if p[PACKET_TYPE_OFFSET] in (PKT_GESTURE, PKT_STROKE):
                return out
        return None

    def first_packet(self, rec: Recording) -> bytes | None:
        take = self.first_take(rec)
        return None if take is None else take[-1]

    def first_event(self, rec: Recording) -> Detection | None:
        take = self.first_take(rec)
        return None if take is None else self.name(take)


# --- scoring ------------------------------------------------------------------------------

@dataclass
class StreamScore:
    hits: int
    confusions: int
    misses: int
    extra: int  # further detections inside an already-decided try window
    false_triggers: int  # detections outside every try window
    unseen_accepts: int  # tries of gestures the recogniser does not know that got a detection
    known_tries: int
    unseen_tries: int
    detections: int
    non_gesture_hours: float
    background_hours: float
    tolerance_s: float

    @property
    def precision(self) -> float:
        return self.hits / self.detections if self.detections else 0.0

    @property
    def recall(self) -> float:
        return self.hits / self.known_tries if self.known_tries else 0.0

    @property
    def false_triggers_per_hour(self) -> float:
        return self.false_triggers / self.non_gesture_hours if self.non_gesture_hours else 0.0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self) | {"precision": self.precision, "recall": self.recall,
                                           "false_triggers_per_hour": self.false_triggers_per_hour}


def score(stream: Stream, detections: Sequence[Detection], known: set[str], tolerance_s: float = 1.0) -> StreamScore:
    tol = int(tolerance_s * stream.rate_hz)
    named = [d for d in detections if d.gesture != UNKNOWN]
    windows = [(ins.start, ins.end + tol, ins) for ins in stream.inserts]
    decided: dict[int, str] = {}
    hits = confusions = extra = false = unseen_accepts = 0
    for d in named:
        k = next((k for k, (a, b, _) in enumerate(windows) if a <= d.sample < b), None)
        if k is None:
            false += 1
            continue
        ins = windows[k][2]
        if k in decided:
            extra += 1
            continue
        decided[k] = d.gesture
        if ins.label not in known:
            unseen_accepts += 1
        elif d.gesture == ins.label:
            hits += 1
        else:
            confusions += 1
    known_tries = sum(ins.label in known for ins in stream.inserts)
    gesture_samples = sum(min(b, len(stream.samples)) - a for a, b, _ in windows)
    return StreamScore(
        hits=hits, confusions=confusions, misses=known_tries - hits - confusions, extra=extra,
        false_triggers=false, unseen_accepts=unseen_accepts, known_tries=known_tries,
        unseen_tries=len(stream.inserts) - known_tries, detections=len(named),
        non_gesture_hours=(len(stream.samples) - gesture_samples) / stream.rate_hz / 3600.0,
        background_hours=stream.seconds("background") / 3600.0, tolerance_s=tolerance_s)


Recogniser = Callable[[Stream], list[Detection]]


def threshold_curve(replay_at: Callable[[int], Recogniser], stream: Stream, known: set[str],
                    thresholds: Sequence[int], tolerance_s: float = 1.0) -> list[tuple[int, StreamScore]]:
    """Score the stream at each threshold; ``replay_at(t)`` gives the recogniser at threshold t."""
    return [(t, score(stream, replay_at(t)(stream), known, tolerance_s)) for t in thresholds]


def wand_threshold_curve(replay: WandReplay, stream: Stream, known: set[str],
                         thresholds: Sequence[int] = (128, 160, 192, 200, 216, 232, 240, 248, 252, 255),
                         tolerance_s: float = 1.0) -> list[tuple[int, StreamScore]]:
    def at(t: int) -> Recogniser:
        r = replay.with_threshold(t)
        return lambda s: r.run(s.samples, s.rate_hz)
    return threshold_curve(at, stream, known, thresholds, tolerance_s)


def plot_curve(curve: list[tuple[int, StreamScore]], path: Path, title: str) -> Path:
    """Recall (hits / known tries) against false triggers per hour, one point per threshold."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    xs = [s.false_triggers_per_hour for _, s in curve]
    ys = [100 * s.recall for _, s in curve]
    ax.plot(xs, ys, "o-")
    for (t, _), x, y in zip(curve, xs, ys):
        ax.annotate(str(t), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    hours = curve[0][1].non_gesture_hours if curve else 0.0
    ax.set_xlabel(f"false triggers per hour of non-gesture motion ({hours:.2f} h measured)")
    ax.set_ylabel("gesture tries recognised (%)")
    ax.set_ylim(0, 100)
    ax.set_title(title + "\n(labels: confidence threshold, 0-255)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return save_png(fig, path, dpi=110)


# --- the standard streams of the shared data -------------------------------------------------

def standard_stream(rate_hz: int, seed: int = 0, background_part: str = "test", gesture_part: str = "test",
                    with_unseen: bool = False) -> tuple[Stream, set[str]]:
    """The 6-axis stream of the shared data: sp-sw-har people of ``background_part`` as
    everyday motion; the vocabulary's built-in gestures by the tti people of
    ``gesture_part`` inserted (with ``with_unseen``, also the vocabulary's "unseen"
    gestures, which should not trigger; note they are by tti-20210623, a validation
    person). Returns the stream and the gestures the built-in model knows."""
    from .datasets import load_named, load_split, load_vocabulary

    bg = load_split("sp-sw-har").apply(load_named("sp-sw-har"))[background_part]
    tti = load_split("tiny-trainable-instruments")
    vocab = load_vocabulary()
    known = {g.name for g in vocab if g.role == "model"}
    tries = [r for g in vocab if g.role == "model" for r in g.recordings()
             if tti.part_of_person(r.person) == gesture_part]
    if with_unseen:
        tries += [r for g in vocab if g.role == "unseen" for r in g.recordings()]
    return build_stream(bg, tries, rate_hz, seed), known


def tflm_stream(seed: int = 0, part: str = "test", rate_hz: int = 25, min_gap_s: float = 4.0) -> tuple[Stream, set[str]]:
    """The accelerometer-only stream for the TFLM magic_wand recogniser: that data set's
    continuous negatives and the sp-sw-har accelerometer (its gyroscope dropped) of
    ``part`` people as everyday motion, the TFLM gestures (wing, ring, slope) of ``part``
    people inserted, at the example's 25 Hz. 128 test tries need more background than
    there is at 8 s apart: here tries are at least ``min_gap_s`` (4 s) of motion apart."""
    from .datasets import load_named, load_split
    from .datasets.tflm import TFLM_GESTURES

    tflm = load_split("tflm-magic-wand").apply(load_named("tflm-magic-wand"))[part]
    bg = [r for r in tflm if r.meta.get("kind") == "continuous"]
    bg += load_split("sp-sw-har").apply(load_named("sp-sw-har"))[part]
    tries = [r for r in tflm if r.label in TFLM_GESTURES]
    return build_stream(bg, tries, rate_hz, seed, min_gap_s=min_gap_s, channels="acc"), set(TFLM_GESTURES)
