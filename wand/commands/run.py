"""`wand run`: the daemon."""

from __future__ import annotations

import asyncio
from pathlib import Path

from . import add_model_argument
from ._common import given, load_bundle, load_enrolled, number, seconds, stamped, stop_on_signals

HELP = "the daemon: connect to your paired wands and turn gestures into input"
ORDER = 20


def add_arguments(p) -> None:
    from ..transport.link import add_link_arguments
    add_model_argument(p)
    p.add_argument("--config", type=given, help="mapping config (default ~/.config/wand/config.toml)")
    add_link_arguments(p, many=True)
    p.add_argument("--any", action="store_true",
                   help="act for any wand in range, paired or not (a demo; the simulator is always trusted)")
    p.add_argument("--dry-run", action="store_true", help="log actions instead of performing them")
    p.add_argument("--enrolled", type=given, help="few-shot enrolment file (default ~/.config/wand/enrolled.json)")
    p.add_argument("--scan-timeout", type=seconds, default=5.0, help="seconds to scan (up to 3600)")
    add_view_arguments(p, flag=True)


def add_view_arguments(p, flag: bool) -> None:
    """The live page's options (``wand view`` is ``wand run --view``)."""
    if flag:
        p.add_argument("--view", action="store_true", help="also serve the live page (see 'wand view')")
    p.add_argument("--view-port", type=number(0, 65535, integer=True), default=8765, metavar="PORT",
                   help="the live page's port on 127.0.0.1 and ::1 (default 8765; 0: any free port)")
    p.add_argument("--recordings", help="where the page records tries (default ~/.local/share/wand/recordings)")


def run(args) -> int:
    from ..config import example_path, load_config
    from ..daemon import Daemon, RateLimit
    from ..outputs import OutputSet
    from ..paths import config_file, status_file
    from ..transport.link import links_from_args

    links = links_from_args(args)  # a malformed --wand/--address is one line here, not a retry loop
    bundle = load_bundle(args)
    path = Path(args.config) if args.config else config_file()
    if not args.config and not path.exists():
        print(f"no config at {path}; using the TV example (copy it there to edit: "
              f"'wand config example tv --write')")
        path = example_path("tv")
    config = load_config(path)  # refuses a file other users may write, like ssh
    enrolled = load_enrolled(bundle, args.enrolled)
    allow = None if args.any else _paired()
    outputs = OutputSet(config, dry_run=args.dry_run)
    if not args.dry_run:
        from ..outputs.keyboard import backend_line
        stamped(backend_line(config.sections.get("keyboard")))
    from ..stroke_enrol import load_strokes
    drawings = load_strokes()
    daemon = Daemon(config, bundle, outputs, enrolled, line=stamped, status_file=status_file(), allow=allow,
                    drawings=drawings, rate_limit=RateLimit())
    view = view_options(args)
    daemon.imu_wanted = view is not None  # the page draws the IMU, enrolled gestures or not
    stamped(f"wand daemon: {', '.join(map(str, links))}, config {config.path}, "
            f"{len(enrolled.gestures)} enrolled gesture(s), {len(drawings.gestures)} enrolled drawing(s); "
            "Ctrl+C to stop")
    stamped(daemon.imu_cost_line())
    return asyncio.run(_serve(daemon, links, bundle, args.scan_timeout, allow, view))


def view_options(args):
    """(recordings folder, port) for the live page, or None without --view."""
    if not getattr(args, "view", False):
        return None
    from ..paths import recordings_dir
    if not 0 <= args.view_port <= 65535:
        from ..errors import WandError
        raise WandError(f"--view-port {args.view_port}: a port 1-65535, or 0 for any free one")
    return Path(args.recordings) if args.recordings else recordings_dir(), args.view_port


def _paired():
    from ..trust import PairedWands
    paired = PairedWands.load()
    return lambda backend: paired.allows(backend.address)


async def _serve(daemon, links, bundle, scan_timeout: float, allow, view=None) -> int:
    from ..errors import WandError
    from ..transport.link import no_wand_found, open_link, paired_backends

    stop = asyncio.Event()
    stop_on_signals(stop)
    backends, scanning = [], []
    for link in links:
        if link.kind == "ble" and not link.arg:  # scan now and then; paired wands are tried even when asleep
            scanning.append(link)
            if allow is not None:
                backends += paired_backends()
        else:
            backends += await open_link(link, bundle, scan_timeout)

    async def discover():
        found = []
        for link in scanning:
            found += await open_link(link, bundle, scan_timeout)
        return found
    if scanning and not backends:
        backends = await discover()
        if not backends:
            raise no_wand_found(links)
    if allow is not None and not any(b.trusted or allow(b) for b in backends):
        for b in backends:
            daemon.allowed(b)  # one line per stranger
        raise WandError("no paired wand: pair yours with 'wand pair' (or run with --any to accept any wand nearby)")
    page = None
    if view is not None:
        from ..view import open_view
        page = await open_view(daemon, view[0], stop, port=view[1], line=stamped)
    drivers = [asyncio.create_task(d) for b in backends if (d := b.driver()) is not None]
    try:
        await daemon.run(backends, stop, discover=discover if scanning else None)
    finally:
        for t in drivers:
            t.cancel()
        if page is not None:
            await page.close()
    return 0
