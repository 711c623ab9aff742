"""The spotter counts an onset only from rest, pinned on real data (and the C++ unit test
feeds the firmware's spotter the same real numbers: checked here against the files)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from conftest import FIRMWARE_TESTS
from wand.datasets import find_dataset
from wand.datasets.sphar import read_sphar_csv
from wand.protocol import ConfigPacket
from wand.wand_core.features import motion
from wand.wand_core.resampler import resample_block
from wand.wand_core.spotter import REST_LEAD, State, Spotter

# sp-sw-har s03 (a train person), file 07, model-rate (50 Hz) samples 24..115: the watch
# held still (samples 24-38, under 20 deg/s), then slow motion under the gate for 38
# samples, then over it.
WALK_FILE, WALK_FROM, WALK_TO, WALK_ONSET = "DATA/s03/s03_07_sw.csv", 24, 116, 76
# tiny-trainable-instruments tti-data push_forward, the first try: a real gesture
TRY_FILE = "notebooks/gesture/data/gesture2.csv"
WINDOW, HOP = 36, 4  # the installed model's


def _model_rate_motion(samples: np.ndarray, rate: int) -> list[tuple[int, int]]:
    return [motion(tuple(s)) for s in resample_block(samples, rate, 50).tolist()]


@pytest.fixture(scope="module")
def everyday() -> list[tuple[int, int]]:
    rec = read_sphar_csv(find_dataset("sp-sw-har") / WALK_FILE)
    return _model_rate_motion(rec.samples, rec.rate_hz)[WALK_FROM:WALK_TO]


@pytest.fixture(scope="module")
def gesture(vocab) -> list[tuple[int, int]]:
    rec = next(r for r in vocab["push_forward"].recordings() if r.source.endswith(TRY_FILE + "#0"))
    return _model_rate_motion(rec.samples, rec.rate_hz)


def _onsets(stretch: list[tuple[int, int]], rest_lead: int = REST_LEAD) -> list[int]:
    """Where the spotter starts a capture, with a classifier that is always sure (gesture 1)."""
    sp = Spotter(ConfigPacket(), WINDOW, HOP)
    sp.rest_lead = rest_lead
    out = []
    for i, (acc, gyro) in enumerate(stretch):
        idle = sp.state == State.IDLE
        if sp.on_sample(acc, gyro, 20 * i):
            sp.on_inference([0, 255, 0, 0], (0,) * 8, 20 * i)
        if idle and sp.state != State.IDLE:
            out.append(i)
    return out


def test_everyday_motion_that_drifts_away_from_rest_no_longer_fires(everyday):
    cfg = ConfigPacket()
    assert all(g < cfg.gyro_quiet_ddps for _, g in everyday[:cfg.quiet_samples])  # real rest first
    assert _onsets(everyday, rest_lead=255) == [WALK_ONSET - WALK_FROM]  # the old onset rule fired here
    assert _onsets(everyday) == []  # 38 samples after rest is too late to be a gesture's start


def test_a_real_gesture_right_after_real_rest_still_fires(everyday, gesture):
    rest = everyday[:ConfigPacket().quiet_samples]
    stretch = rest + gesture
    assert _onsets(stretch) == [len(rest)]
    # and from power-on (a reset counts as rest): a try replayed alone is judged as before
    assert _onsets(gesture) == [0]


def test_an_onset_within_the_lead_after_rest_counts(everyday):
    rest = everyday[:ConfigPacket().quiet_samples]
    ramp = [(1000, 1000)] * (REST_LEAD - 1)  # moving, under the gate, still within the lead
    assert _onsets(rest + ramp + [(1000, 3000)]) == [len(rest) + len(ramp)]
    assert _onsets(rest + ramp + [(1000, 1000), (1000, 3000)]) == []  # one sample too late


def _c_array(name: str) -> list[tuple[int, int]]:
    text = (FIRMWARE_TESTS / "test_core.cc").read_text()
    body = re.search(rf"{name}\[\]\[2\] = \{{(.*?)\}};", text, re.S).group(1)
    nums = [int(v) for v in re.findall(r"-?\d+", body)]
    return list(zip(nums[::2], nums[1::2]))


def test_the_cpp_spotter_test_feeds_the_same_real_motion(everyday, gesture):
    assert _c_array("kRealEverydayMotion") == everyday
    assert _c_array("kRealPushForward") == gesture
