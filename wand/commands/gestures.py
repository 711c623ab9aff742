"""`wand gestures`: what the wand knows."""

from __future__ import annotations

from . import add_model_argument
from ._common import load_bundle, load_enrolled

HELP = "list the gestures the wand knows: built-in, enrolled and recorded"
ORDER = 60


def add_arguments(p) -> None:
    add_model_argument(p)


def run(args) -> int:
    from ..datasets import user_recordings
    bundle = load_bundle(args)
    enrolled = load_enrolled(bundle, None)
    print("built into the model: " + ", ".join(bundle.gesture_names))
    print("enrolled (few-shot): " + (", ".join(sorted(enrolled.gestures)) or "none"))
    rec = user_recordings()
    print("recorded: " + (", ".join(f"{n} ({len(v)})" for n, v in rec.items()) or "none"))
    return 0
