"""`wand demo`: the whole system, no hardware.

A simulated wand replays real recorded tries (tiny-trainable-instruments, recorded on
the wand's own board) through the firmware's pipeline and the int8 model, notifying
real gesture packets; the daemon decodes them, maps them with the TV-remote example
config and "performs" them with dry-run outputs, logging each one live. Three gestures
the model never learned are enrolled first from three tries each (few-shot: DTW on the
IMU the simulated wand streams; the first three tries that reach the wand as a new
gesture, as `wand enrol` would take them), so the demo shows both kinds of recognition.
Each line says how its gesture was named (``HOW_HEADER``). It ends with a table of what
was recognised.

Between them the wand also draws, in the air, one of each character the profile maps (the
TV example: digits for channels, shapes for commands), so the stroke path shows too: hold,
draw, hold, read on the chip, mapped, performed. No recording of a wand drawing characters
exists here, so these drawings are SYNTHETIC (``wand.datasets.synthetic_air``: a virtual
wand along held-out writers' pen strokes), marked so on every line and kept out of the
accuracy: they show the path, not how well it reads real air-writing (``wand bench strokes``).
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .config import example_path, expand_user, load_config
from .daemon import Backoff, Daemon, Performed
from .datasets import load_vocabulary
from .enrol import EnrolmentSet, cut_tries
from .errors import GestureFileError, WandError
from .model import ModelBundle, load_model
from .outputs import OutputSet
from .protocol import PACKET_TYPE_OFFSET, PKT_GESTURE, PKT_STROKE
from .recordings import Recording
from .simwand.device import Emitted, SimulatedWand
from .transport.sim import SimBackend

ENROL_TRIES = 3
SYNTHETIC_MARK = "*"  # after the gesture's name on a line: a SYNTHETIC drawing


HOW_HEADER = """each line: the try's number, the gesture performed, what the wand named it, how it was named, ok / WRONG / --
  model p=0.97      the on-chip model named it; p: the model's probability for that gesture (0-1)
  enrolled d=0.35   it matched your enrolled tries; d: DTW distance in units of the gesture's rejection radius
                    (accepted below 1.00: 0.35 is a close match, 0.96 only just inside)
  unknown p=0.62    nothing named it (--): the model's tries never agreed on one of its gestures and no enrolled
                    gesture was near enough; p: the model's highest probability for any of its gestures at the start
  stroke p=0.93     a drawing read on the chip as one of the profile's characters; p: its probability among them
  digit_5*          *: a SYNTHETIC drawing (a virtual wand along a held-out writer's pen stroke), not a recording
"""


def how(event) -> str:
    """How a gesture was named, as HOW_HEADER explains: one meaning per kind, never one 'conf' for both."""
    if event.source == "enrolled":  # the event carries 1 - distance/radius
        return f"enrolled d={1.0 - event.confidence:.2f}"
    return f"{event.source} p={event.confidence:.2f}"


@dataclass
class DemoResult:
    rows: list[tuple[str, str, int, int, int, int]]  # gesture, kind, tries, right, wrong, missed
    events: int
    seconds: float
    latencies_ms: list[float]
    drawn: list[tuple[str, str, int, int, int, int]] = field(default_factory=list)  # SYNTHETIC drawings, same columns

    @property
    def accuracy(self) -> float:
        """Over the real tries only: a synthetic drawing is never an accuracy."""
        tries = sum(r[2] for r in self.rows)
        return sum(r[3] for r in self.rows) / tries if tries else 0.0


def _takes(bundle: ModelBundle, per_gesture: int, seed: int) -> tuple[list[Recording], dict[str, list[Recording]]]:
    """Tries of the model's gestures to replay, and each unseen gesture's tries (shuffled):
    the first that reach the wand as a new gesture enrol it, the rest are replayed."""
    rng = random.Random(seed)
    takes, unseen = [], {}
    for g in load_vocabulary():
        if g.role != "unseen" and g.name not in bundle.classes:
            continue
        recs = g.recordings()
        rng.shuffle(recs)
        if g.role == "unseen":
            unseen[g.name] = recs
        else:
            takes.extend(recs[:per_gesture])
    return takes, unseen


def _enrol(bundle: ModelBundle, enrolled: EnrolmentSet, name: str, recs: list[Recording],
           line: Callable[[str], None]) -> list[Recording]:
    """Enrol ``name`` from its first ENROL_TRIES tries that reach the wand as a new gesture
    (a try the model takes for its own, or too gentle to start one, cannot be a template);
    returns the tries not used, for the replay."""
    segments, used = [], 0
    for rec in recs:
        if len(segments) == ENROL_TRIES:
            break
        used += 1
        cut = cut_tries(bundle, [rec])[0]
        if cut.segment is not None:
            segments.append(cut.segment)
    if not segments:
        line(f"{name!r}: no try reached the wand as a new gesture; not enrolled")
        return []
    g = enrolled.enrol(name, segments, person=recs[0].person)
    skipped = used - len(segments)
    line(f"enrolled {name!r} from {len(g.tries)} tries (IMU templates, DTW; spread {g.scale:.3f})"
         + (f"; {skipped} other {'try' if skipped == 1 else 'tries'} did not reach the wand as a new gesture"
            if skipped else ""))
    return recs[used:]


def _drawings(config, per_character: int, seed: int, line: Callable[[str], None]) -> list[Recording]:
    """SYNTHETIC air-drawn tries of each character the default profile maps (none: none)."""
    from .characters import is_character
    from .datasets.synthetic_air import synthetic_try
    names = sorted(n for n in config.profiles[config.default_profile].gestures if is_character(n))
    out, lacking = [], []
    for name in names if per_character > 0 else []:
        try:
            out += [synthetic_try(name, 1000 * seed + k) for k in range(per_character)]
        except GestureFileError as e:  # the pen data is there but a file of it does not read: say which, once
            line(f"no drawings: the pen data does not read ({e})")
            return []
        except ValueError:  # no held-out pen strokes of it here (the shared data is missing)
            lacking.append(name)
    if lacking:
        line(f"no pen strokes here to draw {', '.join(lacking)}: not drawn")
    return out


def run_demo(per_gesture: int = 6, speed: float = 8.0, seed: int = 1, line: Callable[[str], None] = print,
             model_path: str | None = None, view: tuple[Path, int] | None = None, config_name: str = "tv",
             trace_png: Path | None = None, draw: int = 1) -> DemoResult:
    """``view``: (recordings folder, port) to serve the live page too; it stays up after the
    replay until Ctrl+C. ``config_name``: an example or a config file; its continuous controls
    are traced and saved as a PNG (``trace_png``). ``draw``: SYNTHETIC drawings of each
    character the profile maps (0: none)."""
    if per_gesture < 1 or not speed >= 0 or draw < 0:
        raise WandError(f"the demo needs at least 1 try per gesture, a speed of 0 or more and 0 or more drawings "
                        f"(got {per_gesture} tries, speed {speed}, {draw} drawings)")
    t0 = time.monotonic()
    bundle = load_model(model_path)
    takes, unseen = _takes(bundle, per_gesture, seed)
    line(f"model: {', '.join(bundle.gesture_names)} ({len(bundle.tflite)} bytes int8, crc {bundle.crc32:08x})")
    enrolled = EnrolmentSet(bundle.rate_hz)
    with tempfile.TemporaryDirectory() as tmp:
        enrolled.path = Path(tmp) / "enrolled.json"
        for name, recs in unseen.items():
            takes.extend(_enrol(bundle, enrolled, name, recs, line)[:per_gesture])
        config = load_config(_config_path(config_name))
        real = len(takes)
        takes.extend(_drawings(config, draw, seed, line))
        random.Random(seed).shuffle(takes)
        line(f"config: {config.path.name}, profile {config.default_profile!r}; outputs: dry run")
        for prof in config.profiles.values():
            for c in prof.controls.values():
                line(f"  {prof.name}: control {c.name}: {c.describe()}")
        line(f"replaying {real} real tries at {speed:g}x speed; IMU stream on for the enrolled "
             f"gestures ({bundle.rate_hz} notifications/s)")
        if len(takes) > real:
            line(f"and {len(takes) - real} SYNTHETIC drawings{SYNTHETIC_MARK} of the characters the profile maps "
                 f"(hold still, draw, hold still): they show the path, not an accuracy")
        line("")
        return asyncio.run(_replay(bundle, takes, enrolled, config, speed, line, t0, view, trace_png))


def _config_path(name: str) -> Path:
    """An example's name (tv, music, presentation, home) or a config file."""
    path = expand_user(name)
    return path if path.suffix == ".toml" or path.exists() else example_path(name)


async def _replay(bundle, takes, enrolled, config, speed, line, t0, view=None, trace_png=None) -> DemoResult:
    from .control.trace import ControlTrace
    wand = SimulatedWand(bundle, takes, name="wand-sim")
    take_of_seq: dict[int, int] = {}

    def emitted(e: Emitted) -> None:
        if e.packet[PACKET_TYPE_OFFSET] in (PKT_GESTURE, PKT_STROKE):  # one sequence for both
            take_of_seq[int.from_bytes(e.packet[1:3], "little")] = e.take
    wand.on_emit = emitted
    backend = SimBackend(wand)
    daemon = Daemon(config, bundle, OutputSet(config, dry_run=True), enrolled, line=line, backoff=Backoff(0.05, 0.5))
    decided: dict[int, Performed] = {}
    latencies = []

    def performed(p: Performed) -> None:
        take = take_of_seq.get(p.event.seq, -1)
        truth = takes[take].label if take >= 0 else "?"
        shown = truth + SYNTHETIC_MARK if take >= 0 and _synthetic(takes[take]) else truth
        mark = "ok" if p.event.gesture == truth else ("--" if p.event.gesture == "unknown" else "WRONG")
        latencies.append((p.done_at - p.event.received_at) * 1000)
        if take not in decided:
            decided[take] = p
        line(f"  try {take + 1:3d}  performed {shown:<18} wand: {p.event.gesture:<18} "
             f"{how(p.event):<16} {mark:5s} -> {'; '.join(p.results)}")
    daemon.on_performed = performed
    line(HOW_HEADER)
    trace = ControlTrace(bundle.rate_hz, line)
    daemon.on_control = lambda command, result, received: trace.add(command, result)
    stop = asyncio.Event()
    page = await _open_page(daemon, view, line) if view else None
    runner = asyncio.create_task(daemon.run([backend], stop))
    while not daemon.wands or daemon.wands["wand-sim"].state != "connected":
        await asyncio.sleep(0.01)
    await wand.run(speed=speed)
    await asyncio.sleep(0.3)
    if page is not None:
        await _until_interrupted(page, line)
    stop.set()
    await runner
    if trace.points:
        png = trace.save_png(trace_png or _default_trace(config), f"wand demo --config {config.path.name}: "
                                                                  "continuous control (dry run)")
        line(f"\ncontinuous control: {trace.messages()} values sent; trace: {png}")
    return _summary(takes, decided, enrolled, daemon, latencies, t0, line)


async def _open_page(daemon, view: tuple[Path, int], line):
    from .view import open_view
    page_stop = asyncio.Event()  # the page outlives the replay
    return await open_view(daemon, view[0], page_stop, port=view[1], line=line), page_stop


async def _until_interrupted(page, line) -> None:
    """Keep the page up after the replay until Ctrl+C (or SIGTERM)."""
    from .commands._common import stop_on_signals
    view, page_stop = page
    line("replay done; the live page stays up (record and teach there): Ctrl+C to stop")
    stop_on_signals(page_stop)
    await page_stop.wait()
    await view.close()


def _default_trace(config) -> Path:
    from .paths import runs_dir
    return runs_dir() / f"demo-{config.path.stem}-control.png"


def _synthetic(rec: Recording) -> bool:
    return rec.meta.get("synthetic") == "true"


def _summary(takes, decided, enrolled, daemon, latencies, t0, line) -> DemoResult:
    counts: dict[str, Counter] = defaultdict(Counter)
    for i, rec in enumerate(takes):
        got = decided.get(i)
        outcome = "missed" if got is None or got.event.gesture == "unknown" else \
            ("right" if got.event.gesture == rec.label else "wrong")
        counts[rec.label][outcome] += 1
    drawn_names = {rec.label for rec in takes if _synthetic(rec)}
    rows, drawn = [], []
    for name in sorted(counts, key=lambda n: (n in enrolled.gestures, n)):
        c = counts[name]
        kind = f"enrolled ({len(enrolled.gestures[name].tries)} tries)" if name in enrolled.gestures else "model"
        if name in drawn_names:
            drawn.append((name + SYNTHETIC_MARK, "stroke model", sum(c.values()), c["right"], c["wrong"], c["missed"]))
        else:
            rows.append((name, kind, sum(c.values()), c["right"], c["wrong"], c["missed"]))
    stats = daemon.wands["wand-sim"].stream.stats
    result = DemoResult(rows, stats.delivered, time.monotonic() - t0, latencies, drawn)
    line("\n" + format_table(["gesture", "recognised by", "tries", "right", "wrong", "missed"],
                             [list(r) for r in rows + drawn]))
    total = sum(r[2] for r in rows)
    line(f"\n{sum(r[3] for r in rows)}/{total} real tries recognised ({result.accuracy:.0%}); "
         f"{stats.delivered} gesture and stroke packets, {stats.duplicates} duplicates dropped, {stats.lost} lost, "
         f"{stats.corrupt} corrupt")
    if drawn:
        line(f"{sum(r[3] for r in drawn)}/{sum(r[2] for r in drawn)} SYNTHETIC drawings{SYNTHETIC_MARK} read as "
             f"drawn: not an accuracy (real strokes: 'wand bench strokes')")
    if latencies:
        lat = sorted(latencies)
        line(f"packet -> output latency in the daemon: median {lat[len(lat) // 2]:.1f} ms, max {lat[-1]:.1f} ms")
    line("(the model was trained on these people's tries of its own gestures; for accuracy on people it "
         "never saw, see 'wand bench model')")
    line(f"demo took {result.seconds:.1f} s")
    return result


def format_table(header: list[str], rows: list[list]) -> str:
    cells = [header] + [[f"{v:.3g}" if isinstance(v, float) else str(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    out = [" | ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(out)
