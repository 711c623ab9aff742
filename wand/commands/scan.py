"""`wand scan`: which wands are in range."""

from __future__ import annotations

import asyncio

from ._common import seconds

HELP = "list nearby wands with their signal strength"
ORDER = 30


def add_arguments(p) -> None:
    p.add_argument("--timeout", type=seconds, default=5.0, help="seconds to scan (up to 3600)")


def run(args) -> int:
    from ..demo import format_table
    from ..transport.ble import scan
    print(f"scanning {args.timeout:g} s for wands ...", flush=True)
    found = asyncio.run(scan(args.timeout))
    if not found:
        print("no wand found: move it to wake it, and check it is powered and in range")
        return 1
    from ..trust import PairedWands
    paired = PairedWands.load()
    print(format_table(["name", "address", "signal (dBm)", "paired"],
                       [[w.name, w.address, w.rssi, "yes" if paired.allows(w.address) else "no"] for w in found]))
    if not all(paired.allows(w.address) for w in found):
        print("'wand run' acts only for paired wands: pair yours with 'wand pair --wand ble:ADDRESS'")
    return 0
