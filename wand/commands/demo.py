"""`wand demo`: the whole chain with no hardware."""

from __future__ import annotations

import argparse

from . import add_model_argument
from ._common import non_negative_int, positive_int

HELP = "simulated wand replaying real recordings through the int8 model -> live action log"
ORDER = 10


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("--tries", type=positive_int, default=6, help="tries replayed per gesture (default 6)")
    p.add_argument("--speed", type=_speed, default=8.0, help="replay speed, x real time (0: no waiting)")
    p.add_argument("--seed", type=non_negative_int, default=1)


def run(args) -> int:
    from ..demo import run_demo
    result = run_demo(per_gesture=args.tries, speed=args.speed, seed=args.seed, model_path=args.model)
    return 0 if result.rows else 1


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 (no waiting) or more, got {text}")
    return value
