"""`wand view`: the daemon with its live page (= `wand run --view`)."""

from __future__ import annotations

from . import run as run_command

HELP = "the daemon with a live local web page: IMU traces, strokes, decisions, record and teach, gestures"
ORDER = 25


def add_arguments(p) -> None:
    run_command.add_arguments(p)
    p.set_defaults(view=True)


def run(args) -> int:
    args.view = True
    return run_command.run(args)
