"""`wand config`: check a mapping config, or print an example."""

from __future__ import annotations

import sys
from pathlib import Path

from . import add_model_argument
from ._common import load_bundle, load_enrolled

HELP = "check a mapping config, or print an example (tv, music, presentation)"
ORDER = 50


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("action", choices=["check", "example"])
    p.add_argument("name", nargs="?", help="config file to check, or example name")


def run(args) -> int:
    from ..config import example_names, example_path, load_config
    from ..paths import config_file
    if args.action == "example":
        if not args.name:
            print("examples: " + ", ".join(example_names()))
            return 0
        sys.stdout.write(example_path(args.name).read_text())
        return 0
    path = Path(args.name) if args.name else config_file()
    config = load_config(path)
    bundle = load_bundle(args)
    known = set(bundle.gesture_names) | set(load_enrolled(bundle, None).gestures)
    unknown = sorted(config.gestures_used() - known)
    print(f"{path}: ok, {len(config.profiles)} profile(s): {', '.join(config.profiles)}")
    if unknown:
        print(f"note: not yet known to the wand (record and enrol them): {', '.join(unknown)}")
    return 0
