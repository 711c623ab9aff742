"""Few-shot enrolment: new gestures recognised by nearest neighbours on the embedding.

The wand sends an 8-value embedding with every gesture packet, including motions its
own model does not know. Three tries of a new gesture are enough to recognise it on the
host: no retraining, no reflashing. Each enrolled gesture has a rejection distance, so
motion that is near nothing enrolled stays unrecognised.

Embeddings belong to one model: the file records the model's CRC. A file made for
another model (after ``wand train --install`` or ``--model``) loads as an empty set with a
warning, and enrolling again keeps the old file beside it (``enrolled-<crc>.json``).
Like ssh, a file that other users may write is refused.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .errors import GestureFileError, WandError
from .paths import enrolled_file
from .recordings import check_gesture_name
from .trust import check_private

log = logging.getLogger("wand.enrol")

# Cosine distance on mean-centred embeddings. Chosen with `wand bench fewshot` on the
# data set's gestures the model never saw: 0.2 keeps 3-try accuracy (~79%) while a
# larger radius let more unenrolled motion match; a smaller one lost 1-try accuracy.
DEFAULT_RADIUS = 0.2
RADIUS_SPREAD = 1.0  # radius = max(DEFAULT_RADIUS, RADIUS_SPREAD x the examples' own spread)


def distance(a: np.ndarray, b: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Cosine distance between rows of ``a`` and vector ``b``, both centred on ``centre``."""
    a = np.atleast_2d(np.asarray(a, np.float64)) - centre
    b = np.asarray(b, np.float64) - centre
    denom = np.linalg.norm(a, axis=1) * np.linalg.norm(b) + 1e-9
    return 1.0 - (a @ b) / denom


@dataclass
class EnrolledGesture:
    name: str
    examples: list[list[int]]
    radius: float
    created: str = ""
    person: str = ""


@dataclass
class Match:
    name: str
    distance: float
    radius: float


@dataclass
class EnrolmentSet:
    model_crc32: int
    centre: list[float]  # the model's mean embedding (from its metadata)
    gestures: dict[str, EnrolledGesture] = field(default_factory=dict)
    path: Path | None = None
    other_model: int | None = None  # the file at ``path`` holds another model's enrolment

    def _centre(self) -> np.ndarray:
        return np.asarray(self.centre, np.float64)

    def enrol(self, name: str, examples: list[tuple[int, ...]], person: str = "",
              radius: float | None = None) -> EnrolledGesture:
        """Add (or replace) a gesture; ``radius`` overrides the rejection distance."""
        check_gesture_name(name)
        if not examples:
            raise GestureFileError(f"no examples to enrol {name!r} with")
        ex = np.array(examples, np.float64)
        spread = 0.0
        if len(ex) > 1:
            spread = max(float(distance(ex, e, self._centre()).max()) for e in ex)
        if radius is None:
            radius = max(DEFAULT_RADIUS, RADIUS_SPREAD * spread)
        g = EnrolledGesture(name, [list(map(int, e)) for e in examples], radius,
                            datetime.now(timezone.utc).isoformat(timespec="seconds"), person)
        self.gestures[name] = g
        return g

    def match(self, embedding: tuple[int, ...]) -> Match | None:
        """The nearest enrolled gesture within its rejection distance, if any."""
        if not self.gestures or len(embedding) != len(self.centre):
            return None  # another model's embedding: nothing here to compare it with
        best: Match | None = None
        for g in self.gestures.values():
            d = float(distance(np.array(g.examples), np.array(embedding), self._centre()).min())
            if d <= g.radius and (best is None or d < best.distance):
                best = Match(g.name, d, g.radius)
        return best

    def save(self, path: str | Path | None = None) -> Path:
        path = Path(path or self.path or enrolled_file())
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.other_model is not None and path.exists():  # keep the other model's enrolment
            aside = path.with_name(f"{path.stem}-{self.other_model:08x}{path.suffix}")
            if not aside.exists():
                os.replace(path, aside)
            self.other_model = None
        data = {"model_crc32": f"{self.model_crc32:08x}", "centre": self.centre,
                "gestures": {n: vars(g) for n, g in sorted(self.gestures.items())}}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".enrolled-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)  # whole file or the old one: never half-written
        self.path = path
        return path


def load(path: str | Path | None, model_crc32: int, centre: list[float]) -> EnrolmentSet:
    """The enrolment file for this model; an empty set if there is none yet."""
    path = Path(path or enrolled_file())
    if not path.exists():
        return EnrolmentSet(model_crc32, list(centre), path=path)
    try:
        check_private(path)
    except WandError as e:
        raise GestureFileError(str(e)) from None
    try:
        data = json.loads(path.read_text())
        crc = int(data["model_crc32"], 16)
        gestures = {n: EnrolledGesture(**g) for n, g in data.get("gestures", {}).items()}
        centre = list(data.get("centre", centre))
        for g in gestures.values():
            _check_gesture(g, len(centre))
    except json.JSONDecodeError as e:
        raise GestureFileError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    except (KeyError, TypeError, ValueError, AttributeError, OSError) as e:
        raise GestureFileError(f"{path}: not an enrolment file ({e})") from None
    if crc != model_crc32:
        log.warning("%s: enrolled for another model (%08x, this one is %08x), so not used: re-enrol with "
                    "'wand enrol NAME --replace'", path, crc, model_crc32)
        return EnrolmentSet(model_crc32, list(centre), path=path, other_model=crc)
    return EnrolmentSet(crc, centre, gestures, path)


def _check_gesture(g: EnrolledGesture, dims: int) -> None:
    """Shapes and types, so a hand-edited file fails here and not on every event."""
    ok = isinstance(g.radius, (int, float)) and 0 < g.radius < 2 and g.examples and all(
        isinstance(e, list) and len(e) == dims and all(type(v) is int for v in e) for e in g.examples)
    if not ok:
        raise ValueError(f"gesture {g.name!r}: examples must be lists of {dims} integers and radius in 0..2")
