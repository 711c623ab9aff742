"""The stroke model's "other" class (issue 19): everyday motion's strokes, cut by the
twin's own intent rule, as a reject the chip applies through the characters' mass; the
host's batch reading is the chip's decision; a model with or without the class loads."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from training.strokes import OTHER, Recipe, chip_reads, everyday_strokes, num_outputs
from wand.characters import STROKE_LABELS, STROKE_MODEL_LABELS, STROKE_OTHER
from wand.datasets import load_split
from wand.errors import ModelError
from wand.protocol import STROKE_UNKNOWN, StrokeConfigPacket
from wand.stroke_model import STROKE_MODEL, load_stroke_model
from wand.wand_core.stroke import decide

from helpers import needs_dataset

needs_everyday = needs_dataset("sp-sw-har")


def test_other_is_the_class_after_the_vocabulary_and_no_mask_bit_names_it():
    assert OTHER == len(STROKE_LABELS) and STROKE_MODEL_LABELS[1][OTHER] == STROKE_OTHER
    assert num_outputs(Recipe(everyday_rounds=0)) == len(STROKE_LABELS)
    assert num_outputs(Recipe(everyday_rounds=3)) == len(STROKE_LABELS) + 1
    assert not StrokeConfigPacket().active_mask >> OTHER  # the default (all) listens for characters only


def test_the_hosts_batch_reading_is_the_chips_decision():
    """chip_reads (training, bench) against wand_core.stroke.decide (the firmware's twin) on
    random 45-class probabilities, active sets, masses and thresholds; the "other" class
    takes mass it never wins."""
    rng = np.random.default_rng(7)
    probs = rng.integers(0, 256, (400, OTHER + 1))
    probs[2::4, :OTHER] //= 20  # small: summed, about as much as a mass (0..255) asks
    probs[::3, OTHER] = 250  # mostly "other": under most masses
    probs[::5, :OTHER] = 0  # nothing active at all
    probs[1::7, :OTHER // 2] = 0  # the first half of the characters hold nothing
    for k in range(40):
        active = sorted(rng.choice(OTHER, size=int(rng.integers(1, OTHER + 1)), replace=False).tolist())
        mass, thr = int(rng.integers(0, 256)), int(rng.integers(0, 256)) if k % 4 else 0
        cfg = StrokeConfigPacket(threshold=thr, min_character_mass=mass, active_mask=sum(1 << i for i in active))
        host = chip_reads(probs, active, mass, thr)
        chip = [decide(p.tolist(), cfg).char_id for p in probs]
        assert host.tolist() == [-1 if c == STROKE_UNKNOWN else c for c in chip], (k, mass, thr)
        assert OTHER not in host


@needs_everyday
def test_everyday_strokes_are_the_twins_cuts_of_that_part_only(monkeypatch):
    import training.strokes as ts
    loaded = ts.load_split_data("sp-sw-har")  # once, not per call: the cuts are what is tested
    monkeypatch.setattr(ts, "load_split_data", lambda name: loaded if name == "sp-sw-har" else None)

    def cut(rounds: int, seed: int = 3):
        return everyday_strokes("validation", rounds, seed, report=lambda _s: None, limit=12)
    x, people, hours = cut(1)
    assert hours == pytest.approx(2 * sum(r.duration_s for r in loaded["validation"][:12]) / 3600)
    assert x.dtype == np.int8 and x.shape[1:] == (32, 4) and len(x) == len(people) > 10
    assert np.array_equal(x, cut(1)[0]) and not np.array_equal(x, cut(1, seed=4)[0])  # the seed's cuts
    assert set(people) <= set(load_split("sp-sw-har").people["validation"]) and len(set(people)) > 1
    assert len(cut(0)[0]) < len(x)  # the data hardly pauses: the pauses are what the rule cuts


def _copy_with_labels(tmp_path, labels):
    shutil.copy(STROKE_MODEL, tmp_path / "m.tflite")
    meta = json.loads(STROKE_MODEL.with_suffix(".json").read_text())
    meta["labels"] = labels
    (tmp_path / "m.json").write_text(json.dumps(meta))
    return tmp_path / "m.tflite"


def test_the_shipped_model_loads_with_its_labels_and_not_with_the_vocabulary_alone(tmp_path):
    full = list(STROKE_LABELS) + [STROKE_OTHER]
    assert load_stroke_model(_copy_with_labels(tmp_path, full)).labels == full
    with pytest.raises(ModelError, match="44 labels for a model with 45 outputs"):
        load_stroke_model(_copy_with_labels(tmp_path, list(STROKE_LABELS)))


@pytest.mark.parametrize("labels", [[STROKE_OTHER] + list(STROKE_LABELS), list(STROKE_LABELS) + ["noise"],
                                    list(STROKE_LABELS[:-1])])
def test_other_anywhere_else_or_another_name_is_refused(tmp_path, labels):
    with pytest.raises(ModelError, match="labels differ"):
        load_stroke_model(_copy_with_labels(tmp_path, labels))
