"""`wand run`: the daemon."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from ..errors import WandError
from . import add_model_argument
from ._common import load_bundle, load_enrolled, stamped, vocab_recordings

HELP = "the daemon: connect to wands over BLE and turn gestures into input"
ORDER = 20


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("--config", help="mapping config (default ~/.config/wand/config.toml)")
    p.add_argument("--address", action="append", help="connect to this wand (repeat for several)")
    p.add_argument("--sim", action="store_true", help="use a simulated wand instead of BLE")
    p.add_argument("--dry-run", action="store_true", help="log actions instead of performing them")
    p.add_argument("--enrolled", help="few-shot enrolment file (default ~/.config/wand/enrolled.json)")
    p.add_argument("--scan-timeout", type=float, default=5.0)


def run(args) -> int:
    from ..config import example_path, load_config
    from ..daemon import Daemon
    from ..outputs import OutputSet
    from ..paths import config_file, status_file

    bundle = load_bundle(args)
    path = Path(args.config) if args.config else config_file()
    if not args.config and not path.exists():
        print(f"no config at {path}; using the TV example (copy it there to edit: "
              f"'wand config example tv > {path}')")
        path = example_path("tv")
    config = load_config(path)
    enrolled = load_enrolled(bundle, args.enrolled)
    outputs = OutputSet(config, dry_run=args.dry_run)
    if not args.dry_run:
        from ..outputs.keyboard import backend_line
        stamped(backend_line(config.sections.get("keyboard")))
    backends = asyncio.run(_backends(args, bundle))
    daemon = Daemon(config, bundle, outputs, enrolled, line=stamped, status_file=status_file())
    stamped(f"wand daemon: {len(backends)} wand(s), config {config.path}, "
            f"{len(enrolled.gestures)} enrolled gesture(s); Ctrl+C to stop")
    return asyncio.run(_serve(daemon, backends))


async def _backends(args, bundle):
    from ..transport.ble import BleakBackend, scan
    if args.sim:
        from ..simwand.device import SimulatedWand
        from ..transport.sim import SimBackend
        recs = [r for g in vocab_recordings() for r in g]
        return [SimBackend(SimulatedWand(bundle, recs, loop=True))]
    if args.address:
        return [BleakBackend(a, name=a) for a in args.address]
    found = await scan(args.scan_timeout)
    if not found:
        raise WandError("no wand found: wake it (move it), check it is powered and in range, or pass --address")
    return [BleakBackend(w.address, name=w.name if [f.name for f in found].count(w.name) == 1 else w.address)
            for w in found]


async def _serve(daemon, backends) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    sims = [b for b in backends if hasattr(b, "wand")]
    tasks = [asyncio.create_task(b.wand.run(speed=1.0)) for b in sims]
    await daemon.run(backends, stop)
    for t in tasks:
        t.cancel()
    return 0
