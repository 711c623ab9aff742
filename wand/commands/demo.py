"""`wand demo`: the whole chain with no hardware."""

from __future__ import annotations

from . import add_model_argument
from ._common import non_negative_int, number, positive_int
from .run import add_view_arguments

HELP = "simulated wand replaying real recordings through the int8 model -> live action log"
ORDER = 10


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("--tries", type=positive_int, default=6, help="tries replayed per gesture (default 6)")
    p.add_argument("--speed", type=number(0, 10_000), help="replay speed, x real time (0: no waiting; default 8, 1 with --view)")
    p.add_argument("--seed", type=non_negative_int, default=1)
    p.add_argument("--view", action="store_true", help="watch it on the live page (see 'wand view'); stays up until Ctrl+C")
    add_view_arguments(p, flag=False)


def run(args) -> int:
    from ..demo import run_demo
    from .run import view_options
    speed = args.speed if args.speed is not None else (1.0 if args.view else 8.0)
    result = run_demo(per_gesture=args.tries, speed=speed, seed=args.seed, model_path=args.model,
                      view=view_options(args))
    return 0 if result.rows else 1
