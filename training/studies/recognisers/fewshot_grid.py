"""Few-shot operating point on the product path (issue 15): candidates side by side.

Step 1 (``capture``): every try and everyday recording is replayed once through the
simulated wand with the IMU stream on, and the host's own EventStream cuts what it would
match (templates: ``wand.enrol.cut_tries``; queries: the first event of a try's packets,
or every gesture packet of an everyday recording), with whether the model named the
packet. Step 2 (``grid``): the decision rule, replayed on those cuts for each variant
(distance, built-in competitors, radius, ratio, override), enrolments drawn as the bench
draws them. Only what ``Namer.name`` sees is captured, so step 2 is the product's decision
on the product's segments.

    python -m training.studies.recognisers.fewshot_grid capture --split validation
    python -m training.studies.recognisers.fewshot_grid grid --split validation
    python -m training.studies.recognisers.fewshot_grid assets   # rewrite wand/assets/builtin_templates.json

Validation: nano33-spells (enrol train-part tries, test validation-part tries), tti-data's
built-in tries (competitor templates from tti-peter only: no try is its own template),
sp-sw-har TRAIN people. Test: tti-20210623 unseen gestures, nano33 test part, tti-data +
tti-peter built-in tries (each person's tries against the other person's templates),
sp-sw-har VALIDATION people.
"""

from __future__ import annotations

import argparse
import pickle
import random
from pathlib import Path

import numpy as np

CACHE = Path("runs/fewshot-grid")


def _capture_names():
    """Patch ``Namer.name`` to record (model named it, segment) for every packet named."""
    import wand.events.naming as naming
    seen: list = []
    orig = naming.Namer.name

    def name(self, p, segment=None):
        seen.append((not self.unnamed(p), segment))
        return orig(self, p, segment)
    naming.Namer.name = name
    return seen


def capture(split: str) -> Path:
    from wand.datasets import load_split_data, load_vocabulary
    from wand.enrol import EnrolmentSet, cut_tries
    from wand.model import load_model
    from wand.streams import WandReplay

    seen = _capture_names()
    bundle = load_model(None)
    replay = WandReplay(bundle, imu=True)
    dummy = EnrolmentSet(bundle.rate_hz)
    dummy.enrol("dummy", [np.zeros((10, 6), np.int64) + np.arange(10)[:, None]])

    def queries(recs):
        out = []
        for r in recs:
            seen.clear()
            take = replay.first_take(r)
            if take is not None:
                replay.name(take, enrolled=dummy)
            out.append(seen[0] if seen else (False, None))
        return out

    def templates(recs):
        return [(c.gesture_id is not None and c.gesture_id < len(bundle.classes), c.segment)
                for c in cut_tries(bundle, recs)]

    vocab = load_vocabulary()
    builtin = {g.name: g.recordings() for g in vocab if g.role == "model"}
    nano = load_split_data("nano33-spells")
    by = lambda part: {lab: [r for r in nano[part] if r.label == lab] for lab in sorted({r.label for r in nano[part]})}
    data: dict = {"builtin_templates": {}, "builtin_queries": {}, "sets": {}}
    for person in ("tti-data", "tti-peter"):
        data["builtin_templates"][person] = {n: templates([r for r in rs if r.person == person]) for n, rs in builtin.items()}
        data["builtin_queries"][person] = {n: queries([r for r in rs if r.person == person]) for n, rs in builtin.items()}
    qpart = "validation" if split == "validation" else "test"
    data["sets"]["nano33"] = {"enrol": {n: templates(rs) for n, rs in by("train").items()},
                              "test": {n: queries(rs) for n, rs in by(qpart).items()}}
    if split == "test":
        tti = {g.name: g.recordings() for g in vocab if g.role == "unseen"}
        data["sets"]["tti-20210623"] = {"enrol": {n: templates(rs) for n, rs in tti.items()},
                                        "test": {n: queries(rs) for n, rs in tti.items()}}
    days = load_split_data("sp-sw-har")["train" if split == "validation" else "validation"]
    everyday = []
    for r in days:
        events = replay._events(dummy)
        seen.clear()
        for _, p in replay.packets(np.asarray(r.samples), r.rate_hz):
            replay.feed(events, p)
        events.flush()
        everyday += list(seen)
    data["everyday"] = everyday
    data["everyday_hours"] = sum(r.duration_s for r in days) / 3600
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{split}.pkl"
    path.write_bytes(pickle.dumps(data))
    print(path, len(everyday), "everyday packets", data["everyday_hours"], "h")
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["capture", "grid", "assets"])
    ap.add_argument("--split", choices=["validation", "test"], default="validation")
    a = ap.parse_args()
    if a.step == "assets":  # the shipped rival templates (wand/assets/builtin_templates.json)
        from wand.enrol import cut_builtin_templates, write_builtin_templates
        from wand.model import load_model
        b = load_model(None)
        print(write_builtin_templates(cut_builtin_templates(b), b.rate_hz))
    elif a.step == "capture":
        capture(a.split)
    else:
        from .fewshot_grid_eval import main
        main(a.split)
