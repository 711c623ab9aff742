"""`wand demo`: the whole chain with no hardware."""

from __future__ import annotations

import argparse

from . import add_model_argument
from ._common import positive_int
from .run import add_view_arguments

HELP = "simulated wand replaying real recordings through the int8 model -> live action log"
ORDER = 10


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("--tries", type=positive_int, default=6, help="tries replayed per gesture (default 6)")
    p.add_argument("--speed", type=_speed, help="replay speed, x real time (0: no waiting; default 8, 1 with --view)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--view", action="store_true", help="watch it on the live page (see 'wand view'); stays up until Ctrl+C")
    add_view_arguments(p, flag=False)
    p.add_argument("--config", default="tv",
                   help="an example (tv, music, presentation, home) or a config file (default: tv); continuous "
                        "controls are traced live and saved as a PNG")
    p.add_argument("--trace", help="where the controls' PNG goes (default runs/demo-<config>-control.png)")


def run(args) -> int:
    from ..demo import run_demo
    from pathlib import Path

    from .run import view_options
    speed = args.speed if args.speed is not None else (1.0 if args.view else 8.0)
    result = run_demo(per_gesture=args.tries, speed=speed, seed=args.seed, model_path=args.model,
                      view=view_options(args), config_name=args.config,
                      trace_png=Path(args.trace) if args.trace else None)
    return 0 if result.rows else 1


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 (no waiting) or more, got {text}")
    return value
