"""Training: windows built by the chip's pipeline, honest transforms, and a tiny end-to-end run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from training.augment import TRANSFORMS, augment, mirror_lr, reverse
from training.windows import WindowSpec, eval_windows, training_windows, transform_distances


def test_transforms_are_involutions_and_physical(vocab):
    raw = vocab["circle_cw"].recordings()[0].samples
    assert np.array_equal(reverse(reverse(raw)), raw)
    assert np.array_equal(mirror_lr(mirror_lr(raw)), raw)
    r = reverse(raw)
    assert np.array_equal(r[:, :3], raw[::-1, :3])  # acceleration: same sign, backwards in time
    assert np.array_equal(r[:, 3:], -raw[::-1, 3:])  # rotation rate: reversed and negated
    assert set(TRANSFORMS) >= {"id", "rev", "lr", "ud"}


def test_augment_keeps_shape_class_and_units(vocab):
    raw = vocab["push_forward"].recordings()[0].samples
    rng = np.random.default_rng(0)
    out = augment(raw, rng)
    assert out.shape[1] == 6 and 0.6 * len(raw) < len(out) < 1.5 * len(raw)
    assert abs(np.linalg.norm(out[-5:, :3], axis=1).mean() - np.linalg.norm(raw[-5:, :3], axis=1).mean()) < 300


def test_symmetry_is_measured_not_assumed(vocab):
    spec = WindowSpec()
    classes = [[], vocab["circle_cw"].recordings(), vocab["push_forward"].recordings()]
    ratios = transform_distances(classes, spec)
    assert ratios[1]["rev"] > 1.5  # a circle backwards is the other circle
    assert ratios[2]["rev"] < 1.3  # a push backwards still looks like a push


def test_training_windows_labels(vocab):
    spec = WindowSpec()
    classes = [[], vocab["circle_cw"].recordings(), vocab["push_forward"].recordings()]
    ts = training_windows(classes, spec, np.random.default_rng(0), n_aug=1)
    assert ts.x.shape[1:] == (spec.window, 6) and ts.x.dtype == np.int8
    assert set(np.unique(ts.y)) == {0, 1, 2}  # reversed/mirrored circles became "other"
    assert "rev" in ts.symmetries[2]  # and a reversed push stayed a push
    per_try = (spec.max_offset // 2 + 1)
    pushes = (ts.y == 2).sum() // per_try
    assert pushes == 20 * (1 + len(ts.symmetries[2]))  # each try, plus each transform that keeps it a push


def test_eval_windows_are_the_spotters_offsets(vocab):
    spec = WindowSpec()
    x, y = eval_windows(vocab["shake"].recordings()[:2], 7, spec)
    assert len(x) == 2 * spec.max_inferences and set(y) == {7}


@pytest.mark.slow
def test_tiny_training_run_exports_a_working_model(tmp_path):
    """A minutes-scale run in seconds: one epoch, no augmentation; checks the plumbing."""
    from training.export import read_c_array, write_firmware
    from training.train import TrainConfig, gather, run

    data = gather(include_user=False)
    m = run(TrainConfig(epochs=1, n_aug=1), tmp_path / "run", report=lambda s: None, data=data)
    assert (tmp_path / "run" / "confusion.png").stat().st_size > 1000
    saved = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert saved["classes"] == ["other", "diagonal_up_left", "circle_cw", "push_forward"]
    assert len(saved["held_out"]["folds"]) == 2  # one per person
    assert 0.0 <= m["held_out"]["accuracy"] <= 1.0 and m["cost"]["model_bytes"] < 16 * 1024
    from wand.model import load_model
    b = load_model(tmp_path / "run" / "gesture_model.tflite")
    assert set(b.info["prototypes"]) == set(data.classes[1:])
    paths = write_firmware(b, tmp_path / "fw")
    assert read_c_array(paths[1]) == b.tflite


def test_a_users_try_shorter_than_one_window_is_named_and_left_out(tmp_path):
    """A hand-edited try of 2 samples loads (the reader's minimum) but holds no model window:
    'wand train' fell over with an IndexError deep in the window code. It is now named in one
    line and left out; the user's other tries stay."""
    import numpy as np

    from training.train import long_enough
    from wand.datasets import load_vocabulary
    from wand.recordings import Recording
    vocab = {g.name: g for g in load_vocabulary()}
    good = vocab["shake"].recordings()[:2]
    short = Recording("shake", np.array([[0, 0, 1000, 100, 0, 0], [0, 0, 1000, -100, 0, 0]]), 50, "mallory",
                      source="short.csv")
    said = []
    kept = long_enough({"shake": good + [short], "tiny": [short]}, say=said.append)
    assert kept == {"shake": good}
    assert len(said) == 2 and all("short.csv: 2 samples at 50 Hz, shorter than the model's 0.72 s window" in s
                                  for s in said)
