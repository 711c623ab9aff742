"""`wand train`: retrain the on-chip model."""

from __future__ import annotations

HELP = "retrain the on-chip model (with your recorded gestures), export int8 + C array"
ORDER = 100


def add_arguments(p) -> None:
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--augment", type=int, default=10, help="augmented copies per try")
    p.add_argument("--out", help="run folder (default runs/<date-time>)")
    p.add_argument("--install", action="store_true",
                   help="make the result the default model (package + firmware model_data.cc)")
    p.add_argument("--no-user", action="store_true", help="leave out your own recordings")


def run(args) -> int:
    from ..train_cli import train_cli
    return train_cli(args)
