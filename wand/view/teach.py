"""Record and teach from the page: what `wand record` and `wand enrol` do in the terminal.

Tries are cut from the IMU stream the daemon already receives, by `wand record`'s own
``Segmenter`` (the wand's onset rule); each one is shown (its stroke and trace) and waits
for keep or discard, and a kept try is written whole by `wand record`'s writer (never
overwriting, ``.incoming/`` first). Names and people are checked as `wand record` checks
them, so nothing the page sends names a file outside the recordings folder. Enrolling
writes only the daemon's own enrolment file, as `wand enrol` does, and the daemon picks
it up at once.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import WandError
from ..model import ModelBundle
from ..protocol import ConfigPacket, ImuPacket
from ..record import TRY_SECONDS, Segmenter, plot_try
from ..recordings import (Recording, check_gesture_name, check_new_gesture_name, check_person, list_gesture_files,
                          read_wand_csv, replace_file, write_wand_csv)
from .drawing import PYPLOT, stroke_of, trace_of

MAX_PENDING = 20  # tries shown and waiting for keep/discard; older ones are dropped from view first


@dataclass
class Try:
    id: int
    samples: np.ndarray  # (n, 6) int, mg and 0.1 dps
    path: Path | None = None  # set once kept
    verdict: str = ""  # the self-check's word on it, after enrolling

    def view(self, rate_hz: int, name: str) -> dict:
        return {"id": self.id, "name": name, "kept": self.path is not None,
                "file": self.path.name if self.path else "", "stroke": stroke_of(self.samples, rate_hz),
                "trace": trace_of(self.samples), "verdict": self.verdict}


@dataclass
class Teach:
    """One recording session at a time, for one gesture name, from one wand."""

    bundle: ModelBundle
    recordings: Path
    enrolled_path: Path
    say: Callable[[dict], None]  # a message to every page
    config: ConfigPacket = field(default_factory=ConfigPacket)
    name: str = ""
    person: str = ""
    wand: str = ""
    tries: list[Try] = field(default_factory=list)
    _segmenter: Segmenter | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _saving: threading.Lock = field(default_factory=threading.Lock)  # keep runs in worker threads

    @property
    def active(self) -> bool:
        return self._segmenter is not None

    def start(self, name: str, person: str, wand: str) -> dict:
        """Begin recording ``name``; earlier kept tries of it are shown beside the new ones."""
        self.name = check_new_gesture_name(str(name), self.bundle.gesture_names)
        self.person = check_person(str(person))
        self.wand = wand
        self._segmenter = Segmenter(self.config, int(TRY_SECONDS * self.bundle.rate_hz))
        self.tries = [Try(next(self._ids), read_wand_csv(f).samples, f)
                      for f in list_gesture_files(self.recordings).get(self.name, [])]
        return self.state()

    def stop(self) -> dict:
        self._segmenter = None
        self.tries = [t for t in self.tries if t.path is not None]
        return self.state()

    def state(self) -> dict:
        return {"type": "teach", "active": self.active, "name": self.name, "person": self.person, "wand": self.wand,
                "folder": str(self.recordings / self.name) if self.name else str(self.recordings),
                "tries": [t.view(self.bundle.rate_hz, self.name) for t in self.tries]}

    def feed(self, wand: str, packet: ImuPacket) -> None:
        """The wand's IMU: each try it completes is shown, waiting for keep or discard."""
        if self._segmenter is None or (self.wand and wand != self.wand):
            return
        for samples in self._segmenter.feed(packet):
            t = Try(next(self._ids), samples)
            self.tries.append(t)
            pending = [x for x in self.tries if x.path is None]
            if len(pending) > MAX_PENDING:
                self.tries.remove(pending[0])
            self.say({"type": "try", "try": t.view(self.bundle.rate_hz, self.name)})

    def _find(self, try_id: int) -> Try:
        for t in self.tries:
            if t.id == try_id:
                return t
        raise WandError(f"no try {try_id} waiting (discarded, or the session was stopped)")

    def keep(self, try_id: int, board: str = "nano33ble", source: str = "wand") -> dict:
        """Write the try whole, as `wand record` does, and its trace plot beside it."""
        with self._saving:  # two clicks (or pages) keeping the same try write it once
            t = self._find(try_id)
            if t.path is not None:
                return t.view(self.bundle.rate_hz, self.name)
            n = sum(x.path is not None for x in self.tries) + 1
            rec = Recording(self.name, t.samples, self.bundle.rate_hz, self.person,
                            meta={"board": board, "source": source, "try": str(n)})
            t.path = write_wand_csv(rec, self.recordings)
            with PYPLOT:
                png = plot_try(t.samples, self.bundle.rate_hz, f"{self.name}: try {n} ({self.person})")
            replace_file(self.recordings, t.path.with_suffix(".png"), png)
            return t.view(self.bundle.rate_hz, self.name)

    def discard(self, try_id: int) -> None:
        t = self._find(try_id)
        if t.path is not None:
            raise WandError(f"try {try_id} is saved as {t.path.name}; the page does not delete recordings")
        self.tries.remove(t)

    def enrol(self, name: str, tries: int, replace: bool, rivals=None) -> dict:
        """`wand enrol NAME` on the last ``tries`` kept tries; the self-check's verdict per try."""
        from ..characters import is_character
        from ..enrol import builtin_rivals, cut_tries, load
        name = check_gesture_name(str(name))
        if is_character(name):  # as `wand enrol`, never an IMU template under a character's name
            raise WandError(f"{name!r} is a character: your way of drawing it is enrolled as a drawing, with "
                            f"'wand enrol {name}' (it reads the tries kept here)")
        files = list_gesture_files(self.recordings).get(name, [])[-tries:]
        if not files:
            raise WandError(f"no kept tries of {name!r} in {self.recordings}: record and keep some first")
        enrolled = load(self.enrolled_path, self.bundle.rate_hz)
        if name in enrolled.gestures and not replace:
            raise WandError(f"{name!r} is already enrolled in {enrolled.path}; tick 'replace' to enrol it again")
        cuts = cut_tries(self.bundle, [read_wand_csv(f) for f in files])
        used = [(f, c.segment) for f, c in zip(files, cuts) if c.segment is not None]
        if not used:
            raise WandError(f"none of the tries of {name!r} reaches the wand as a new gesture: record it again, "
                            "moving more clearly (or differently from the built-in gestures)")
        g = enrolled.enrol(name, [s for _, s in used], person=self.person or "")
        path = enrolled.save()
        verdicts = enrolled.self_check(name, rivals or builtin_rivals(self.bundle))
        per_file = {f.name: "not used: the wand saw no new gesture in it" for f in files}
        per_file.update({f.name: v for (f, _), v in zip(used, verdicts or ["only one try: nothing to check it against"])})
        for t in self.tries:
            if t.path is not None and t.path.name in per_file:
                t.verdict = per_file[t.path.name]
        ok = sum(v == "recognised" for v in verdicts)
        return {"name": name, "file": str(path), "tries": [{"file": k, "verdict": v} for k, v in per_file.items()],
                "summary": f"enrolled {name!r} from {len(used)} tries (spread {g.scale:.3f}); self-check: {ok} of "
                           f"{len(verdicts)} tries recognised by the other tries"}
