"""The axis map's Python twin (wand/wand_core/imu_sample.py) against imu_sample.h's rules."""

from __future__ import annotations

import numpy as np

from wand.wand_core.core import CoreSpec, WandCore
from wand.wand_core.imu_sample import BMI270_LIBRARY_NANO33_REV2, IDENTITY_AXES, AxisMap


def test_determinant_tells_rotations_from_mirrors_and_broken_maps():
    assert IDENTITY_AXES.determinant() == 1
    assert AxisMap((1, 0, 2), (-1, 1, 1)).determinant() == 1  # a 90 degree turn
    assert AxisMap((1, 0, 2), (1, 1, 1)).determinant() == -1
    assert AxisMap((0, 0, 2), (1, 1, 1)).determinant() == 0
    assert AxisMap((0, 1, 2), (1, 0, 1)).determinant() == 0


def test_rev2_library_map_is_a_mirror_and_the_sketch_adds_nothing():
    assert BMI270_LIBRARY_NANO33_REV2.determinant() == -1
    assert IDENTITY_AXES.compose(BMI270_LIBRARY_NANO33_REV2) == BMI270_LIBRARY_NANO33_REV2
    v = (1, 2, 3, 4, 5, 6)
    swap = AxisMap((1, 0, 2), (-1, 1, 1))
    assert swap.compose(BMI270_LIBRARY_NANO33_REV2).apply(v) == swap.apply(BMI270_LIBRARY_NANO33_REV2.apply(v))
    assert BMI270_LIBRARY_NANO33_REV2.apply(v) == (-2, -1, 3, -5, -4, 6)


def test_negating_int16_min_saturates_like_the_chip():
    assert AxisMap((0, 1, 2), (-1, 1, -1)).apply((-32768, 0, 0, 0, 0, -32768))[0] == 32767


def test_core_applies_its_axis_map_before_anything_else(bundle, tti_recordings):
    """A try fed in other axes through the inverse map gives the same packets as the try itself."""
    from wand.wand_core.classifier import TflmClassifier
    rec = tti_recordings[0]
    flip = AxisMap((1, 0, 2), (-1, -1, 1))  # its own inverse
    chip_axes = [flip.apply(tuple(int(v) for v in s)) for s in rec.samples]
    assert not np.array_equal(np.array(chip_axes), rec.samples)

    def packets(axes, samples):
        spec = CoreSpec(rec.rate_hz, bundle.rate_hz, bundle.window, bundle.hop, bundle.other_class, axes)
        core = WandCore(spec, TflmClassifier(bundle))
        return [p for s in samples for p in core.push(tuple(int(v) for v in s))]

    direct = packets(IDENTITY_AXES, rec.samples)
    assert direct and packets(flip, chip_axes) == direct
