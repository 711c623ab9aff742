"""One module per `wand` command: its arguments beside its body (like mido's scripts).

A command module defines ``HELP`` (one line for ``wand --help``), ``ORDER`` (its place in
that list), ``add_arguments(parser)`` and ``run(args) -> int``. ``wand.cli`` finds them
here, so adding a command is adding one module.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from types import ModuleType


def discover() -> dict[str, ModuleType]:
    """Command name -> module, in ``ORDER``. A module ``import_`` is the command ``import``."""
    mods = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)
            if not m.name.startswith("_")]
    mods = [m for m in mods if hasattr(m, "run")]
    return {m.__name__.rsplit(".", 1)[1].rstrip("_").replace("_", "-"): m
            for m in sorted(mods, key=lambda m: m.ORDER)}


def add_model_argument(p: argparse.ArgumentParser) -> None:
    from ._common import given
    p.add_argument("--model", type=given, help="gesture model .tflite (default: the installed one)")
