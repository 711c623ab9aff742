"""`wand status`: what the running daemon reports."""

from __future__ import annotations

import json
import os
import time

HELP = "connection state of the running daemon's wands"
ORDER = 40


def add_arguments(p) -> None:
    pass


def run(args) -> int:
    from ..demo import format_table
    from ..paths import status_file
    path = status_file()
    if not path.exists():
        print("the daemon is not running (start it with 'wand run')")
        return 1
    st = json.loads(path.read_text())
    alive = _pid_alive(st.get("pid", -1))
    age = time.time() - st.get("updated", 0)
    print(f"daemon pid {st['pid']}: {'running' if alive else 'not running (last status below)'}; "
          f"status from {age:.0f} s ago; model {st['model_crc32']}")
    rows = [[n, w["address"], w["state"], w["profile"], w["connects"],
             "-" if w["battery_percent"] is None else f"{w['battery_percent']}%", w["last_gesture"] or "-",
             w["events"].get("delivered", 0), w["events"].get("lost", 0)] for n, w in st["wands"].items()]
    print(format_table(["wand", "address", "state", "profile", "connects", "battery", "last gesture", "events",
                        "lost"], rows) if rows else "no wands")
    for name, state in st.get("outputs", {}).items():
        print(f"output {name}: {state}")
    return 0 if alive else 1


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except (OSError, ValueError):
        return False
