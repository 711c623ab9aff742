"""Declared train / validation / test splits, one file per data set: ``gestures/splits/<name>.toml``.

A split assigns people (never single tries of one person: that would measure memory,
not generalisation) to parts. Three ways, named by ``by`` in the file:

* ``person``: explicit ``train`` / ``validation`` / ``test`` lists of person ids;
* ``person-hash``: for data sets where every item is a different person (Quick, Draw!):
  a person goes to a part by a stable hash of the id (``fractions``), so the split is
  fixed without listing hundreds of anonymous ids;
* ``try``: one-person data sets (``single_person = true``): per label, the tries in
  recording order are cut by ``fractions``. Such a split CANNOT measure how a recogniser
  does on new people, and says so.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence, TypeVar

from ..errors import GestureFileError
from ..trust import TrustError, read_regular
from ..paths import GESTURES_DIR

SPLITS_DIR = GESTURES_DIR / "splits"
PARTS = ("train", "validation", "test")
T = TypeVar("T")


@dataclass
class Split:
    dataset: str
    by: str  # "person", "person-hash" or "try"
    people: dict[str, list[str]] = field(default_factory=dict)  # part -> person ids ("person")
    fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
    single_person: bool = False
    why: str = ""
    path: Path | None = None

    def part_of_person(self, person: str) -> str | None:
        if self.by == "person-hash":
            h = int.from_bytes(hashlib.sha256(person.encode()).digest()[:8], "big") / 2**64
            return PARTS[0] if h < self.fractions[0] else PARTS[1] if h < sum(self.fractions[:2]) else PARTS[2]
        for part, ids in self.people.items():
            if person in ids:
                return part
        return None

    def apply(self, items: Sequence[T]) -> dict[str, list[T]]:
        """Items (Recording or Stroke: anything with ``person`` and ``label``) -> part -> items.

        An item whose person the split does not name is an error: a split must cover its data."""
        out: dict[str, list[T]] = {p: [] for p in PARTS}
        if self.by == "try":
            by_label: dict[str, list[T]] = defaultdict(list)
            for it in items:
                by_label[it.label].append(it)
            for tries in by_label.values():
                n = len(tries)
                a = round(n * self.fractions[0])
                b = a + round(n * self.fractions[1])
                out["train"] += tries[:a]
                out["validation"] += tries[a:b]
                out["test"] += tries[b:]
            return out
        for it in items:
            part = self.part_of_person(it.person)
            if part is None:
                raise GestureFileError(f"{self.path}: person {it.person!r} of {self.dataset} is in no part of the split")
            out[part].append(it)
        return out


def split_path(name: str) -> Path:
    return SPLITS_DIR / f"{name}.toml"


def load_split(name: str, path: str | Path | None = None) -> Split:
    """The declared split of data set ``name`` (``gestures/splits/<name>.toml``)."""
    path = Path(path) if path else split_path(name)
    try:
        data = tomllib.loads(read_regular(path).decode("utf-8"))
    except TrustError as e:  # a FIFO or a folder: refused, never waited on
        raise GestureFileError(str(e)) from None
    except OSError as e:
        raise GestureFileError(f"{path}: cannot read ({e.strerror}); splits exist for: "
                               f"{', '.join(sorted(p.stem for p in SPLITS_DIR.glob('*.toml')))}") from None
    except UnicodeDecodeError as e:
        raise GestureFileError(f"{path}: not UTF-8 text (byte {e.start}): save it as UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise GestureFileError(f"{path}: {e}") from None
    by = data.get("by", "person")
    if by not in ("person", "person-hash", "try"):
        raise GestureFileError(f"{path}: by = {by!r}; use person, person-hash or try")
    fractions = data.get("fractions", (0.6, 0.2, 0.2))
    if (not isinstance(fractions, (list, tuple)) or len(fractions) != 3
            or not all(isinstance(f, (int, float)) and not isinstance(f, bool) and 0 <= f <= 1 for f in fractions)
            or abs(sum(fractions) - 1.0) > 1e-6):  # 0 <= f <= 1 is also False for nan
        raise GestureFileError(f"{path}: fractions must be three numbers from 0 to 1 that sum to 1 "
                               f"(e.g. [0.6, 0.2, 0.2]), got {fractions!r}"[:300])
    fractions = tuple(float(f) for f in fractions)
    for p in PARTS if by == "person" else ():
        ids = data.get(p, [])
        if not isinstance(ids, list) or not all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in ids):
            raise GestureFileError(f"{path}: {p} must be a list of person ids (e.g. [\"s01\", \"s02\"]), "
                                   f"got {ids!r}"[:300])
    people = {p: [str(x) for x in data.get(p, [])] for p in PARTS} if by == "person" else {}
    seen: dict[str, str] = {}
    for part, ids in people.items():
        for pid in ids:
            if pid in seen:
                raise GestureFileError(f"{path}: {pid!r} is in both {seen[pid]} and {part}")
            seen[pid] = part
    single = data.get("single_person", False)
    if not isinstance(single, bool):
        raise GestureFileError(f"{path}: single_person must be true or false, got {single!r}"[:300])
    if single != (by == "try"):
        raise GestureFileError(f"{path}: single_person = true goes with by = \"try\" (and only then)")
    return Split(dataset=str(data.get("dataset", name)), by=by, people=people, fractions=fractions,
                 single_person=single, why=str(data.get("why", "")), path=path)
