"""`wand pair`: bond with a wand, so `wand run` acts for it (and for no stranger)."""

from __future__ import annotations

import asyncio

from ._common import given, seconds

HELP = "pair with a wand (LE Secure Connections, bonded); 'wand run' acts only for paired wands"
ORDER = 15


def add_arguments(p) -> None:
    from ..transport.link import add_link_arguments
    add_link_arguments(p, many=False)
    p.add_argument("--list", action="store_true", help="list the paired wands")
    p.add_argument("--forget", metavar="ADDRESS", type=given, help="remove a wand from the paired list")
    p.add_argument("--scan-timeout", type=seconds, default=5.0, help="seconds to scan (up to 3600)")


def run(args) -> int:
    from ..demo import format_table
    from ..trust import PairedWands
    from ..transport.link import check_address

    paired = PairedWands.load()
    if args.list:
        rows = [[w.name, w.address, w.bonding, w.paired_at] for w in paired.wands.values()]
        print(format_table(["name", "address", "bonding", "paired"], rows) if rows else
              "no paired wands: pair one with 'wand pair' (wand awake and near)")
        return 0
    if args.forget:
        address = check_address(args.forget)
        if not paired.remove(address):
            print(f"{address} is not paired")
            return 1
        print(f"forgot {address} (saved in {paired.save()}); unpair it in the OS too, e.g. "
              f"'bluetoothctl remove {address}'")
        return 0
    name, address, bonding = asyncio.run(pair_one(args))
    paired.add(address, name, bonding)
    path = paired.save()
    print(f"paired with {name} ({address}), {bonding}; saved in {path}. 'wand run' now acts for it")
    return 0


async def pair_one(args) -> tuple[str, str, str]:
    """Connect to the wand the link names (the nearest one for a scan) and bond with it."""
    from ..errors import WandError
    from ..transport.link import links_from_args, open_first

    links = links_from_args(args)
    if any(link.kind == "sim" for link in links):
        raise WandError("the simulator needs no pairing: 'wand run --wand sim' always acts for it")
    backend = await open_first(links, None, args.scan_timeout)
    await backend.connect()
    try:
        bonding = await backend.pair()
    finally:
        await backend.disconnect()
    return backend.name, backend.address, bonding
