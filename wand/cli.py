"""`wand`: the command line. Every failure a user can fix is one line, no traceback."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path

from .errors import WandError

COMMANDS = {}


def command(name: str, help_text: str):
    def register(fn):
        COMMANDS[name] = (fn, help_text)
        return fn
    return register


def _model(args):
    from .model import load_model
    return load_model(getattr(args, "model", None))


# --- demo / run / scan / status ---------------------------------------------------------
@command("demo", "simulated wand replaying real recordings through the int8 model -> live action log")
def cmd_demo(args) -> int:
    from .demo import run_demo
    result = run_demo(per_gesture=args.tries, speed=args.speed, seed=args.seed, model_path=args.model)
    return 0 if result.rows else 1


def _enrolled(bundle, path):
    from .enrol import load
    return load(path, bundle.crc32, bundle.info.get("embedding_centre", [0.0] * bundle.embedding_dims))


@command("run", "the daemon: connect to wands over BLE and turn gestures into input")
def cmd_run(args) -> int:
    from .config import default_config_path, example_path, load_config
    from .daemon import Daemon, status_path
    from .outputs import OutputSet

    bundle = _model(args)
    path = Path(args.config) if args.config else default_config_path()
    if not args.config and not path.exists():
        print(f"no config at {path}; using the TV example (copy it there to edit: "
              f"'wand config example tv > {path}')")
        path = example_path("tv")
    config = load_config(path)
    enrolled = _enrolled(bundle, args.enrolled)
    outputs = OutputSet(config.midi, dry_run=args.dry_run)
    backends = asyncio.run(_backends(args, bundle))
    daemon = Daemon(config, bundle, outputs, enrolled, line=_stamped, status_file=status_path())
    _stamped(f"wand daemon: {len(backends)} wand(s), config {config.path}, "
             f"{len(enrolled.gestures)} enrolled gesture(s); Ctrl+C to stop")
    return asyncio.run(_serve(daemon, backends, args))


async def _backends(args, bundle):
    from .transport.ble import BleakBackend, scan
    if args.sim:
        from .simwand.device import SimulatedWand
        from .transport.sim import SimBackend
        recs = [r for g in _vocab_recordings() for r in g]
        return [SimBackend(SimulatedWand(bundle, recs, loop=True))]
    if args.address:
        return [BleakBackend(a, name=a) for a in args.address]
    found = await scan(args.scan_timeout)
    if not found:
        raise WandError("no wand found: wake it (move it), check it is powered and in range, or pass --address")
    return [BleakBackend(w.address, name=w.name if [f.name for f in found].count(w.name) == 1 else w.address)
            for w in found]


def _vocab_recordings():
    from .datasets import load_vocabulary
    return [g.recordings() for g in load_vocabulary()]


async def _serve(daemon, backends, args) -> int:
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


def _stamped(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)


@command("scan", "list nearby wands with their signal strength")
def cmd_scan(args) -> int:
    from .transport.ble import scan
    print(f"scanning {args.timeout:g} s for wands ...", flush=True)
    found = asyncio.run(scan(args.timeout))
    if not found:
        print("no wand found: move it to wake it, and check it is powered and in range")
        return 1
    from .demo import format_table
    print(format_table(["name", "address", "signal (dBm)"], [[w.name, w.address, w.rssi] for w in found]))
    return 0


@command("status", "connection state of the running daemon's wands")
def cmd_status(args) -> int:
    from .daemon import status_path
    path = status_path()
    if not path.exists():
        print("the daemon is not running (start it with 'wand run')")
        return 1
    st = json.loads(path.read_text())
    alive = _pid_alive(st.get("pid", -1))
    age = time.time() - st.get("updated", 0)
    print(f"daemon pid {st['pid']}: {'running' if alive else 'not running (last status below)'}; "
          f"status from {age:.0f} s ago; model {st['model_crc32']}")
    from .demo import format_table
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


# --- config / gestures -------------------------------------------------------------------
@command("config", "check a mapping config, or print an example (tv, music, presentation)")
def cmd_config(args) -> int:
    from .config import default_config_path, example_names, example_path, load_config
    if args.action == "example":
        if not args.name:
            print("examples: " + ", ".join(example_names()))
            return 0
        sys.stdout.write(example_path(args.name).read_text())
        return 0
    path = Path(args.name) if args.name else default_config_path()
    config = load_config(path)
    bundle = _model(args)
    known = set(bundle.gesture_names) | set(_enrolled(bundle, None).gestures)
    unknown = sorted(config.gestures_used() - known)
    print(f"{path}: ok, {len(config.profiles)} profile(s): {', '.join(config.profiles)}")
    if unknown:
        print(f"note: not yet known to the wand (record and enrol them): {', '.join(unknown)}")
    return 0


@command("gestures", "list the gestures the wand knows: built-in, enrolled and recorded")
def cmd_gestures(args) -> int:
    from .datasets import user_recordings
    bundle = _model(args)
    enrolled = _enrolled(bundle, None)
    print("built into the model: " + ", ".join(bundle.gesture_names))
    print("enrolled (few-shot): " + (", ".join(sorted(enrolled.gestures)) or "none"))
    rec = user_recordings()
    print("recorded: " + (", ".join(f"{n} ({len(v)})" for n, v in rec.items()) or "none"))
    return 0


# --- recording, enrolment, training --------------------------------------------------------
@command("record", "record tries of a gesture from the wand's raw IMU stream (or the simulator)")
def cmd_record(args) -> int:
    from .record import record_cli
    return record_cli(args)


@command("enrol", "teach the daemon a recorded gesture from a few tries (no retraining)")
def cmd_enrol(args) -> int:
    from .datasets import USER_RECORDINGS_DIR
    from .recordings import check_gesture_name, list_gesture_files, read_wand_csv
    from .simwand.device import embeddings
    bundle = _model(args)
    name = check_gesture_name(args.name)
    folder = Path(args.recordings) if args.recordings else USER_RECORDINGS_DIR
    files = list_gesture_files(folder).get(name, [])
    if not files:
        raise WandError(f"no recordings of {name!r} in {folder}: record some with 'wand record {name}'")
    enrolled = _enrolled(bundle, args.enrolled)
    if name in enrolled.gestures and not args.replace:
        raise WandError(f"{name!r} is already enrolled in {enrolled.path}; pass --replace to re-enrol it")
    tries = [read_wand_csv(f) for f in files[-args.tries:]]
    embs = embeddings(bundle, tries)
    if len(embs) < len(tries):
        print(f"{len(tries) - len(embs)} of {len(tries)} tries had no gesture start the wand would see "
              "(too gentle?); enrolling with the rest")
    if not embs:
        raise WandError(f"none of the tries of {name!r} starts with enough motion for the wand to notice")
    if args.radius is not None and not 0.0 < args.radius < 2.0:
        raise WandError(f"--radius {args.radius}: a cosine distance between 0 and 2")
    g = enrolled.enrol(name, embs, person=tries[0].person, radius=args.radius)
    path = enrolled.save()
    print(f"enrolled {name!r} from {len(embs)} tries (rejection distance {g.radius:.2f}) in {path}; "
          f"map it in your config, e.g. {name} = \"key:enter\"")
    return 0


@command("import", "import CSV recordings (like ../shared/datasets) as gesture tries")
def cmd_import(args) -> int:
    from .datasets import FORMATS, USER_RECORDINGS_DIR, read_tti_csv
    from .recordings import check_gesture_name, write_wand_csv
    name = check_gesture_name(args.gesture)
    if args.format != "tti-csv":
        raise WandError(f"import reads files of format tti-csv; {args.format!r} is a folder format "
                        f"({', '.join(FORMATS)})")
    out = Path(args.out) if args.out else USER_RECORDINGS_DIR
    saved = 0
    for f in args.files:
        for rec in read_tti_csv(Path(f), label=name, person=args.person):
            rec.meta = {"board": "nano33ble-rev1", "source": rec.source}
            print(f"  {write_wand_csv(rec, out, stem=f'{Path(f).stem}-{args.person}')}")
            saved += 1
    print(f"imported {saved} tries of {name!r} into {out / name}")
    return 0


@command("train", "retrain the on-chip model (with your recorded gestures), export int8 + C array")
def cmd_train(args) -> int:
    from .train_cli import train_cli
    return train_cli(args)


@command("bench", "benchmarks: model (ours vs TFLM magic_wand), fewshot, daemon latency")
def cmd_bench(args) -> int:
    from .bench import bench_cli
    return bench_cli(args)


# --- parser --------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wand", description="magic wand: gestures in, keys/mouse/gamepad/MIDI out")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str):
        fn, help_text = COMMANDS[name]
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=fn)
        p.add_argument("--model", help="gesture model .tflite (default: the built-in one)")
        return p

    p = add("demo")
    p.add_argument("--tries", type=int, default=6, help="tries replayed per gesture (default 6)")
    p.add_argument("--speed", type=float, default=8.0, help="replay speed, x real time (0: no waiting)")
    p.add_argument("--seed", type=int, default=1)
    p = add("run")
    p.add_argument("--config", help="mapping config (default ~/.config/wand/config.toml)")
    p.add_argument("--address", action="append", help="connect to this wand (repeat for several)")
    p.add_argument("--sim", action="store_true", help="use a simulated wand instead of BLE")
    p.add_argument("--dry-run", action="store_true", help="log actions instead of performing them")
    p.add_argument("--enrolled", help="few-shot enrolment file (default ~/.config/wand/enrolled.json)")
    p.add_argument("--scan-timeout", type=float, default=5.0)
    p = add("scan")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to scan")
    add("status")
    p = add("config")
    p.add_argument("action", choices=["check", "example"])
    p.add_argument("name", nargs="?", help="config file to check, or example name")
    add("gestures")
    p = add("record")
    p.add_argument("name", help="gesture name (lower case, digits, - or _)")
    p.add_argument("--tries", type=int, default=10, help="tries to record (default 10)")
    p.add_argument("--person", default=os.environ.get("USER", "me"), help="who is recording")
    p.add_argument("--address", help="wand to record from (default: the first found)")
    p.add_argument("--sim", metavar="GESTURE", help="record from the simulated wand replaying this data-set gesture")
    p.add_argument("--out", help="recordings folder (default gestures/recordings)")
    p.add_argument("--yes", action="store_true", help="keep every try without asking")
    p = add("enrol")
    p.add_argument("name", help="recorded gesture to enrol (from gestures/recordings/NAME)")
    p.add_argument("--tries", type=int, default=3, help="how many recorded tries to use (default 3)")
    p.add_argument("--recordings", help="recordings folder (default gestures/recordings)")
    p.add_argument("--enrolled", help="enrolment file (default ~/.config/wand/enrolled.json)")
    p.add_argument("--replace", action="store_true", help="replace an existing enrolment of NAME")
    p.add_argument("--radius", type=float,
                   help="rejection distance (cosine, default from the tries' spread, at least 0.2): "
                        "smaller = fewer false matches, more misses")
    p = add("import")
    p.add_argument("files", nargs="+", help="CSV files (tiny-trainable-instruments format: aX,aY,aZ,gX,gY,gZ)")
    p.add_argument("--gesture", required=True, help="gesture name for the imported tries")
    p.add_argument("--person", default="imported")
    p.add_argument("--format", default="tti-csv", help="input format (default tti-csv)")
    p.add_argument("--out", help="recordings folder (default gestures/recordings)")
    p = add("train")
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--augment", type=int, default=10, help="augmented copies per try")
    p.add_argument("--out", help="run folder (default runs/<date-time>)")
    p.add_argument("--install", action="store_true",
                   help="make the result the default model (package + firmware model_data.cc)")
    p.add_argument("--no-user", action="store_true", help="leave out your own recordings")
    p = add("bench")
    p.add_argument("what", choices=["model", "fewshot", "daemon", "all"])
    p.add_argument("--quick", action="store_true", help="fewer epochs (a smoke run, not the figures)")
    p.add_argument("--out", help="folder for plots and JSON (default runs/bench-<date-time>)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        logging.getLogger("bleak").setLevel(logging.ERROR)  # its guesses about BlueZ are not the user's problem
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except WandError as e:
        print(f"wand {args.command}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"wand {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug, not a user error: one line unless asked for the traceback
        if os.environ.get("WAND_DEBUG"):
            raise
        print(f"wand {args.command}: internal error: {type(e).__name__}: {e} "
              "(set WAND_DEBUG=1 for the traceback, and please report it)", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
