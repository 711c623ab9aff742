"""How fast the wand's gyro-offset tracker learns an offset, on real everyday motion.

The streams of ``training.studies.spotting`` (sp-sw-har people's everyday motion with real
tries between real rests, at the wand's IMU rate), with a SYNTHETIC constant offset added
to every gyro reading, fed at the model rate to ``GyroBias`` from power-on: when the
estimate first comes within 10 deg/s (summed over the axes) of the offset, and how far it
strays after that (the watch's own offset included).

    python -m training.studies.gyro_bias_study [--offset 120,-80,100] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from training.studies.spotting import offset_gyro, stream_for
from wand.wand_core.gyro_bias import GyroBias
from wand.wand_core.resampler import resample_block

MODEL_RATE = 50
NEAR_DDPS = 100  # "learned": within 10 deg/s, summed


def learning(samples: np.ndarray, rate_hz: int, offset: tuple[int, int, int]) -> dict:
    x = resample_block(offset_gyro(samples, offset), rate_hz, MODEL_RATE)
    bias, learned_at, errors = GyroBias(), None, []
    for i, s in enumerate(x.tolist()):
        bias.update(tuple(s))
        err = sum(abs(bias.bias[k] - offset[k]) for k in range(3))
        if learned_at is None and err < NEAR_DDPS:
            learned_at = i / MODEL_RATE
        if learned_at is not None:
            errors.append(err / 10)
    p50, p90, top = np.percentile(errors, [50, 90, 100]) if errors else (None,) * 3
    return {"minutes": len(x) / MODEL_RATE / 60, "learned_after_s": learned_at,
            "error_after_deg_s": {"p50": p50, "p90": p90, "max": top}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.studies.gyro_bias_study")
    ap.add_argument("--offset", default="120,-80,100", help="SYNTHETIC offset, 0.1 deg/s per axis")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--json", help="write the figures here")
    a = ap.parse_args(argv)
    offset = tuple(int(v) for v in a.offset.split(","))
    out = {"offset_synthetic": list(offset), "streams": []}
    for part in ("validation", "test"):
        for seed in a.seeds:
            stream, _ = stream_for(part, seed)
            m = {"part": part, "seed": seed} | learning(stream.samples, stream.rate_hz, offset)
            out["streams"].append(m)
            e = m["error_after_deg_s"]
            print(f"{part} seed {seed}: {m['minutes']:.1f} min; within 10 deg/s after {m['learned_after_s']} s; "
                  f"then off by {e['p50']:.1f} / {e['p90']:.1f} / {e['max']:.1f} deg/s (median / 90th pct / max)")
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
