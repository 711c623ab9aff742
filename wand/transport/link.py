"""Link choice, in one place: ``--wand SPEC`` -> the backends that reach those wands.

=======================  ==========================================================
``ble``                  every wand advertising the wand service (bleak scans)
``ble:AA:BB:CC:DD:EE:FF`` that wand (a CoreBluetooth UUID on macOS)
``sim``, ``sim:GESTURE`` the simulated wand replaying the data set (all gestures, or one)
``sim:CHARACTER``        a simulated wand drawing it in the air (digit_5): SYNTHETIC IMU
``bumble:usb:0``         bumble's own host stack on an HCI transport (any bumble spec)
``serial:/dev/ttyACM0``  (reserved: a wand over USB serial, not yet implemented)
=======================  ==========================================================

Each link kind scans for itself. Adding a link type = one opener here plus its backend
module.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from ..errors import WandError
from .base import WandBackend

KINDS = ("ble", "sim", "bumble", "serial")
_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$")
_UUID = re.compile(r"^[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$")  # macOS names devices by UUID


@dataclass(frozen=True)
class Link:
    kind: str  # one of KINDS
    arg: str = ""  # address, gesture, HCI transport spec or device path; "" for "any"

    def __str__(self) -> str:
        return f"{self.kind}:{self.arg}" if self.arg else self.kind


def check_address(text: str) -> str:
    """A Bluetooth address as the OS names it, or one error line (never retried)."""
    text = text.strip()
    if not (_MAC.match(text) or _UUID.match(text)):
        raise WandError(f"{text!r} is not a Bluetooth address: expected six hex pairs like AA:BB:CC:DD:EE:FF "
                        "(or a device UUID on macOS); 'wand scan' lists the wands nearby")
    return text.upper().replace("-", ":") if _MAC.match(text) else text.upper()


def parse_link(text: str) -> Link:
    """``ble``, ``ble:ADDRESS``, ``sim``, ``sim:GESTURE``, ``bumble:SPEC``, ``serial:PATH``."""
    kind, _, arg = text.strip().partition(":")
    kind = kind.lower()
    if kind not in KINDS:
        raise WandError(f"--wand {text!r}: unknown link {kind!r}; use one of ble, ble:ADDRESS, sim, "
                        "sim:GESTURE, bumble:usb:0")
    if kind == "ble" and arg:
        arg = check_address(arg)
    if kind == "bumble" and not arg:
        raise WandError(f"--wand {text!r}: name bumble's HCI transport, e.g. bumble:usb:0 or bumble:serial:/dev/ttyUSB0")
    if kind == "serial":
        raise WandError(f"--wand {text!r}: serial links are not implemented yet; use ble or bumble:usb:0")
    return Link(kind, arg)


def add_link_arguments(p: argparse.ArgumentParser, many: bool) -> None:
    """``--wand SPEC`` (repeatable where ``many``), with ``--address``/``--sim`` kept as aliases."""
    action = "append" if many else "store"
    p.add_argument("--wand", action=action, metavar="LINK",
                   help="which wand and how: ble (default: wands found by scanning), ble:ADDRESS, sim, "
                        "sim:GESTURE (the simulator; sim:digit_5 draws a 5 in the air, synthetic IMU), "
                        "bumble:usb:0 (bumble's stack on an HCI dongle)"
                        + ("; repeat for several" if many else ""))
    p.add_argument("--address", action=action, help=argparse.SUPPRESS)  # = --wand ble:ADDRESS
    if many:
        p.add_argument("--sim", action="store_true", help=argparse.SUPPRESS)  # = --wand sim
    else:
        p.add_argument("--sim", metavar="GESTURE", help=argparse.SUPPRESS)  # = --wand sim:GESTURE


def links_from_args(args: argparse.Namespace) -> list[Link]:
    """The links named by ``--wand`` and its aliases; ``[ble]`` when none is."""
    def listed(v: Any) -> list[str]:
        return [] if not v else ([v] if isinstance(v, str) else list(v))
    specs = listed(getattr(args, "wand", None)) + [f"ble:{a}" for a in listed(getattr(args, "address", None))]
    sim = getattr(args, "sim", None)
    if sim:
        specs.append("sim" if sim is True else f"sim:{sim}")
    return [parse_link(s) for s in specs] or [Link("ble")]


Opener = Callable[[Link, Any, float, float], Awaitable[list[WandBackend]]]


async def open_link(link: Link, bundle: Any, scan_timeout: float = 5.0, sim_speed: float = 1.0) -> list[WandBackend]:
    """The backends ``link`` reaches: found by its own scan, or named directly."""
    return await _OPENERS[link.kind](link, bundle, scan_timeout, sim_speed)


async def _open_ble(link: Link, bundle: Any, scan_timeout: float, sim_speed: float) -> list[WandBackend]:
    from .ble import BleakBackend, scan
    if link.arg:
        return [BleakBackend(link.arg, name=link.arg)]
    found = await scan(scan_timeout)
    names = [f.name for f in found]
    return [BleakBackend(w.address, name=w.name if names.count(w.name) == 1 else w.address) for w in found]


async def _open_sim(link: Link, bundle: Any, scan_timeout: float, sim_speed: float) -> list[WandBackend]:
    from ..datasets import load_vocabulary
    from ..simwand.device import SimulatedWand
    from .sim import SimBackend
    from ..characters import is_character
    if link.arg and is_character(link.arg):
        return [_air_sim(link.arg, bundle, sim_speed)]
    vocab = {g.name: g for g in load_vocabulary()}
    if link.arg and link.arg not in vocab:
        raise WandError(f"no data-set gesture {link.arg!r} to simulate; choose from {', '.join(vocab)}, "
                        "or a character to draw in the air (digit_5, letter_z, shape_circle)")
    chosen = [vocab[link.arg]] if link.arg else list(vocab.values())
    tries = [r for g in chosen for r in g.recordings()]
    backend = SimBackend(SimulatedWand(bundle, tries, name="wand-sim", loop=True), speed=sim_speed)
    datasets = sorted({src["dataset"] for g in chosen for src in g.sources})
    backend.source = f"simulator replaying {', '.join(datasets)} {link.arg or 'vocabulary'}"
    return [backend]


def _air_sim(character: str, bundle: Any, sim_speed: float) -> WandBackend:
    """A wand drawing ``character`` in the air: SYNTHETIC IMU (wand.datasets.synthetic_air,
    a virtual wand along held-out writers' pen strokes), never a real recording."""
    from ..datasets.synthetic_air import synthetic_try
    from ..simwand.device import SimulatedWand
    from .sim import SimBackend
    try:
        tries = [synthetic_try(character, seed) for seed in range(3)]
    except ValueError as e:  # no pen data for it here
        raise WandError(f"--wand sim:{character}: {e}") from None
    backend = SimBackend(SimulatedWand(bundle, tries, name="wand-sim", loop=True), speed=sim_speed)
    backend.source = f"simulator drawing {character} in the air: SYNTHETIC IMU from held-out writers' pen strokes"
    return backend


async def _open_bumble(link: Link, bundle: Any, scan_timeout: float, sim_speed: float) -> list[WandBackend]:
    from .bumble import BumbleBackend, open_device, scan
    device = await open_device(link.arg)
    found = await scan(device, scan_timeout)
    return [BumbleBackend(device, w.address, name=w.name) for w in found]


async def _no_serial(link: Link, bundle: Any, scan_timeout: float, sim_speed: float) -> list[WandBackend]:
    raise WandError(f"--wand {link}: serial links are not implemented yet")


_OPENERS: dict[str, Opener] = {"ble": _open_ble, "sim": _open_sim, "bumble": _open_bumble, "serial": _no_serial}


async def open_links(links: list[Link], bundle: Any, scan_timeout: float = 5.0,
                     sim_speed: float = 1.0) -> list[WandBackend]:
    backends: list[WandBackend] = []
    for link in links:
        backends += await open_link(link, bundle, scan_timeout, sim_speed)
    return backends


async def open_first(links: list[Link], bundle: Any, scan_timeout: float = 5.0,
                     sim_speed: float = 1.0) -> WandBackend:
    """One wand (the strongest signal where a scan found several), or one error line."""
    found = await open_links(links, bundle, scan_timeout, sim_speed)
    if not found:
        raise no_wand_found(links)
    return found[0]


def paired_backends() -> list[WandBackend]:
    """The wands the user paired, by address (tried even while asleep or out of range)."""
    from ..trust import PairedWands
    from .ble import BleakBackend
    return [BleakBackend(w.address, name=w.name) for w in PairedWands.load().wands.values()]


def no_wand_found(links: list[Link]) -> WandError:
    return WandError(f"no wand found on {', '.join(map(str, links))}: wake it (move it), check it is powered and "
                     "in range, or name it with --wand ble:ADDRESS")
