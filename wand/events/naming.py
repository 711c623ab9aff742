"""Naming: a gesture packet -> the model's class, an enrolled gesture, or "unknown".

Every packet is matched against the enrolled gestures on the IMU segment it occupied
(``imu.py``), when there is one: an enrolled gesture the match accepts wins, also over a
gesture the model named. The model, trained on three gestures, names many foreign ones
as its own (5 of tti-20210623's 10 swipe_down tries are "push_forward"), so the model's
word alone does not decide: its gestures' templates (``wand.enrol.builtin_rivals``)
compete in the match, and an enrolled gesture must beat them by the ratio test. A packet
named as a class without templates needs a tighter match (``fewshot.MODEL_OVERRIDE``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..enrol import EnrolmentSet, Rivals, builtin_rivals
from ..fewshot import MODEL_OVERRIDE
from ..model import ModelBundle
from ..characters import STROKE_LABELS, is_character
from ..protocol import GESTURE_UNKNOWN, GesturePacket, StrokeConfigPacket, StrokePacket

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Name:
    gesture: str
    source: str  # "model", "enrolled", "stroke" or "unknown"
    confidence: float
    runner_ups: tuple[tuple[str, float], ...] = ()  # a stroke's next active characters, best first


class Namer:
    """Names packets for one model and one enrolment set (which may change while running)."""

    def __init__(self, bundle: ModelBundle, enrolled: EnrolmentSet | None = None, rivals: Rivals | None = None,
                 drawings=None) -> None:
        self.bundle, self.enrolled, self._rivals = bundle, enrolled, rivals
        self.drawings = drawings  # stroke_enrol.StrokeEnrolment: your own drawings, matched on stroke packets
        self._knows_you: dict[tuple, bool] = {}  # model_reads_you, per enrolment and active set

    @property
    def rivals(self) -> Rivals:
        """Loaded when first needed (nothing enrolled: never)."""
        if self._rivals is None:
            self._rivals = builtin_rivals(self.bundle)
        return self._rivals

    def unnamed(self, p: GesturePacket) -> bool:
        """The model did not name it (unknown, or a class this model does not have)."""
        return p.gesture_id == GESTURE_UNKNOWN or p.gesture_id >= len(self.bundle.classes) \
            or p.gesture_id == self.bundle.other_class

    def wants_segment(self, p: GesturePacket | StrokePacket) -> bool:
        """Matched on its IMU segment: gesture packets while gestures are enrolled, stroke
        packets while drawings are enrolled."""
        if isinstance(p, StrokePacket):
            return self.drawings is not None and bool(self.drawings.gestures)
        return self.enrolled is not None and bool(self.enrolled.gestures)

    def name_stroke(self, p: StrokePacket, segment: np.ndarray | None, rate_hz: int, config) -> Name:
        """A stroke packet: your own drawing when the stroke the host cuts from the IMU (the
        twin's, from the hold before it to the rest after it) matches one you enrolled; else
        what the wand's model read."""
        read = name_stroke(p)
        if segment is None or not self.wants_segment(p):
            return read
        from ..recordings import Recording
        from ..stroke_enrol import strokes_of
        found = strokes_of(Recording("stroke", segment, rate_hz), config, rate_hz)
        if not found:
            return read
        d = self.drawings.decide(max(found, key=lambda s: s.samples).points)
        if not drawn_wins(read, d.name, self.model_knows_you(config)):
            return read
        return Name(d.name, "enrolled", max(0.0, 1.0 - d.distance / self.drawings.gestures[d.name].radius),
                    read.runner_ups if read.gesture == UNKNOWN else ((read.gesture, read.confidence),))

    def model_knows_you(self, config) -> bool:
        """``model_reads_you`` for the enrolled drawings and ``config``'s active set, once each."""
        config = config or StrokeConfigPacket()
        key = (config.active_mask, config.threshold, config.min_character_mass,
               tuple((n, g.created, len(g.tries)) for n, g in self.drawings.gestures.items()))
        if key not in self._knows_you:
            self._knows_you[key] = model_reads_you(self.drawings, config)
        return self._knows_you[key]

    def name(self, p: GesturePacket, segment: np.ndarray | None = None) -> Name:
        if self.enrolled is not None and segment is not None:
            beaten = self.unnamed(p) or self.bundle.classes[p.gesture_id] in self.rivals.classes
            match = self.enrolled.match(segment, 1.0 if beaten else MODEL_OVERRIDE, self.rivals)
            if match is not None:
                return Name(match.name, "enrolled", max(0.0, 1.0 - match.distance / match.radius))
        if not self.unnamed(p):
            return Name(self.bundle.classes[p.gesture_id], "model", p.confidence / 256)
        return Name(UNKNOWN, "unknown", p.confidence / 256)


def drawn_wins(read: Name, drawn: str | None, model_knows_you: bool = True) -> bool:
    """Your drawing (``drawn``: the one that matched, or None) or the model's reading? A
    custom drawing (a name the model does not know) wins when it matches. Your way of a built-in character fills in where the model
    read nothing: where the model read another active character, the model stays. On REAL
    air-written letters (6DMG validation writers, 3 tries of 25 letters enrolled, one left
    out in turn, 3 seeds; ``training/studies/personal_strokes_study.py``) drawings first gave
    82.7% with 53.6% of the left-out letter taken for an enrolled one, the model alone 85.2%
    with 2.9%, the model first 90.9% with 8.0%; on cuts made without the model (DTW to pen
    templates) 77.1% / 59.6%, 69.6% / 10.8% and 79.6% / 19.3%.

    Unless the model does not know you (``model_knows_you`` False: it misread more than half
    of your enrolled tries of the active characters, ``model_reads_you``): then your drawings
    come first. On those validation writers (DTW cuts) that never happens, and the rule gives
    the model-first figures exactly (95.7%, 4.3% of the left-out letter taken); with every
    letter turned 90 degrees, a SYNTHETIC stand-in for a device held another way, the model
    first reads 39.2% right and this rule 68.6% (``personal_strokes_study --rotate 90``)."""
    if drawn is None:
        return False
    return drawn == read.gesture or not is_character(drawn) or read.gesture == UNKNOWN or not model_knows_you


def model_reads_you(drawings, config) -> bool:
    """Does the wand's stroke model read you? At least half of your enrolled tries of the
    characters ``config`` makes active are read as themselves, by the shipped model with the
    chip's decision (nothing of the kind enrolled: yes). Your tries are the strokes the chip
    cut, so this is what the wand would have sent for them."""
    from ..stroke_model import StrokeInterpreter, load_stroke_model
    from ..wand_core.stroke import decide
    from ..wand_core.stroke_features import stroke_input
    active = {n for i, n in enumerate(STROKE_LABELS) if config.active_mask >> i & 1}
    tries = [(n, t) for n, g in drawings.gestures.items() if n in active for t in g.tries]
    if not tries:
        return True
    model = StrokeInterpreter(load_stroke_model())
    right = 0
    for name, points in tries:
        features = stroke_input(points)
        if features is not None:
            right += _character(decide(model(features).tolist(), config).char_id) == name
    return 2 * right >= len(tries)


def _character(char_id: int) -> str | None:
    return STROKE_LABELS[char_id] if char_id < len(STROKE_LABELS) else None


def name_stroke(p: StrokePacket) -> Name:
    """A character drawn in the air: named by the wand's stroke model (it ranked only the
    profile's active set), with the runner-ups it sent; an id outside the vocabulary
    (0xFF: nothing active passed the threshold) is "unknown"."""
    runner_ups = tuple((c, score / 255) for c, score in
                       ((_character(i), s) for i, s in p.runner_ups) if c is not None)
    name = _character(p.char_id)
    return Name(name or UNKNOWN, "stroke" if name else "unknown", p.confidence / 255, runner_ups)
