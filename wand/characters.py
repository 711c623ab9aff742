"""The air-writing vocabulary: characters and shapes the stroke model knows (issue 19).

One list, in the stroke model's class order: the model's label file carries the same
names (a test checks), the wand's active-set mask has bit ``i`` for ``STROKE_LABELS[i]``,
and configs name them as ``digit_5``, ``letter_z``, ``shape_circle``. Letters are one
case: a wand cannot tell "o" from "O".
"""

from __future__ import annotations

import re
import string
from difflib import get_close_matches

DIGITS = tuple(f"digit_{d}" for d in string.digits)
LETTERS = tuple(f"letter_{c}" for c in string.ascii_lowercase)
# Shapes drawable in one stroke and told apart by people on a canvas (chosen on Quick,
# Draw! train and validation players: training/studies/vocabulary_study.py).
SHAPES = tuple(f"shape_{s}" for s in ("circle", "hockey_stick", "line", "moon", "mountain", "square", "star",
                                      "triangle"))
STROKE_LABELS: tuple[str, ...] = DIGITS + LETTERS + SHAPES
STROKE_MASK_BITS = 64  # the active set travels as a 64-bit mask
CHARACTER_KINDS = ("digit", "letter", "shape")  # the vocabulary's name spaces


def did_you_mean(name: str, known: tuple[str, ...] | list[str] = STROKE_LABELS) -> str:
    """' (did you mean 'letter_z'?)' for a near miss, else ''."""
    folded = re.sub(r"[\s-]", "_", name.strip().lower())
    if folded in known and folded != name:
        return f" (did you mean {folded!r}?)"
    close = get_close_matches(folded, list(known), n=1, cutoff=0.85)  # typos, not siblings (diagonal_up_left/right)
    return f" (did you mean {close[0]!r}?)" if close else ""


def not_a_character(name: str) -> str | None:
    """Why a name in the vocabulary's name spaces (``digit_``, ``letter_``, ``shape_``) is none
    of its characters (``letter_Z``, ``shape_circel``, ``letter_zz``: they would silently
    never fire), or None: a character, or a name outside those spaces."""
    kind = re.split(r"[_\s-]", name.lower(), maxsplit=1)[0]
    if name in STROKE_LABELS or kind not in CHARACTER_KINDS:
        return None
    return (f"{name!r} is not a character the wand reads{did_you_mean(name)}; characters: digit_0..digit_9, "
            f"letter_a..letter_z, {', '.join(n for n in STROKE_LABELS if n.startswith('shape_'))}")


def is_character(name: str) -> bool:
    return name in _INDEX


def index(name: str) -> int:
    """The class index (and mask bit) of a vocabulary name; KeyError for others."""
    return _INDEX[name]


def text_of(name: str) -> str | None:
    """What a character types: ``digit_5`` -> "5", ``letter_z`` -> "z"; None for shapes."""
    kind, _, value = name.partition("_")
    return value if kind in ("digit", "letter") and name in _INDEX else None


def mask_of(names) -> int:
    """The wand's active-set mask for these vocabulary names (others ignored)."""
    mask = 0
    for n in names:
        if n in _INDEX:
            mask |= 1 << _INDEX[n]
    return mask


_INDEX = {name: i for i, name in enumerate(STROKE_LABELS)}
assert len(STROKE_LABELS) <= STROKE_MASK_BITS
# The stroke model may end with one class more: everyday motion, "not a character". No
# mask bit names it (no profile can listen for it); the chip reads a stroke only when the
# characters' probability, all but it, reaches StrokeConfigPacket.min_character_mass.
STROKE_OTHER = "other"
STROKE_MODEL_LABELS = (STROKE_LABELS, STROKE_LABELS + (STROKE_OTHER,))  # the label lists a model may have
# Class indices of each group, in model order: what "digits only" (etc.) listens for.
DIGIT_INDICES = [_INDEX[n] for n in DIGITS]
LETTER_INDICES = [_INDEX[n] for n in LETTERS]
SHAPE_INDICES = [_INDEX[n] for n in SHAPES]
