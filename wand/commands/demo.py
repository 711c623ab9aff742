"""`wand demo`: the whole chain with no hardware."""

from __future__ import annotations

from . import add_model_argument
from ._common import given, non_negative_int, number, positive_int
from .run import add_view_arguments

HELP = "simulated wand replaying real recordings through the int8 model -> live action log"
ORDER = 10


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("--tries", type=positive_int, default=6, help="tries replayed per gesture (default 6)")
    p.add_argument("--speed", type=number(0, 10_000), help="replay speed, x real time (0: no waiting; default 8, 1 with --view)")
    p.add_argument("--seed", type=non_negative_int, default=1)
    p.add_argument("--draw", type=number(0, 100, integer=True), default=1,
                   help="SYNTHETIC air-drawn tries of each character the profile maps (default 1; 0: none; at most 100)")
    p.add_argument("--view", action="store_true", help="watch it on the live page (see 'wand view'); stays up until Ctrl+C")
    add_view_arguments(p, flag=False)
    p.add_argument("--config", default="tv",
                   help="an example (tv, music, presentation, home) or a config file (default: tv); continuous "
                        "controls are traced live and saved as a PNG")
    p.add_argument("--trace", type=given, help="where the controls' PNG goes (default runs/demo-<config>-control.png)")
    p.add_argument("--hid", action="store_true",
                   help="stand-alone mode: the wand as a Bluetooth keyboard / TV remote; a simulated TV bonds and "
                        "prints the HID reports a pushed profile makes (bumble, no hardware)")


def run(args) -> int:
    from pathlib import Path

    if args.hid:
        from ..hid_demo import run_hid_demo
        return 0 if run_hid_demo(per_gesture=min(args.tries, 3), model_path=args.model,
                                 speed=args.speed if args.speed is not None else 4.0).reports else 1
    from ..demo import run_demo
    from .run import view_options
    speed = args.speed if args.speed is not None else (1.0 if args.view else 8.0)
    result = run_demo(per_gesture=args.tries, speed=speed, seed=args.seed, model_path=args.model,
                      view=view_options(args), config_name=args.config,
                      trace_png=Path(args.trace) if args.trace else None, draw=args.draw)
    return 0 if result.rows else 1
