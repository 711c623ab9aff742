"""`wand config`: check a mapping config, or print an example."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import WandError
from . import add_model_argument
from ._common import load_bundle, load_enrolled

HELP = "check a mapping config, or print an example (tv, typing, music, presentation, home) or --write it as yours"
ORDER = 50


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("action", choices=["check", "example"])
    p.add_argument("name", nargs="?", help="config file to check, or example name")
    p.add_argument("--write", action="store_true",
                   help="with 'example NAME': save it as your config (~/.config/wand/config.toml), creating the "
                        "folder; an existing config is never overwritten")


def run(args) -> int:
    from ..characters import STROKE_LABELS
    from ..config import did_you_mean, example_names, example_path, load_config
    from ..paths import config_file
    if args.action == "example":
        if not args.name:
            print("examples: " + ", ".join(example_names()))
            return 0
        text = example_path(args.name).read_text()
        if args.write:
            return _write_new(config_file(), text, args.name)
        sys.stdout.write(text)
        return 0
    if args.write:
        raise WandError("--write goes with 'example NAME', e.g. 'wand config example tv --write'")
    path = Path(args.name) if args.name else config_file()
    config = load_config(path)
    bundle = load_bundle(args)
    builtin = [*bundle.gesture_names, *STROKE_LABELS]
    known = set(builtin) | set(load_enrolled(bundle, None).gestures)
    unknown = sorted(config.gestures_used() - known)
    print(f"{path}: ok, {len(config.profiles)} profile(s): {', '.join(config.profiles)}")
    for prof in config.profiles.values():  # continuous mappings: what each one will do
        for c in prof.controls.values():
            print(f"  {prof.name}: control {c.name}: {c.describe()}")
    if unknown:
        print("note: not yet known to the wand (record and enrol them): "
              + ", ".join(n + did_you_mean(n, builtin) for n in unknown))
    return 0


def _write_new(path: Path, text: str, name: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as f:  # "x": fails if it exists, so nothing is overwritten
            f.write(text)
    except FileExistsError:
        raise WandError(f"{path} exists and was left as it is: edit it, or move it away and run this again "
                        f"(to see the example: 'wand config example {name}')") from None
    print(f"wrote the {name!r} example to {path}: edit it, then 'wand config check'")
    return 0
