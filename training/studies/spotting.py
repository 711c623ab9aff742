"""Choosing the spotter's settings on validation people, and the report on test people.

Two measures of everyday motion, both replayed through the wand's own pipeline
(``wand.streams.WandReplay``: the model through TFLM and the firmware's spotter):

* **streams** (``wand.streams``): sp-sw-har people's everyday motion with real tries
  inserted between real rests. Its recordings and rests are spliced end to end, and
  where two watch recordings meet the gravity direction jumps in one sample: a step
  in acceleration a push looks like. So false triggers are also split into those
  within ``SPLICE_S`` after a splice and the rest.
* **recordings**: each everyday recording replayed alone from a fresh start (no
  splice, no inserted try): false triggers per hour of real everyday motion only.

Which tries (only two people perform the built-in gestures, one of them the test
person): with ``part="validation"`` the built-in gestures of the TRAINING person
(tti-data), which the model has seen, so their recall measures what segmentation loses,
not how well a new person is recognised, plus the validation person's (tti-20210623)
other gestures, which should not fire. ``part="test"``: sp-sw-har test people and
tti-peter, for the report only.

    python -m training.studies.spotting [--seeds 0 1 2] [--model PATH] [--part validation]
                                [--set threshold=240 ...] [--curve out.png] [--json out.json]
                                [--gyro-offset 120,-80,100] [--no-gyro-bias]

``--gyro-offset`` adds a constant to every gyro reading of the everyday motion and the
streams: SYNTHETIC, a board whose gyro reads that much at rest (the data's boards read
1-7 deg/s); ``--no-gyro-bias`` turns the core's offset tracker off, for comparison.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np

from wand.protocol import ConfigPacket
from wand.recordings import Recording
from wand.streams import UNKNOWN, Stream, WandReplay, build_stream, plot_curve, score, wand_threshold_curve

TTI = "tiny-trainable-instruments"
SPLICE_S = 2.0  # a false trigger this soon after a splice is counted as the splice's
STREAM_RATE = 119  # the wand IMU's rate (Rev1)


def everyday(part: str) -> list[Recording]:
    from wand.datasets import load_named, load_split
    return load_split("sp-sw-har").apply(load_named("sp-sw-har"))[part]


def stream_for(part: str, seed: int, rate_hz: int = STREAM_RATE) -> tuple[Stream, set[str]]:
    from wand.datasets import load_split, load_vocabulary
    split = load_split(TTI)
    vocab = load_vocabulary()
    known = {g.name for g in vocab if g.role == "model"}
    gesture_part = "train" if part == "validation" else part
    tries = [r for g in vocab if g.role == "model" for r in g.recordings()
             if split.part_of_person(r.person) == gesture_part]
    tries += [r for g in vocab if g.role == "unseen" for r in g.recordings()
              if split.part_of_person(r.person) == part]
    return build_stream(everyday(part), tries, rate_hz, seed), known


def false_triggers_at_splices(stream: Stream, samples: list[int]) -> int:
    """How many of these false-trigger samples come within SPLICE_S after a splice."""
    starts = np.array([p.start for p in stream.pieces[1:]])
    near = int(SPLICE_S * stream.rate_hz)
    return sum(bool(np.any((s >= starts) & (s < starts + near))) for s in samples)


def stream_measure(replay: WandReplay, stream: Stream, known: set[str], tolerance_s: float = 1.0) -> dict:
    dets = replay.run(stream.samples, stream.rate_hz)
    sc = score(stream, dets, known, tolerance_s)
    tol = int(tolerance_s * stream.rate_hz)
    false = [d.sample for d in dets if d.gesture != UNKNOWN
             and not any(i.start <= d.sample < i.end + tol for i in stream.inserts)]
    return sc.as_dict() | {"false_at_splices": false_triggers_at_splices(stream, false)}


def recordings_measure(replay: WandReplay, recs: list[Recording]) -> dict:
    """Each everyday recording alone, from a fresh start: named events per hour, and onsets
    (the spotter leaving IDLE: chances the model gets to fire, whatever the model)."""
    from wand.wand_core.spotter import Spotter, State
    onsets, plain = [0], Spotter.on_sample

    def counting(self, acc_l1: int, gyro_l1: int, t_ms: int) -> bool:
        before = self.state
        due = plain(self, acc_l1, gyro_l1, t_ms)
        onsets[0] += before == State.IDLE and self.state == State.CAPTURE
        return due
    Spotter.on_sample = counting
    try:
        events = sum(sum(d.gesture != UNKNOWN for d in replay.run(r.samples, r.rate_hz)) for r in recs)
    finally:
        Spotter.on_sample = plain
    hours = sum(r.duration_s for r in recs) / 3600.0
    return {"false_triggers": events, "hours": hours, "false_triggers_per_hour": events / hours,
            "onsets": onsets[0], "onsets_per_hour": onsets[0] / hours}


def offset_gyro(samples: np.ndarray, offset: tuple[int, int, int]) -> np.ndarray:
    """SYNTHETIC: a board whose gyro reads ``offset`` (0.1 deg/s per axis) more than the
    recording's, on every sample."""
    out = np.array(samples, copy=True)
    out[:, 3:6] += np.asarray(offset, out.dtype)
    return out


def measure(replay: WandReplay, part: str, seeds: list[int], offset: tuple[int, int, int] = (0, 0, 0)) -> dict:
    streams = []
    for seed in seeds:
        stream, known = stream_for(part, seed)
        streams.append(stream_measure(replay, dataclasses.replace(stream, samples=offset_gyro(stream.samples, offset)),
                                      known))
    rec = recordings_measure(replay, [dataclasses.replace(r, samples=offset_gyro(r.samples, offset))
                                      for r in everyday(part)])
    ft = [s["false_triggers_per_hour"] for s in streams]
    clean = [(s["false_triggers"] - s["false_at_splices"]) / s["non_gesture_hours"] for s in streams]
    recall = [s["recall"] for s in streams]
    unseen = [s["unseen_accepts"] for s in streams]
    summary = (f"streams: {np.mean(ft):5.1f} +- {np.std(ft):4.1f} false/h ({np.mean(clean):4.1f} away from splices) "
               f"over {streams[0]['non_gesture_hours']:.3f} h x {len(seeds)} seeds, recall "
               f"{100 * np.mean(recall):5.1f}% of {streams[0]['known_tries']}, unseen accepted "
               f"{np.mean(unseen):.1f}/{streams[0]['unseen_tries']}; recordings alone: "
               f"{rec['false_triggers']} in {rec['hours']:.3f} h = {rec['false_triggers_per_hour']:.1f}/h "
               f"({rec['onsets_per_hour']:.0f} onsets/h)")
    return {"part": part, "seeds": seeds, "streams": streams, "recordings": rec, "summary": summary}


def main(argv: list[str] | None = None) -> int:
    from wand.model import load_model
    ap = argparse.ArgumentParser(prog="python -m training.studies.spotting")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--part", default="validation", choices=["validation", "test"])
    ap.add_argument("--model", help="model file (default: the installed one)")
    ap.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE", help="spotting settings (ConfigPacket)")
    ap.add_argument("--rest-lead", type=int, help="study only: the spotter's REST_LEAD (255: the old onset rule)")
    ap.add_argument("--gyro-offset", default="0,0,0", metavar="GX,GY,GZ",
                    help="SYNTHETIC: add this to every gyro reading (0.1 deg/s), a board with an offset")
    ap.add_argument("--no-gyro-bias", action="store_true", help="study only: the core without its offset tracker")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--curve", help="write the recall / false-trigger curve (first seed's stream) as PNG")
    a = ap.parse_args(argv)
    bundle = load_model(a.model)
    if a.rest_lead is not None:
        from wand.wand_core.spotter import Spotter
        Spotter.rest_lead = a.rest_lead
    if a.no_gyro_bias:
        from wand.wand_core.gyro_bias import GyroBias
        GyroBias.update = lambda self, sample: None
    offset = tuple(int(v) for v in a.gyro_offset.split(","))
    cfg = dataclasses.replace(ConfigPacket(), **{k: int(v) for k, v in (kv.split("=") for kv in a.set)})
    replay = WandReplay(bundle, cfg)
    from wand.wand_core.spotter import Spotter
    m = measure(replay, a.part, a.seeds, offset) | {
        "spotting": dataclasses.asdict(cfg), "rest_lead": Spotter.rest_lead, "model": str(a.model or "installed"),
        "model_crc32": bundle.crc32, "gyro_offset_synthetic": list(offset), "gyro_bias_tracker": not a.no_gyro_bias}
    print(f"{a.part}: {m['summary']}")
    if a.json:
        Path(a.json).write_text(json.dumps(m, indent=1) + "\n")
    if a.curve:
        stream, known = stream_for(a.part, a.seeds[0])
        curve = wand_threshold_curve(replay, stream, known)
        plot_curve(curve, Path(a.curve), f"wand on {a.part} people's everyday motion (seed {a.seeds[0]})")
        print(f"curve: {a.curve}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
