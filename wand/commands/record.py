"""`wand record`: tries of a gesture from the wand's raw IMU stream."""

from __future__ import annotations

import os

from ..transport.link import add_link_arguments
from . import add_model_argument
from ._common import given, positive_int

HELP = "record tries of a gesture from the wand's raw IMU stream (or the simulator)"
ORDER = 70


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("name", help="gesture name (lower case, digits, - or _)")
    p.add_argument("--tries", type=positive_int, default=10, help="tries to record (default 10)")
    p.add_argument("--person", default=os.environ.get("USER", "me"), help="who is recording")
    add_link_arguments(p, many=False)  # --wand ble[:ADDRESS] | sim:GESTURE | bumble:usb:0
    p.add_argument("--out", type=given, help="recordings folder (default ~/.local/share/wand/recordings)")
    p.add_argument("--yes", action="store_true", help="keep every try without asking")


def run(args) -> int:
    from ..record import record_cli
    return record_cli(args)
