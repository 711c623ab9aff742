"""The reject class: real everyday motion of sp-sw-har TRAIN people becomes "other"
windows, through the chip's integer pipeline, with a fixed share of the class."""

from __future__ import annotations

import numpy as np
import pytest

from training.windows import EVERYDAY_SHARE, WindowSpec, cut, everyday_windows, model_rate, training_windows
from wand.datasets import load_named, load_split


@pytest.fixture(scope="module")
def split_people():
    return load_split("sp-sw-har").people


def test_gather_takes_everyday_motion_from_train_people_only(split_people):
    from training.train import gather
    data = gather(include_user=False)
    people = {r.person for r in data.everyday}
    assert people == set(split_people["train"])  # never validation or test people
    assert data.by_class()[0] is not data.everyday and len(data.by_class()[0]) == len(data.everyday)
    assert not gather(include_user=False, everyday=False).everyday


def test_everyday_windows_are_the_chips_windows_of_real_motion():
    spec = WindowSpec()
    rec = load_split("sp-sw-har").apply(load_named("sp-sw-har"))["train"][0]
    w = everyday_windows([rec], spec, np.random.default_rng(0), n_aug=0, stride=8)
    assert w.dtype == np.int8 and w.shape[1:] == (spec.window, 6) and len(w) > 0
    every = cut(model_rate(rec.samples, rec.rate_hz, spec), list(range(len(rec.samples))), spec)
    assert all(any(np.array_equal(x, y) for y in every) for x in w[:5])  # cut from the recording itself


def test_everyday_motion_gets_its_share_of_other(vocab):
    spec = WindowSpec()
    rec = load_split("sp-sw-har").apply(load_named("sp-sw-har"))["train"][:3]
    gestures = [vocab["circle_cw"].recordings(), vocab["push_forward"].recordings()]
    without = training_windows([[]] + gestures, spec, np.random.default_rng(0), n_aug=1)
    ts = training_windows([rec] + gestures, spec, np.random.default_rng(0), n_aug=1)
    n = len(without.y)
    assert np.array_equal(ts.x[:n], without.x) and np.array_equal(ts.y[:n], without.y)  # gestures unchanged
    assert len(ts.y) > n and set(ts.y[n:]) == {0} and (without.y == 0).any()  # mirrored circles too
    other = ts.y == 0
    share = ts.weight[n:].sum() / ts.weight[other].sum()
    assert share == pytest.approx(EVERYDAY_SHARE)


def test_a_fold_of_gesture_people_keeps_the_everyday_motion():
    """The bench trains on its train people only: the reject class must not vanish with them."""
    from training.train import gather
    data = gather(include_user=False)
    people = {r.person for recs in data.recordings.values() for r in recs}
    fold = data.by_class(lambda r: r.person == sorted(people)[0])
    assert fold[0] and len(fold[0]) == len(data.everyday)
    assert all(r.person == sorted(people)[0] for recs in fold[1:] for r in recs)
