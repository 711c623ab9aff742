"""The simulator's pipeline stages on real data: streaming == vectorised, and the spotter."""

from __future__ import annotations

import numpy as np

from wand.protocol import ConfigPacket
from wand.wand_core.features import motion, to_input, to_input_block
from wand.wand_core.resampler import Resampler, div_round, resample_block
from wand.wand_core.spotter import State, Spotter


def test_div_round_is_floor_of_half_up():
    assert [div_round(a, 2) for a in (5, -5, -7, 4)] == [3, -2, -3, 2]


def test_streaming_resampler_equals_block_version_on_real_data(tti_recordings):
    for rate_in in (119, 100, 50, 25):
        for rec in tti_recordings[::15]:
            r = Resampler(rate_in, 50)
            streamed = [o for s in rec.samples for o in r.push(tuple(int(v) for v in s))]
            block = resample_block(rec.samples, rate_in, 50)
            assert np.array_equal(np.array(streamed), block)
    assert len(resample_block(tti_recordings[0].samples, 119, 50)) == 50  # a 1 s try -> 50 samples


def test_feature_block_equals_scalar_version(tti_recordings):
    x = np.concatenate([r.samples for r in tti_recordings[:5]])
    assert np.array_equal(to_input_block(x), np.array([to_input(tuple(s)) for s in x], np.int8))
    assert to_input((5000, -5000, 0, 20000, -20000, 0)) == (127, -128, 0, 127, -128, 0)
    assert motion((-100, 200, -300, 10, -20, 30)) == (600, 60)


def test_spotter_waits_for_onset_and_rearms_after_stillness():
    cfg = ConfigPacket(agree=2, max_inferences=3)
    sp = Spotter(cfg, window=4, hop=2)
    assert not any(sp.on_sample(1000, 50, t) for t in range(100))  # held still: nothing to do
    assert sp.state == State.IDLE
    due = [sp.on_sample(1000, 3000, t) for t in range(4)]
    assert due == [False, False, False, True]
    assert sp.on_inference([10, 240, 3, 3], (1,) * 8, 0) is None  # one vote is not enough
    assert not sp.on_sample(1000, 3000, 5)
    assert sp.on_sample(1000, 3000, 6)
    spot = sp.on_inference([10, 240, 3, 3], (2,) * 8, 6)
    assert spot.gesture_id == 1 and spot.embedding == (1,) * 8  # the onset-aligned window's embedding
    assert sp.state == State.DONE
    for t in range(7, 7 + cfg.quiet_samples):
        sp.on_sample(1000, 0, t)
    assert sp.state == State.IDLE
