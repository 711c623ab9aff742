"""`wand demo`: the whole chain with no hardware."""

from __future__ import annotations

from . import add_model_argument
from ._common import non_negative_int, number, positive_int

HELP = "simulated wand replaying real recordings through the int8 model -> live action log"
ORDER = 10


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("--tries", type=positive_int, default=6, help="tries replayed per gesture (default 6)")
    p.add_argument("--speed", type=number(0, 10_000), default=8.0, help="replay speed, x real time (0: no waiting)")
    p.add_argument("--seed", type=non_negative_int, default=1)


def run(args) -> int:
    from ..demo import run_demo
    result = run_demo(per_gesture=args.tries, speed=args.speed, seed=args.seed, model_path=args.model)
    return 0 if result.rows else 1
