"""`wand bench`: the figures, each against a baseline measured in the same run.

model    our CNN vs the TFLM magic_wand CNN, same data, same held-out-person split, both
         int8 through the TFLM interpreter and the wand's spotter
fewshot  enrolment of gestures the model never learned: accuracy with 1, 3, 5 tries,
         and false matches on other gestures
daemon   packet -> output latency (p50/p99) and events/s through the daemon, against
         handling each packet directly in the notification callback
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .demo import format_table
from .paths import runs_dir

TARGETS = {"accuracy": 0.95, "model_bytes": 16 * 1024, "arena_bytes": 16 * 1024}


def _out_dir(args) -> Path:
    out = Path(args.out) if getattr(args, "out", None) else runs_dir() / time.strftime("bench-%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


# --- model -------------------------------------------------------------------------------
def bench_model(out: Path, quick: bool = False, report=print) -> dict:
    from training import evaluate
    from training.train import TrainConfig, embedding_stats, fit, gather, held_out_people, to_bundle

    from .protocol import ConfigPacket

    data = gather(include_user=False)
    config = ConfigPacket()
    results = {}
    for arch in ("wand", "magic_wand"):
        cfg = TrainConfig(arch=arch, epochs=3 if quick else 40, n_aug=2 if quick else 10)
        report(f"== {arch}: held-out people")
        held = held_out_people(data, cfg, config, report=lambda s: None if " epoch " in f" {s}" else report(s))
        model, x = fit(data.by_class(), cfg, report=lambda s: None)
        bundle = to_bundle(model, x, data.classes, cfg, data.source_rate)
        bundle.info.update(embedding_stats(bundle, data.by_class(), cfg.spec))
        unseen = [r for v in data.unseen.values() for r in v]
        fpm, _, _ = evaluate.false_triggers_per_minute(bundle, unseen, config)
        pooled = held["pooled"]
        evaluate.plot_confusion(pooled, out / f"confusion-{arch}.png", f"{arch}: held-out people")
        bundle.save(out / f"{arch}.tflite")
        results[arch] = {"accuracy": pooled.accuracy, "folds": {f["person"]: f["spot_accuracy"] for f in held["folds"]},
                         "window_accuracy": float(np.mean([f["window_accuracy"] for f in held["folds"]])),
                         "false_triggers_per_min": fpm, **evaluate.cost(bundle)}
    ours, base = results["wand"], results["magic_wand"]
    rows = [
        ["held-out spotting accuracy", f"{ours['accuracy']:.1%}", f"{base['accuracy']:.1%}",
         _ratio(ours["accuracy"], base["accuracy"])],
        *[[f"  tested on {p}", f"{ours['folds'][p]:.1%}", f"{base['folds'].get(p, 0):.1%}",
           _ratio(ours["folds"][p], base["folds"].get(p, 0))] for p in ours["folds"]],
        ["held-out window accuracy", f"{ours['window_accuracy']:.1%}", f"{base['window_accuracy']:.1%}",
         _ratio(ours["window_accuracy"], base["window_accuracy"])],
        ["false triggers / min (unknown motion)", f"{ours['false_triggers_per_min']:.1f}",
         f"{base['false_triggers_per_min']:.1f}", _ratio(ours["false_triggers_per_min"], base["false_triggers_per_min"])],
        ["model bytes (int8 .tflite)", ours["model_bytes"], base["model_bytes"], _ratio(ours["model_bytes"], base["model_bytes"])],
        ["arena bytes (TFLM, host build)", ours["arena_bytes"], base["arena_bytes"], _ratio(ours["arena_bytes"], base["arena_bytes"])],
        ["MACs / inference", ours["macs"], base["macs"], _ratio(ours["macs"], base["macs"])],
        ["instructions / inference, Cortex-M4", _m4_measured(), "-", "-"],
    ]
    report("\n" + format_table(["", "ours (wand)", "baseline (TFLM magic_wand)", "ours/baseline"], rows))
    checks = [("accuracy >= baseline", ours["accuracy"] >= base["accuracy"]),
              (f"accuracy >= {TARGETS['accuracy']:.0%}", ours["accuracy"] >= TARGETS["accuracy"]),
              ("model <= 16 KB", ours["model_bytes"] <= TARGETS["model_bytes"]),
              ("arena <= 16 KB", ours["arena_bytes"] <= TARGETS["arena_bytes"])]
    report("targets: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in checks))
    report(f"held-out = leave-one-person-out over {', '.join(ours['folds'])}; confusion matrices in {out}")
    (out / "bench-model.json").write_text(json.dumps(results, indent=2, default=float))
    return results


def _m4_measured() -> str:
    """The count `make -C firmware/tests qemu-check` measured (QEMU, Arduino TFLM kernels)."""
    path = Path(__file__).resolve().parent.parent / "firmware" / "tests" / "m4_measured.json"
    from .model import DEFAULT_MODEL

    try:
        m = json.loads(path.read_text())
        count = m["instructions_per_inference"]
        installed = f"{zlib.crc32(DEFAULT_MODEL.read_bytes()) & 0xFFFFFFFF:08x}"
    except (OSError, ValueError, KeyError):
        return "not measured: make -C firmware/tests qemu-check"
    if m["model_crc32"] != installed:
        return f"{count} (QEMU, for model {m['model_crc32']}, not the installed {installed}: re-run qemu-check)"
    return f"{count} (QEMU-measured, installed model)"


# --- few-shot ------------------------------------------------------------------------------
@dataclass
class FewShotRow:
    shots: int
    accuracy: float
    false_model: float  # tries of the model's own gestures taken for an enrolled one
    false_unenrolled: float  # tries of a new gesture that was not enrolled, taken for one that was


def bench_fewshot(out: Path, trials: int = 30, report=print, model_path: str | None = None) -> list[FewShotRow]:
    from .datasets import load_vocabulary
    from .enrol import EnrolmentSet
    from .events import EventStream
    from .model import load_model
    from .simwand.device import first_gesture_packets

    bundle = load_model(model_path)
    centre = bundle.info.get("embedding_centre", [0.0] * bundle.embedding_dims)
    vocab = load_vocabulary()
    new = {g.name: g.recordings() for g in vocab if g.role == "unseen"}
    known = [r for g in vocab if g.role == "model" for r in g.recordings()]

    packets = {n: first_gesture_packets(bundle, r) for n, r in new.items()}
    known_packets = first_gesture_packets(bundle, known)
    rng = random.Random(0)
    rows = []
    from .protocol import GesturePacket
    for shots in (1, 3, 5):
        acc, fm, fu = [], [], []
        for _ in range(trials):
            names = list(new)
            left_out = rng.choice(names)
            enrolled = EnrolmentSet(bundle.crc32, centre)
            tests = []
            for n in names:
                idx = [i for i, p in enumerate(packets[n]) if p is not None]
                rng.shuffle(idx)
                if n != left_out:
                    enrolled.enrol(n, [GesturePacket.decode(packets[n][i]).embedding for i in idx[:shots]])
                    tests += [(n, packets[n][i]) for i in idx[shots:]]
                else:
                    tests += [(None, packets[n][i]) for i in idx]

            def decide(p: bytes) -> str:
                stream = EventStream("bench", bundle, enrolled, max_age_ms=None)
                ev = stream.feed(p)
                return ev.gesture if ev and ev.source == "enrolled" else ""
            acc += [decide(p) == n for n, p in tests if n is not None]
            fu += [decide(p) != "" for n, p in tests if n is None]
            fm += [decide(p) != "" for p in known_packets if p is not None]
        rows.append(FewShotRow(shots, float(np.mean(acc)), float(np.mean(fm)), float(np.mean(fu))))
    chance = 1 / (len(new) - 1)
    report(format_table(["tries enrolled", "accuracy on enrolled gestures", "false matches: model gestures",
                         "false matches: a new gesture not enrolled"],
                        [[r.shots, f"{r.accuracy:.1%}", f"{r.false_model:.1%}", f"{r.false_unenrolled:.1%}"] for r in rows]))
    report(f"{trials} random enrolments per row; each enrols {len(new) - 1} of the data set's gestures the model "
           f"never learned ({', '.join(new)}), leaving one out as unknown motion. Baseline: chance = {chance:.0%}.")
    (out / "bench-fewshot.json").write_text(json.dumps([vars(r) for r in rows], indent=2))
    return rows


# --- daemon --------------------------------------------------------------------------------
def _bench_setup():
    from .config import example_path, load_config
    from .model import load_model
    from .outputs import OutputSet
    from .protocol import GesturePacket

    bundle = load_model()
    config = load_config(example_path("tv"))
    gid = bundle.classes.index(bundle.gesture_names[0])

    def packet(i: int) -> bytes:
        return GesturePacket(i & 0xFFFF, gid, 230, 100, i * 20, (1,) * 8).encode()
    return bundle, config, OutputSet(config.midi, dry_run=True), packet


def _direct(events: int) -> tuple[list[float], float]:
    """Baseline: decode, map and perform inside the notification callback."""
    from .events import EventStream
    from .mapper import Mapper

    bundle, config, outputs, packet = _bench_setup()
    stream, mapper = EventStream("bench", bundle, None, None), Mapper(config)
    latencies = []
    t0 = time.perf_counter()
    for i in range(events):
        start = time.perf_counter()
        ev = stream.feed(packet(i))
        for a in mapper.map(ev).actions:
            outputs.perform(a, ev)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies, events / (time.perf_counter() - t0)


async def _through_daemon(events: int) -> tuple[list[float], float]:
    """Latency: one notification at a time, to action performed. Rate: all at once."""
    from .daemon import Daemon, WandState
    from .events import EventStream

    bundle, config, outputs, packet = _bench_setup()
    daemon = Daemon(config, bundle, outputs, None, line=lambda s: None)
    st = WandState("bench", "bench", stream=EventStream("bench", bundle, None, None))
    daemon.wands["bench"] = st
    latencies: list[float] = []
    sent: dict[int, float] = {}
    waiting = asyncio.Event()

    def performed(p) -> None:
        latencies.append((time.perf_counter() - sent[p.event.seq]) * 1000)
        waiting.set()
    daemon.on_performed = performed
    stop = asyncio.Event()
    worker = asyncio.create_task(daemon.perform_events(stop))
    for i in range(events):
        waiting.clear()
        sent[i & 0xFFFF] = time.perf_counter()
        daemon._on_packet(st, packet(i))
        await waiting.wait()
    burst_done = asyncio.Event()
    count = [0]

    def counted(p) -> None:
        count[0] += 1
        if count[0] == events:
            burst_done.set()
    daemon.on_performed = counted
    t0 = time.perf_counter()
    for i in range(events, 2 * events):
        daemon._on_packet(st, packet(i))
    await burst_done.wait()
    rate = events / (time.perf_counter() - t0)
    stop.set()
    await worker
    daemon._pool.shutdown()
    return latencies, rate


def bench_daemon(out: Path, events: int = 2000, report=print) -> dict:
    res = {}
    for name, direct in (("daemon (queue + output worker)", False), ("baseline: in the BLE callback", True)):
        lat, rate = _direct(events) if direct else asyncio.run(_through_daemon(events))
        lat.sort()
        res[name] = {"p50_ms": statistics.median(lat), "p99_ms": lat[int(0.99 * (len(lat) - 1))], "events_per_s": rate}
    d, b = res["daemon (queue + output worker)"], res["baseline: in the BLE callback"]
    rows = [[n, f"{v['p50_ms']:.3f}", f"{v['p99_ms']:.3f}", f"{v['events_per_s']:.0f}"] for n, v in res.items()]
    rows.append(["daemon / baseline", _ratio(d["p50_ms"], b["p50_ms"]), _ratio(d["p99_ms"], b["p99_ms"]),
                 _ratio(d["events_per_s"], b["events_per_s"])])
    report(format_table(["path (dry-run outputs)", "p50 ms", "p99 ms", "events/s"], rows))
    report(f"{events} gesture packets, notification -> action performed. The daemon pays a thread hand-off "
           "so a held key or slow program never blocks the radio; a wand sends at most a few events/s.")
    (out / "bench-daemon.json").write_text(json.dumps(res, indent=2))
    return res


def bench_cli(args) -> int:
    out = _out_dir(args)
    if args.what in ("model", "all"):
        bench_model(out, quick=args.quick)
    if args.what in ("fewshot", "all"):
        bench_fewshot(out, trials=5 if args.quick else 30, model_path=args.model)
    if args.what in ("daemon", "all"):
        bench_daemon(out, events=200 if args.quick else 2000)
    print(f"results in {out}")
    return 0
