"""`wand demo`: the whole chain with no hardware."""

from __future__ import annotations

from . import add_model_argument

HELP = "simulated wand replaying real recordings through the int8 model -> live action log"
ORDER = 10


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("--tries", type=int, default=6, help="tries replayed per gesture (default 6)")
    p.add_argument("--speed", type=float, default=8.0, help="replay speed, x real time (0: no waiting)")
    p.add_argument("--seed", type=int, default=1)


def run(args) -> int:
    from ..demo import run_demo
    result = run_demo(per_gesture=args.tries, speed=args.speed, seed=args.seed, model_path=args.model)
    return 0 if result.rows else 1
