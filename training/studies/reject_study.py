"""Held-out-person accuracy with and without the reject class, over seeds (fold models only).

    python -m training.studies.reject_study OUT_DIR --everyday 1 --seed 0 [--final]

Trains the leave-one-person-out fold models exactly as ``training.train`` does (same
recipe, same seed), scores each held-out person's tries through TFLM and the spotter at
several thresholds, and writes ``lopo.json`` (with ``--final`` also the all-people model).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np

from wand.protocol import ConfigPacket

from .. import evaluate
from ..train import TrainConfig, embedding_stats, fit, gather, to_bundle

THRESHOLDS = (128, 160, 200, 240)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.studies.reject_study")
    ap.add_argument("out")
    ap.add_argument("--everyday", type=int, default=1, help="1: everyday motion in 'other' (0: the old recipe)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--share", type=float, help="everyday motion's share of 'other' (default: windows.EVERYDAY_SHARE)")
    ap.add_argument("--final", action="store_true")
    a = ap.parse_args(argv)
    if a.share is not None:
        from . import windows
        windows.EVERYDAY_SHARE = a.share
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = TrainConfig(include_user=False, seed=a.seed)
    data = gather(include_user=False, everyday=bool(a.everyday))
    res = {}
    for p in sorted({r.person for v in data.recordings.values() for r in v}):
        train = data.by_class(lambda r: r.person != p)
        test = {c: [r for r in data.recordings[c] if r.person == p] for c in data.classes[1:]}
        model, x = fit(train, cfg, lambda s: None)
        b = to_bundle(model, x, data.classes, cfg, data.source_rate)
        b.save(out / f"fold-{p}.tflite")
        clf = evaluate.TflmClassifier(b)
        res[p] = {t: evaluate.spot_report(b, test, dataclasses.replace(ConfigPacket(), threshold=t), clf).accuracy
                  for t in THRESHOLDS}
        print(p, res[p], flush=True)
    print("pooled", {t: round(float(np.mean([res[p][t] for p in res])), 3) for t in THRESHOLDS})
    (out / "lopo.json").write_text(json.dumps(res, indent=1) + "\n")
    if a.final:
        model, x = fit(data.by_class(), cfg, lambda s: None)
        b = to_bundle(model, x, data.classes, cfg, data.source_rate)
        b.info.update(embedding_stats(b, data.by_class(), cfg.spec))
        b.save(out / "gesture_model.tflite")
        print("final", evaluate.cost(b))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
