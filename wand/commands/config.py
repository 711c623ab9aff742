"""`wand config`: check a mapping config, or print an example."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import WandError
from . import add_model_argument
from ._common import load_bundle, load_enrolled, seconds

HELP = ("check a mapping config, print an example (tv, typing, music, presentation, home) or --write it as "
        "yours, or push a profile to the wand so it acts alone as a Bluetooth keyboard / TV remote / mouse")
ORDER = 50


def add_arguments(p) -> None:
    add_model_argument(p)
    from ..transport.link import add_link_arguments
    p.add_argument("action", choices=["check", "example", "push"])
    p.add_argument("name", nargs="?", help="config file to check or push (default: yours), or example name")
    p.add_argument("--profile", help="push: the profile the wand runs alone (default: the config's default_profile)")
    p.add_argument("--check", action="store_true",
                   help="push: only say what of the profile cannot run on the wand alone, one line each")
    add_link_arguments(p, many=False)
    p.add_argument("--scan-timeout", type=seconds, default=5.0, help="push: seconds to scan (up to 3600)")
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
    if args.action == "push":
        return _push(args, config, path)
    if args.check or args.profile:
        raise WandError("--check and --profile go with 'push', e.g. 'wand config push --check'")
    bundle = load_bundle(args)
    builtin = [*bundle.gesture_names, *STROKE_LABELS]
    from ..stroke_enrol import load_strokes
    known = set(builtin) | set(load_enrolled(bundle, None).gestures) | set(load_strokes().gestures)
    unknown = sorted(config.gestures_used() - known)
    print(f"{path}: ok, {len(config.profiles)} profile(s): {', '.join(config.profiles)}")
    for prof in config.profiles.values():  # continuous mappings: what each one will do
        for c in prof.controls.values():
            print(f"  {prof.name}: control {c.name}: {c.describe()}")
    if unknown:
        print("note: not yet known to the wand (record and enrol them; a drawing: wand enrol NAME --drawing): "
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


def _push(args, config, path: Path) -> int:
    """Stand-alone mode: the profile's gesture -> key / media key / mouse table, to the wand."""
    import asyncio

    from ..hid import plan
    name = args.profile or config.default_profile
    if name not in config.profiles:
        raise WandError(f"{path}: no profile {name!r} (profiles: {', '.join(config.profiles)})")
    bundle = load_bundle(args)
    pushed = plan(config.profiles[name], {g: i for i, g in enumerate(bundle.classes)}, bundle.crc32)
    for line in pushed.refused:
        print(line)
    steps = len(pushed.table.entries)
    if args.check:
        print(f"profile {name!r}: {steps} HID step(s) run on the wand alone; "
              f"{len(pushed.refused)} thing(s) need the daemon")
        return 0
    if not steps:
        raise WandError(f"profile {name!r} has nothing the wand can send as a keyboard, remote or mouse; "
                        "see 'wand config push --check'")
    result, count, crc = asyncio.run(_send(args, bundle, pushed.table.encode()))
    if result != "ok":
        raise WandError(f"the wand refused the table ({result}); the one it had stays. Update the firmware "
                        "or re-run 'wand config push'")
    print(f"pushed profile {name!r} to the wand: {count} HID step(s), CRC {crc:08x}; it keeps them in flash. "
          "Pair it with your TV, phone or PC as a Bluetooth keyboard (README: Stand-alone mode)")
    return 0


async def _send(args, bundle, table: bytes) -> tuple[str, int, int]:
    from ..transport.base import WandClient
    from ..transport.link import links_from_args, open_first

    backend = await open_first(links_from_args(args), bundle, args.scan_timeout)
    await backend.connect()
    try:
        return await WandClient(backend).push_hid_table(table)
    finally:
        await backend.disconnect()
