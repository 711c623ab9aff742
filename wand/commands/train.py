"""`wand train`: retrain the on-chip model; install it only if it is not worse."""

from __future__ import annotations

from ._common import given, positive_int

HELP = "retrain the on-chip model (with your recorded gestures), export int8 + C array"
ORDER = 100


def add_arguments(p) -> None:
    from ..train_cli import DEFAULT_AUGMENT, DEFAULT_EPOCHS
    p.add_argument("--epochs", type=positive_int, default=DEFAULT_EPOCHS)
    p.add_argument("--augment", type=positive_int, default=DEFAULT_AUGMENT, help="augmented copies per try")
    p.add_argument("--out", type=given, help="run folder (default runs/<date-time>)")
    p.add_argument("--no-user", action="store_true", help="leave out your own recordings")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--install", action="store_true",
                      help="make the result the default model (package + firmware model_data.cc) if it is not "
                           "worse than the installed one on the same held-out people; the old one is kept")
    what.add_argument("--install-from", metavar="RUN", help="install the model of an earlier run folder (same checks)")
    what.add_argument("--undo", action="store_true", help="put back the model the last install replaced")
    p.add_argument("--force", action="store_true", help="install even a worse or chance-level model")


def run(args) -> int:
    from ..train_cli import train_cli
    return train_cli(args)
