"""`wand status`: what the running daemon reports (status.json, rewritten as events arrive)."""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

from ..errors import WandError

HELP = "connection state, events and last gesture of the running daemon's wands"
ORDER = 40


def add_arguments(p) -> None:
    p.add_argument("--watch", action="store_true", help="show it again every second until Ctrl+C")


def run(args) -> int:
    from ..paths import status_file
    path = status_file()
    if not os.path.lexists(path):
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
    from ..errors import printable
    try:
        st = read_status(path)
    except WandError as e:
        print(printable(e, 2000))
        return 1
    alive = _pid_alive(st["pid"])
    age = time.time() - st["updated"]
    print(f"daemon pid {st['pid']}: {'running' if alive else 'not running (last status below)'}; "
          f"status from {age:.0f} s ago; model {printable(st['model_crc32'], 16)}")
    rows = [[printable(n, 32), printable(w["address"], 40), printable(w["state"], 40), printable(w["profile"], 40),
             w["connects"], "-" if w["battery_percent"] is None else f"{w['battery_percent']}%",
             printable(w["last_gesture"] or "-", 40), w["events"].get("delivered", 0), w["events"].get("lost", 0)]
            for n, w in st["wands"].items()]
    print(format_table(["wand", "address", "state", "profile", "connects", "battery", "last gesture", "events",
                        "lost"], rows) if rows else "no wands")
    enrolled = ", ".join(printable(n, 40) for n in st["enrolled"]) or "none"
    print(f"enrolled gestures: {enrolled} ({printable(st['imu_stream'])})")
    for name, w in st["wands"].items():
        for c in w.get("controls", []):
            print(f"[{printable(name, 32)}] continuous control: {printable(c)}")
    for name, state in st["outputs"].items():
        print(f"output {printable(name, 40)}: {printable(state)}")
    return 0 if alive else 1


MAX_STATUS = 1 << 20  # bytes: the daemon writes a few kB


def read_status(path: Path) -> dict[str, Any]:
    """status.json as the daemon writes it, every field checked: anything else (a hand edit,
    another program, a half-written file) is one ``WandError`` line saying what to do."""
    from ..trust import TrustError, read_regular
    fix = "it is rewritten while 'wand run' runs; if no daemon runs, delete it"
    try:
        raw = read_regular(path, MAX_STATUS)
        if len(raw) > MAX_STATUS:
            raise ValueError(f"larger than {MAX_STATUS} bytes")
        st = json.loads(raw)
        _check_status(st)
    except TrustError as e:
        raise WandError(f"{e}; {fix}") from None
    except OSError as e:
        raise WandError(f"{path}: cannot read the daemon's status ({e.strerror}); {fix}") from None
    except (ValueError, RecursionError) as e:  # JSON, UTF-8 and field errors
        raise WandError(f"{path}: not a status file the daemon wrote ({e}); {fix}") from None
    return st


def _check_status(st: object) -> None:
    _need(isinstance(st, dict), "not a JSON object")
    _need(type(st.get("pid")) is int and 0 < st["pid"] < 1 << 31, "pid: a process id")
    _need(type(st.get("updated")) in (int, float) and math.isfinite(st["updated"]), "updated: a time")
    for key in ("model_crc32", "imu_stream"):
        _need(isinstance(st.get(key), str), f"{key}: text")
    _need(isinstance(st.get("enrolled"), list) and all(isinstance(n, str) for n in st["enrolled"]),
          "enrolled: a list of names")
    _need(isinstance(st.get("outputs"), dict) and all(isinstance(v, str) for v in st["outputs"].values()),
          "outputs: name -> text")
    _need(isinstance(st.get("wands"), dict), "wands: name -> wand")
    for name, w in st["wands"].items():
        _need(isinstance(w, dict), f"wand {name!r}: an object")
        for key in ("address", "state", "profile"):
            _need(isinstance(w.get(key), str), f"wand {name!r}: {key}: text")
        _need(type(w.get("connects")) is int, f"wand {name!r}: connects: a count")
        for key, kind in (("battery_percent", int), ("last_gesture", str)):  # present, maybe null
            _need(key in w and (w[key] is None or type(w[key]) is kind), f"wand {name!r}: {key}")
        _need(isinstance(w.get("events"), dict) and all(type(v) is int for v in w["events"].values()),
              f"wand {name!r}: events: counts")
        _need(isinstance(w.get("controls", []), list) and all(isinstance(c, str) for c in w.get("controls", [])),
              f"wand {name!r}: controls: a list of text")


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(what)


def _pid_alive(pid: int) -> bool:
    """That process exists and, where the OS says what it runs (Linux /proc), is a wand
    command: a status file left by a daemon that died, whose pid now belongs to another
    program (or was hand-edited to 1), reads "not running"."""
    try:
        os.kill(pid, 0)  # PermissionError too: someone else's process is not our daemon
    except (OSError, ValueError, OverflowError):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # no /proc (macOS, Windows): the pid is all there is
        return True
    # 'wand run' (the script, by any path) or 'python -m wand run'
    return any(Path(a.decode(errors="replace")).name == "wand" for a in cmdline.split(b"\0"))
