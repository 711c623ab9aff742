"""`wand status`: what the running daemon reports (status.json, rewritten as events arrive)."""

from __future__ import annotations

import json
import os
import time

HELP = "connection state, events and last gesture of the running daemon's wands"
ORDER = 40


def add_arguments(p) -> None:
    p.add_argument("--watch", action="store_true", help="show it again every second until Ctrl+C")


def run(args) -> int:
    from ..paths import status_file
    path = status_file()
    if not path.exists():
        print("the daemon is not running (start it with 'wand run')")
        return 1
    if not args.watch:
        return _show(path)
    try:
        while True:
            print("\033[H\033[2J", end="")  # clear the terminal between views
            _show(path)
            time.sleep(1.0)
    except KeyboardInterrupt:
        return 0


def _show(path) -> int:
    from ..demo import format_table
    try:
        st = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        print(f"{path}: cannot read the daemon's status ({e}); is another program writing it?")
        return 1
    alive = _pid_alive(st.get("pid", -1))
    age = time.time() - st.get("updated", 0)
    print(f"daemon pid {st['pid']}: {'running' if alive else 'not running (last status below)'}; "
          f"status from {age:.0f} s ago; model {st['model_crc32']}")
    rows = [[n, w["address"], w["state"], w["profile"], w["connects"],
             "-" if w["battery_percent"] is None else f"{w['battery_percent']}%", w["last_gesture"] or "-",
             w["events"].get("delivered", 0), w["events"].get("lost", 0)] for n, w in st["wands"].items()]
    print(format_table(["wand", "address", "state", "profile", "connects", "battery", "last gesture", "events",
                        "lost"], rows) if rows else "no wands")
    print(f"enrolled gestures: {', '.join(st.get('enrolled', [])) or 'none'} ({st.get('imu_stream', '?')})")
    for name, w in st["wands"].items():
        for c in w.get("controls", []):
            print(f"[{name}] continuous control: {c}")
    for name, state in st.get("outputs", {}).items():
        print(f"output {name}: {state}")
    return 0 if alive else 1


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except (OSError, ValueError):
        return False
